"""PKI issue and sign: what goes into certificates, and every role constraint (400s)."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from tests.unit.engines.harness import FakeClock, call
from tests.unit.engines.pki_helpers import (
    LIST,
    READ,
    UPDATE,
    load,
    make_csr,
    make_pki,
    ok,
    weak_rsa_csr,
    with_role,
    with_root,
)


def test_issue_answer_fields_and_certificate_contents() -> None:
    engine = make_pki()
    root = with_root(engine)
    ok(
        call(
            engine,
            UPDATE,
            "config/urls",
            {
                "issuing_certificates": "http://ca.test/v1/pki/ca",
                "crl_distribution_points": "http://ca.test/v1/pki/crl",
                "ocsp_servers": "http://ca.test/v1/pki/ocsp",
            },
        )
    )
    with_role(engine, key_type="ec", key_bits=256, organization="Acme", ou="Ops")
    data = ok(
        call(
            engine,
            UPDATE,
            "issue/web",
            {
                "common_name": "app.example.com",
                "alt_names": "api.example.com,ops@mail.example.com",
                "ip_sans": "10.1.2.3",
                "ttl": "24h",
            },
        )
    )
    assert set(data) == {
        "certificate",
        "issuing_ca",
        "ca_chain",
        "private_key",
        "private_key_type",
        "serial_number",
        "expiration",
        "not_before",
    }
    assert data["private_key_type"] == "ec"
    assert data["issuing_ca"] == root["certificate"]
    assert data["ca_chain"] == [root["certificate"]]
    cert = load(data["certificate"])
    assert data["serial_number"] == ":".join(
        f"{b:02x}"
        for b in cert.serial_number.to_bytes((cert.serial_number.bit_length() + 7) // 8, "big")
    )
    assert data["expiration"] == int(cert.not_valid_after_utc.timestamp())
    assert (cert.not_valid_after_utc - cert.not_valid_before_utc).total_seconds() == 24 * 3600 + 30
    public = cert.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert public.curve.name == "secp256r1"
    subject = cert.subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "app.example.com"
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Acme"
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["app.example.com", "api.example.com"]
    assert san.get_values_for_type(x509.RFC822Name) == ["ops@mail.example.com"]
    assert san.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("10.1.2.3")]
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert usage.value.digital_signature
    assert usage.value.key_agreement
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
    aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    assert {(d.access_method.dotted_string, d.access_location.value) for d in aia} == {
        ("1.3.6.1.5.5.7.48.1", "http://ca.test/v1/pki/ocsp"),
        ("1.3.6.1.5.5.7.48.2", "http://ca.test/v1/pki/ca"),
    }
    cdp = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert [p.full_name[0].value for p in cdp] == ["http://ca.test/v1/pki/crl"]
    cert.verify_directly_issued_by(load(root["certificate"]))
    # stored: listed and readable by serial
    keys = ok(call(engine, LIST, "certs/"))["keys"]
    assert data["serial_number"] in keys
    assert root["serial_number"] in keys
    read = ok(call(engine, READ, f"cert/{data['serial_number']}"))
    assert read["certificate"] == data["certificate"]
    assert read["revocation_time"] == 0


@pytest.mark.parametrize(
    ("key_type", "key_bits", "kind", "size"),
    [
        ("rsa", 2048, rsa.RSAPublicKey, 2048),
        ("rsa", 4096, rsa.RSAPublicKey, 4096),
        ("ec", 384, ec.EllipticCurvePublicKey, 384),
        ("ec", 521, ec.EllipticCurvePublicKey, 521),
        ("ed25519", 0, ed25519.Ed25519PublicKey, 0),
    ],
    ids=["rsa2048", "rsa4096", "p384", "p521", "ed25519"],
)
def test_issue_key_types(key_type: str, key_bits: int, kind: type, size: int) -> None:
    engine = make_pki()
    with_root(engine)
    with_role(engine, key_type=key_type, key_bits=key_bits)
    data = ok(call(engine, UPDATE, "issue/web", {"common_name": "a.example.com"}))
    public = load(data["certificate"]).public_key()
    assert isinstance(public, kind)
    if isinstance(public, ec.EllipticCurvePublicKey):
        assert public.curve.key_size == size
    elif isinstance(public, rsa.RSAPublicKey):
        assert public.key_size == size
    assert data["private_key_type"] == key_type


@pytest.mark.parametrize(
    ("role", "body", "message"),
    [
        ({}, {"common_name": "evil.org"}, "common name evil.org not allowed by this role"),
        ({}, {"common_name": "example.com"}, "common name example.com not allowed by this role"),
        (
            {},
            {"common_name": "a.example.com", "alt_names": "b.evil.org"},
            "subject alternate name b.evil.org not allowed by this role",
        ),
        (
            {"allow_ip_sans": False},
            {"common_name": "a.example.com", "ip_sans": "10.0.0.1"},
            "IP Subject Alternative Names are not allowed in this role, but was provided via the API",
        ),
        (
            {"allowed_ip_sans_cidr": "10.0.0.0/8"},
            {"common_name": "a.example.com", "ip_sans": "192.168.0.1"},
            'the IP address "192.168.0.1" is not allowed in this role',
        ),
        (
            {},
            {"common_name": "a.example.com", "ip_sans": "not-an-ip"},
            'the value "not-an-ip" is not a valid IP address',
        ),
        (
            {},
            {"common_name": "a.example.com", "uri_sans": "spiffe://x/y"},
            "URI Subject Alternative Names are not allowed in this role, but were provided via "
            "the API",
        ),
        (
            {"allowed_uri_sans": "spiffe://ok/*"},
            {"common_name": "a.example.com", "uri_sans": "spiffe://bad/y"},
            "URI Subject Alternative Names were provided via the API which are not valid for "
            "this role",
        ),
        (
            {"allow_wildcard_certificates": False},
            {"common_name": "*.example.com"},
            "common name *.example.com not allowed by this role",
        ),
        (
            {"allow_localhost": False},
            {"common_name": "localhost"},
            "common name localhost not allowed by this role",
        ),
        (
            {},
            {},
            "the common_name field is required, or must be provided in a CSR with "
            '"use_csr_common_name" set to true, unless "require_cn" is set to false',
        ),
        (
            {},
            {"common_name": "a.example.com", "format": "xml"},
            'the "format" path parameter must be "pem", "der", or "pem_bundle"',
        ),
        (
            {},
            {"common_name": "bad_name!.example.com"},
            "common name bad_name!.example.com not allowed by this role",
        ),
    ],
    ids=[
        "other-domain",
        "bare-not-allowed",
        "san",
        "ip-not-allowed",
        "ip-cidr",
        "ip-bad",
        "uri-not-allowed",
        "uri-glob",
        "wildcard",
        "localhost",
        "cn-required",
        "format",
        "hostname",
    ],
)
def test_issue_refused_with_reason_and_nothing_stored(
    role: dict[str, Any], body: dict[str, object], message: str
) -> None:
    engine = make_pki()
    root = with_root(engine)
    with_role(engine, **role)
    outcome = call(engine, UPDATE, "issue/web", body)
    assert (outcome.status, outcome.errors) == (400, [message])
    assert ok(call(engine, LIST, "certs/"))["keys"] == [root["serial_number"]]


@pytest.mark.parametrize(
    ("role", "name"),
    [
        ({"allow_bare_domains": True}, "example.com"),
        ({}, "deep.sub.example.com"),
        ({}, "*.example.com"),
        (
            {
                "allow_glob_domains": True,
                "allowed_domains": "web-*.corp",
                "allow_subdomains": False,
            },
            "web-01.corp",
        ),
        ({"allow_any_name": True}, "anything.org"),
        ({}, "localhost"),
        ({"enforce_hostnames": False, "allow_any_name": True}, "not a host"),
    ],
    ids=["bare", "subdomain", "wildcard", "glob", "any", "localhost", "no-hostname-check"],
)
def test_issue_allowed_names(role: dict[str, Any], name: str) -> None:
    engine = make_pki()
    with_root(engine)
    with_role(engine, **role)
    data = ok(call(engine, UPDATE, "issue/web", {"common_name": name}))
    cn = load(data["certificate"]).subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    assert cn[0].value == name


def test_ttl_capped_at_role_max_ttl_with_warning() -> None:
    engine = make_pki()
    with_root(engine)
    with_role(engine, max_ttl="1h")
    outcome = call(engine, UPDATE, "issue/web", {"common_name": "a.example.com", "ttl": "2h"})
    assert outcome.status == 200
    assert outcome.warnings == [
        'TTL "2h0m0s" is longer than permitted maxTTL "1h0m0s", so maxTTL is being used'
    ]
    cert = load(outcome.data["certificate"])
    assert (cert.not_valid_after_utc - cert.not_valid_before_utc).total_seconds() == 3600 + 30


def test_ttl_defaults_to_role_ttl_then_mount_default() -> None:
    engine = make_pki()
    with_root(engine)
    with_role(engine, ttl="5h")
    with_role(engine, "plain")
    five = load(
        ok(call(engine, UPDATE, "issue/web", {"common_name": "a.example.com"}))["certificate"]
    )
    plain = load(
        ok(call(engine, UPDATE, "issue/plain", {"common_name": "a.example.com"}))["certificate"]
    )
    assert (five.not_valid_after_utc - five.not_valid_before_utc).total_seconds() == 5 * 3600 + 30
    span = (plain.not_valid_after_utc - plain.not_valid_before_utc).total_seconds()
    assert span == 768 * 3600 + 30


def test_ttl_beyond_ca_expiry_is_refused_or_truncated() -> None:
    engine = make_pki()
    root = with_root(engine, ttl="10h")
    with_role(engine)
    outcome = call(engine, UPDATE, "issue/web", {"common_name": "a.example.com", "ttl": "20h"})
    assert outcome.status == 400
    assert outcome.errors is not None
    assert "beyond the expiration of the CA certificate" in outcome.errors[0]
    ok(call(engine, UPDATE, f"issuer/{root['issuer_id']}", {"leaf_not_after_behavior": "truncate"}))
    data = ok(call(engine, UPDATE, "issue/web", {"common_name": "a.example.com", "ttl": "20h"}))
    assert (
        load(data["certificate"]).not_valid_after_utc
        == load(root["certificate"]).not_valid_after_utc
    )


def test_unknown_role_and_issuer() -> None:
    engine = make_pki()
    with_root(engine)
    missing = call(engine, UPDATE, "issue/nope", {"common_name": "a.example.com"})
    assert (missing.status, missing.errors) == (400, ["unknown role: nope"])
    with_role(engine, issuer_ref="ghost")
    ghost = call(engine, UPDATE, "issue/web", {"common_name": "a.example.com"})
    assert (ghost.status, ghost.errors) == (400, ["unable to find PKI issuer for reference: ghost"])


def test_issue_without_any_issuer_is_400() -> None:
    engine = make_pki()
    with_role(engine)
    outcome = call(engine, UPDATE, "issue/web", {"common_name": "a.example.com"})
    assert (outcome.status, outcome.errors) == (400, ["no default issuer currently configured"])


def test_sign_csr_uses_csr_names_and_key() -> None:
    engine = make_pki()
    with_root(engine)
    with_role(engine, key_type="ec")
    key = ec.generate_private_key(ec.SECP384R1())
    csr = make_csr("svc.example.com", key=key, dns=["svc.example.com", "alt.example.com"])
    data = ok(call(engine, UPDATE, "sign/web", {"csr": csr, "common_name": "ignored.example.com"}))
    assert "private_key" not in data
    cert = load(data["certificate"])
    assert cert.public_key() == key.public_key()
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "svc.example.com"
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["svc.example.com", "alt.example.com"]


@pytest.mark.parametrize(
    ("csr", "message"),
    [
        ("garbage", "csr contains no data"),
        (
            "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----",
            "certificate request could not be parsed",
        ),
        (
            weak_rsa_csr("a.example.com"),
            "RSA keys < 2048 bits are unsafe and not supported",
        ),
        (make_csr("evil.org"), "common name evil.org not allowed by this role"),
        (
            make_csr("a.example.com", dns=["x.evil.org"]),
            "subject alternate name x.evil.org not allowed by this role",
        ),
    ],
    ids=["not-pem", "bad-der", "weak-key", "cn", "san"],
)
def test_sign_refuses_bad_csrs(csr: str, message: str) -> None:
    engine = make_pki()
    root = with_root(engine)
    with_role(engine, key_type="any")
    outcome = call(engine, UPDATE, "sign/web", {"csr": csr})
    assert (outcome.status, outcome.errors) == (400, [message])
    assert ok(call(engine, LIST, "certs/"))["keys"] == [root["serial_number"]]


def test_sign_enforces_role_key_type_and_bits() -> None:
    engine = make_pki()
    with_root(engine)
    with_role(engine, key_type="ec", key_bits=384)
    rsa_csr = make_csr("a.example.com", key=rsa.generate_private_key(65537, 2048))
    wrong = call(engine, UPDATE, "sign/web", {"csr": rsa_csr})
    assert (wrong.status, wrong.errors) == (400, ["role requires keys of type ec"])
    small = call(engine, UPDATE, "sign/web", {"csr": make_csr("a.example.com")})
    assert small.status == 400
    assert small.errors == ["role requires a minimum of a 384-bit key, but CSR's key is 256 bits"]


def test_sign_verbatim_keeps_subject() -> None:
    engine = make_pki()
    with_root(engine)
    csr = make_csr("Anything Goes", dns=["whatever.org"])
    data = ok(call(engine, UPDATE, "sign-verbatim", {"csr": csr, "ttl": "1h"}))
    cert = load(data["certificate"])
    assert cert.subject.rfc4514_string() == "CN=Anything Goes"
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["whatever.org"]


def test_no_store_role_does_not_store() -> None:
    engine = make_pki()
    root = with_root(engine)
    with_role(engine, no_store=True)
    data = ok(call(engine, UPDATE, "issue/web", {"common_name": "a.example.com"}))
    assert ok(call(engine, LIST, "certs/"))["keys"] == [root["serial_number"]]
    assert call(engine, READ, f"cert/{data['serial_number']}").status == 404


def test_formats_der_and_pem_bundle_and_pkcs8() -> None:
    import base64

    engine = make_pki()
    with_root(engine)
    with_role(engine, key_type="ec")
    der = ok(call(engine, UPDATE, "issue/web", {"common_name": "a.example.com", "format": "der"}))
    x509.load_der_x509_certificate(base64.b64decode(der["certificate"]))
    bundle = ok(
        call(
            engine,
            UPDATE,
            "issue/web",
            {"common_name": "a.example.com", "format": "pem_bundle", "private_key_format": "pkcs8"},
        )
    )
    assert bundle["private_key"].startswith("-----BEGIN PRIVATE KEY-----")
    assert bundle["certificate"].startswith("-----BEGIN PRIVATE KEY-----")
    assert len(x509.load_pem_x509_certificates(bundle["certificate"].encode())) == 2


def test_generate_lease_attaches_a_lease_and_revoke_lease_revokes() -> None:
    import asyncio

    from sealbox.logical import Request, Secret

    clock = FakeClock()
    engine = make_pki(clock)
    with_root(engine)
    with_role(engine, generate_lease=True)
    outcome = call(engine, UPDATE, "issue/web", {"common_name": "a.example.com", "ttl": "2h"})
    assert outcome.lease_duration is not None
    assert 7190 <= outcome.lease_duration <= 7200
    serial = outcome.data["serial_number"]
    req = Request(operation=UPDATE, path="", storage=engine.config.storage)
    secret = Secret(ttl=7200, internal_data={"serial_number": serial})
    asyncio.run(engine.revoke_lease(req, secret))
    assert ok(call(engine, READ, f"cert/{serial}"))["revocation_time"] > 0
    assert serial in ok(call(engine, LIST, "certs/revoked/"))["keys"]


def test_role_extension_settings_reach_the_certificate() -> None:
    from cryptography.hazmat.primitives.asymmetric import padding

    engine = make_pki()
    ok(
        call(
            engine, UPDATE, "root/generate/internal", {"common_name": "RSA Root", "key_type": "rsa"}
        )
    )
    with_role(
        engine,
        server_flag=False,
        client_flag=False,
        code_signing_flag=True,
        ext_key_usage="TimeStamping",
        ext_key_usage_oids="1.2.3.4.5",
        key_usage="DigitalSignature,ContentCommitment",
        basic_constraints_valid_for_non_ca=True,
        policy_identifiers="1.3.6.1.4.1.44947.1.1.1",
        use_pss=True,
        signature_bits=384,
        country="NL",
        locality="Amsterdam",
        province="NH",
        street_address="Main 1",
        postal_code="1000AA",
    )
    data = ok(
        call(
            engine,
            UPDATE,
            "issue/web",
            {
                "common_name": "a.example.com",
                "exclude_cn_from_sans": True,
                "alt_names": "b.example.com",
            },
        )
    )
    cert = load(data["certificate"])
    eku = list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    assert [o.dotted_string for o in eku] == ["1.3.6.1.5.5.7.3.3", "1.3.6.1.5.5.7.3.8", "1.2.3.4.5"]
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature
    assert usage.content_commitment
    assert not usage.key_encipherment
    bc = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert bc.critical
    assert bc.value.ca is False
    policies = cert.extensions.get_extension_for_class(x509.CertificatePolicies).value
    assert [p.policy_identifier.dotted_string for p in policies] == ["1.3.6.1.4.1.44947.1.1.1"]
    assert cert.signature_hash_algorithm is not None
    assert cert.signature_hash_algorithm.name == "sha384"
    assert cert.signature_algorithm_oid.dotted_string == "1.2.840.113549.1.1.10"  # RSASSA-PSS
    assert isinstance(cert.signature_algorithm_parameters, padding.PSS)
    # Go's pkix.Name order: C, ST, L, street, postal code, O, OU, CN
    assert [a.oid.dotted_string for a in cert.subject] == [
        "2.5.4.6",
        "2.5.4.8",
        "2.5.4.7",
        "2.5.4.9",
        "2.5.4.17",
        "2.5.4.3",
    ]
    assert cert.subject.rfc4514_string() == (
        "CN=a.example.com,2.5.4.17=1000AA,STREET=Main 1,L=Amsterdam,ST=NH,C=NL"
    )
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["b.example.com"]
    cert.verify_directly_issued_by(load(data["issuing_ca"]))


def test_sign_with_use_csr_common_name_off_takes_the_request_name() -> None:
    engine = make_pki()
    with_root(engine)
    with_role(engine, key_type="ec", use_csr_common_name=False, use_csr_sans=False)
    csr = make_csr("csr.example.com", dns=["csr.example.com"])
    data = ok(call(engine, UPDATE, "sign/web", {"csr": csr, "common_name": "req.example.com"}))
    cert = load(data["certificate"])
    assert cert.subject.rfc4514_string() == "CN=req.example.com"
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["req.example.com"]


def test_subject_serial_number_needs_allowed_serial_numbers() -> None:
    engine = make_pki()
    with_root(engine)
    with_role(engine)
    refused = call(
        engine, UPDATE, "issue/web", {"common_name": "a.example.com", "serial_number": "X1"}
    )
    assert (refused.status, refused.errors) == (400, ["serial_number X1 not allowed by this role"])
    with_role(engine, allowed_serial_numbers="X*")
    data = ok(
        call(engine, UPDATE, "issue/web", {"common_name": "a.example.com", "serial_number": "X1"})
    )
    attrs = load(data["certificate"]).subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    assert attrs[0].value == "X1"
    assert call(engine, UPDATE, "roles/fixed", {"not_before": "2030-01-01T00:00:00Z"}).status == 400
