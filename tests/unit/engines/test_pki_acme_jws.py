"""ACME building blocks: nonces are single use and expire; JWS checks match josepy's JOSE."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from josepy.jwa import ES256, RS256
from josepy.jwk import JWK, JWKEC, JWKRSA
from josepy.jws import JWS

from sealbox.engines.pki.acme import jws
from sealbox.engines.pki.acme.nonces import NONCE_TTL_SECONDS, NonceStore
from sealbox.engines.pki.acme.problems import AcmeProblem


def test_nonce_is_single_use_and_expires() -> None:
    now = [0.0]
    store = NonceStore(clock=lambda: now[0])
    first, second = store.issue(), store.issue()
    assert first != second
    assert store.consume(first)
    assert not store.consume(first)
    assert not store.consume("never-issued")
    now[0] = NONCE_TTL_SECONDS + 1
    assert not store.consume(second)


@pytest.mark.parametrize("kind", ["ec", "rsa"])
def test_thumbprint_and_signature_agree_with_josepy(kind: str) -> None:
    if kind == "ec":
        key: JWK = JWKEC(key=ec.generate_private_key(ec.SECP256R1()))
        alg = ES256
    else:
        key = JWKRSA(key=rsa.generate_private_key(public_exponent=65537, key_size=2048))
        alg = RS256
    public = key.public_key()
    signed = JWS.sign(
        b'{"a":1}', key=key, alg=alg, include_jwk=True, protect=frozenset(["alg", "jwk"])
    )
    body = signed.to_partial_json()
    flat = {
        "protected": body["protected"],
        "payload": body["payload"],
        "signature": body["signature"],
    }
    header, signing_input, signature, payload = jws.parse(flat)
    assert payload == b'{"a":1}'
    assert jws.thumbprint(header["jwk"]) == jws.b64encode(public.thumbprint())
    jws.verify_signature(jws.public_key(header["jwk"]), alg.name, signing_input, signature)
    tampered = bytes([signature[0] ^ 1]) + signature[1:]
    with pytest.raises(AcmeProblem) as bad:
        jws.verify_signature(jws.public_key(header["jwk"]), alg.name, signing_input, tampered)
    assert bad.value.kind == "malformed"


def test_header_checks_url_alg_and_key_reference() -> None:
    url = "http://h/v1/pki/acme/new-account"
    good = {"alg": "ES256", "url": url, "nonce": "n", "jwk": {}}
    assert jws.check_header(good, url) == ("ES256", "n")
    with pytest.raises(AcmeProblem) as wrong_url:
        jws.check_header(good, url + "x")
    assert (wrong_url.value.kind, wrong_url.value.status) == ("unauthorized", 401)
    with pytest.raises(AcmeProblem) as none_alg:
        jws.check_header({**good, "alg": "none"}, url)
    assert none_alg.value.kind == "badSignatureAlgorithm"
    with pytest.raises(AcmeProblem) as both:
        jws.check_header({**good, "kid": "k"}, url)
    assert both.value.kind == "malformed"
    with pytest.raises(AcmeProblem) as no_nonce:
        jws.check_header({k: v for k, v in good.items() if k != "nonce"}, url)
    assert no_nonce.value.kind == "badNonce"


def test_small_rsa_key_and_padding_are_refused() -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()  # noqa: S505 - refused
    jwk = JWKRSA(key=small).to_partial_json()
    with pytest.raises(AcmeProblem) as refused:
        jws.public_key(jwk)
    assert refused.value.kind == "badPublicKey"
    with pytest.raises(AcmeProblem):
        jws.b64decode("YQ==")


def test_config_acme_defaults_update_and_refusal() -> None:
    from tests.unit.engines.harness import call
    from tests.unit.engines.pki_helpers import make_pki, ok

    from sealbox.logical import Operation

    engine = make_pki()
    defaults = ok(call(engine, Operation.READ, "config/acme"))
    assert defaults["enabled"] is False
    assert (defaults["eab_policy"], defaults["allowed_roles"]) == ("not-required", ["*"])
    refused = call(engine, Operation.UPDATE, "config/acme", {"enabled": True, "eab_policy": "x"})
    assert refused.status == 400
    assert ok(call(engine, Operation.READ, "config/acme"))["enabled"] is False
    ok(call(engine, Operation.UPDATE, "config/acme", {"enabled": True}))
    assert ok(call(engine, Operation.READ, "config/acme"))["enabled"] is True
