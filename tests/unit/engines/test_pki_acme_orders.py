"""ACME building blocks without a server: identifiers, CSR matching, order status, EAB, DNS."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import struct
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from tests.unit.engines.harness import call
from tests.unit.engines.pki_helpers import make_pki

from sealbox.engines.pki.acme import dns, eab, issue, jws, orders
from sealbox.engines.pki.acme.orders import Identifier
from sealbox.engines.pki.acme.paths_orders import parse_identifiers
from sealbox.engines.pki.acme.problems import AcmeProblem
from sealbox.engines.pki.store import PKIStore
from sealbox.logical import Operation
from sealbox.storage.inmem import InMemoryStorage


def _kind(problem: pytest.ExceptionInfo[AcmeProblem]) -> str:
    return problem.value.kind


def test_identifiers_are_normalised_and_checked() -> None:
    parsed = parse_identifiers(
        {
            "identifiers": [
                {"type": "dns", "value": "WWW.Example.COM."},
                {"type": "ip", "value": "::0:1"},
                {"type": "dns", "value": "www.example.com"},
            ]
        }
    )
    assert parsed == [Identifier("dns", "www.example.com"), Identifier("ip", "::1")]
    for bad, kind in (
        ({"identifiers": []}, "malformed"),
        ({"identifiers": [{"type": "dns", "value": "1.2.3.4"}]}, "malformed"),
        ({"identifiers": [{"type": "dns", "value": "a..b"}]}, "malformed"),
        ({"identifiers": [{"type": "ip", "value": "not-an-ip"}]}, "malformed"),
        ({"identifiers": [{"type": "email", "value": "a@b.c"}]}, "unsupportedIdentifier"),
    ):
        with pytest.raises(AcmeProblem) as problem:
            parse_identifiers(bad)
        assert _kind(problem) == kind


def _csr(cn: str | None, sans: list[x509.GeneralName]) -> x509.CertificateSigningRequest:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)] if cn else [])
    builder = x509.CertificateSigningRequestBuilder().subject_name(subject)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return builder.sign(key, hashes.SHA256())


def _order(*identifiers: Identifier) -> orders.Order:
    order, _ = orders.new_order("acct", list(identifiers), datetime.now(UTC), "acme/")
    return order


def test_csr_must_ask_for_exactly_the_order_identifiers() -> None:
    order = _order(Identifier("dns", "a.example.com"), Identifier("ip", "10.0.0.1"))
    ip = x509.IPAddress(ipaddress.ip_address("10.0.0.1"))
    # the common name counts as an identifier
    issue.check_csr_matches(_csr("a.example.com", [ip]), order)
    issue.check_csr_matches(_csr(None, [x509.DNSName("A.example.com"), ip]), order)
    for cn, sans in (
        ("a.example.com", []),
        ("b.example.com", [ip, x509.DNSName("a.example.com")]),
        ("a.example.com", [ip, x509.RFC822Name("x@example.com")]),
    ):
        with pytest.raises(AcmeProblem) as problem:
            issue.check_csr_matches(_csr(cn, sans), order)
        assert _kind(problem) == "badCSR"


def test_order_status_follows_its_authorizations() -> None:
    async def run() -> None:
        store = PKIStore(InMemoryStorage())
        now = datetime.now(UTC)
        order, authzs = orders.new_order(
            "acct", [Identifier("dns", "a.test"), Identifier("ip", "10.0.0.1")], now, "acme/"
        )
        for authz in authzs:
            await orders.save_authz(store, authz)
        assert [c.type for c in authzs[0].challenges] == ["http-01", "dns-01"]
        assert [c.type for c in authzs[1].challenges] == ["http-01"]
        assert await orders.current_status(store, order, now) == "pending"
        authzs[0].status = "valid"
        await orders.save_authz(store, authzs[0])
        assert await orders.current_status(store, order, now) == "pending"
        authzs[1].status = "valid"
        await orders.save_authz(store, authzs[1])
        assert await orders.current_status(store, order, now) == "ready"
        later = now + orders.ORDER_LIFETIME + timedelta(seconds=1)
        assert await orders.current_status(store, order, later) == "invalid"
        authzs[1].status = "invalid"
        await orders.save_authz(store, authzs[1])
        assert await orders.current_status(store, order, now) == "invalid"

    asyncio.run(run())


def test_eab_binding_is_verified_and_single_use() -> None:
    async def run() -> None:
        store = PKIStore(InMemoryStorage())
        made = await eab.create(store, "acme/", "2026-01-01T00:00:00+00:00")
        key = ec.generate_private_key(ec.SECP256R1())
        numbers = key.public_key().public_numbers()
        jwk = {
            "kty": "EC",
            "crv": "P-256",
            "x": jws.b64encode(numbers.x.to_bytes(32, "big")),
            "y": jws.b64encode(numbers.y.to_bytes(32, "big")),
        }
        url = "https://ca/v1/pki/acme/new-account"

        def binding(secret: bytes, kid: str = made["id"]) -> dict[str, str]:
            protected = jws.b64encode(orjson.dumps({"alg": "HS256", "kid": kid, "url": url}))
            payload = jws.b64encode(orjson.dumps(jwk))
            mac = hmac.new(secret, f"{protected}.{payload}".encode(), hashlib.sha256).digest()
            return {"protected": protected, "payload": payload, "signature": jws.b64encode(mac)}

        with pytest.raises(AcmeProblem) as problem:
            await eab.bind(store, binding(b"wrong"), jwk, url, "acme/")
        assert _kind(problem) == "unauthorized"
        with pytest.raises(AcmeProblem) as problem:  # another directory's key
            await eab.bind(store, binding(jws.b64decode(made["key"])), jwk, url, "roles/x/acme/")
        assert _kind(problem) == "unauthorized"
        good = binding(jws.b64decode(made["key"]))
        assert await eab.bind(store, good, jwk, url, "acme/") == made["id"]
        with pytest.raises(AcmeProblem) as problem:
            await eab.bind(store, good, jwk, url, "acme/")
        assert _kind(problem) == "unauthorized"

    asyncio.run(run())


def test_config_acme_refuses_bad_settings() -> None:
    engine = make_pki()
    for bad in (
        {"http_01_port": 0},
        {"http_01_port": 70000},
        {"default_directory_policy": "role:"},
        {"default_directory_policy": "maybe"},
        {"dns_resolver": "127.0.0.1:notaport"},
    ):
        assert call(engine, Operation.UPDATE, "config/acme", bad).status == 400, bad
    done = call(engine, Operation.UPDATE, "config/acme", {"http_01_port": 8080})
    assert done.data is not None
    assert done.data["http_01_port"] == 8080


def test_dns_answers_are_parsed() -> None:
    query = dns.query("_acme-challenge.a.test", 0x1234)
    question = query[12:]
    answer = (
        struct.pack("!HHHHHH", 0x1234, 0x8180, 1, 2, 0, 0)
        + question
        + struct.pack("!HHHIH", 0xC00C, 5, 1, 60, 2)  # a CNAME, skipped
        + b"\xc0\x0c"
        + struct.pack("!HHHIH", 0xC00C, 16, 1, 60, 8)
        + b"\x03abc\x03def"
    )
    assert dns.parse_txt(answer, 0x1234) == ["abcdef"]
    nxdomain = struct.pack("!HHHHHH", 0x1234, 0x8183, 1, 0, 0, 0) + question
    assert dns.parse_txt(nxdomain, 0x1234) == []
    with pytest.raises(dns.LookupFailed):
        dns.parse_txt(answer, 0x4321)
    assert dns.resolver_address("10.0.0.2") == ("10.0.0.2", 53)
    assert dns.resolver_address("10.0.0.2:5353") == ("10.0.0.2", 5353)
    assert dns.resolver_address("[::1]:5353") == ("::1", 5353)
