"""PKI CAs: roots of every key type, intermediates across two mounts, issuers and keys."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID
from tests.unit.engines.harness import call
from tests.unit.engines.pki_helpers import (
    DELETE,
    LIST,
    READ,
    UPDATE,
    load,
    make_pki,
    ok,
    with_role,
    with_root,
)

from sealbox.logical import Operation


@pytest.mark.parametrize(
    ("key_type", "key_bits", "kind"),
    [
        ("rsa", 2048, rsa.RSAPrivateKey),
        ("rsa", 3072, rsa.RSAPrivateKey),
        ("ec", 256, ec.EllipticCurvePrivateKey),
        ("ec", 384, ec.EllipticCurvePrivateKey),
        ("ec", 521, ec.EllipticCurvePrivateKey),
        ("ed25519", 0, ed25519.Ed25519PrivateKey),
    ],
    ids=["rsa2048", "rsa3072", "p256", "p384", "p521", "ed25519"],
)
def test_root_generate_exported(key_type: str, key_bits: int, kind: type) -> None:
    from cryptography.hazmat.primitives import serialization

    engine = make_pki()
    data = ok(
        call(
            engine,
            UPDATE,
            "root/generate/exported",
            {
                "common_name": "Root CA",
                "key_type": key_type,
                "key_bits": key_bits,
                "ttl": "8760h",
                "organization": "Acme",
                "max_path_length": 1,
                "issuer_name": "root-1",
            },
        )
    )
    assert set(data) == {
        "certificate",
        "issuing_ca",
        "expiration",
        "serial_number",
        "issuer_id",
        "issuer_name",
        "key_id",
        "key_name",
        "private_key",
        "private_key_type",
    }
    assert data["issuer_name"] == "root-1"
    assert data["private_key_type"] == key_type
    key = serialization.load_pem_private_key(data["private_key"].encode(), None)
    assert isinstance(key, kind)
    cert = load(data["certificate"])
    assert cert.public_key() == key.public_key()
    assert cert.subject == cert.issuer
    bc = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert bc.critical
    assert bc.value.ca
    assert bc.value.path_length == 1
    ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ku.key_cert_sign
    assert ku.crl_sign
    cert.verify_directly_issued_by(cert)
    assert (
        cert.not_valid_after_utc - cert.not_valid_before_utc
    ).total_seconds() == 8760 * 3600 + 30


def test_root_internal_hides_key_and_warns_without_urls() -> None:
    engine = make_pki()
    outcome = call(engine, UPDATE, "root/generate/internal", {"common_name": "R"})
    assert outcome.status == 200
    assert "private_key" not in outcome.data
    assert outcome.warnings
    assert "authority information access" in outcome.warnings[0]


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        (
            "root/generate/kms",
            {"common_name": "x"},
            'the "exported" path parameter must be "internal", "existing", exported" or "kms"',
        ),
        (
            "root/generate/internal",
            {"common_name": "x", "key_type": "ec", "key_bits": 123},
            "unsupported bit length for EC key: 123",
        ),
        (
            "root/generate/internal",
            {"common_name": "x", "key_type": "rsa", "key_bits": 1024},
            "RSA keys < 2048 bits are unsafe and not supported: got 1024",
        ),
        ("root/generate/internal", {"common_name": "x", "key_type": "dsa"}, "unknown key type dsa"),
        (
            "root/generate/internal",
            {"common_name": "x", "not_after": "tomorrow"},
            "could not parse given not_after",
        ),
        (
            "root/generate/internal",
            {"common_name": "x", "issuer_name": "default"},
            'reserved name "default" cannot be used',
        ),
    ],
    ids=["kms", "ec-bits", "rsa-weak", "type", "not-after", "reserved-name"],
)
def test_root_generate_bad_input(path: str, body: dict[str, object], message: str) -> None:
    engine = make_pki()
    outcome = call(engine, UPDATE, path, body)
    assert (outcome.status, outcome.errors) == (400, [message])
    assert call(engine, LIST, "issuers/").data == {"keys": [], "key_info": {}}


def test_ttl_capped_by_mount_max_lease_ttl() -> None:
    engine = make_pki()
    engine.config.max_lease_ttl = 3600
    outcome = call(engine, UPDATE, "root/generate/internal", {"common_name": "R", "ttl": "87600h"})
    assert outcome.warnings[0] == (
        'TTL "87600h0m0s" is longer than permitted maxTTL "1h0m0s", so maxTTL is being used'
    )


def test_intermediate_across_two_mounts() -> None:
    root_mount, int_mount = make_pki(), make_pki()
    root = with_root(root_mount)
    generated = ok(
        call(
            int_mount,
            UPDATE,
            "intermediate/generate/internal",
            {"common_name": "Intermediate CA", "key_type": "ec", "key_bits": 384},
        )
    )
    assert set(generated) == {"csr", "key_id"}
    signed = ok(
        call(
            root_mount,
            UPDATE,
            "root/sign-intermediate",
            {"csr": generated["csr"], "common_name": "Intermediate CA", "ttl": "43800h"},
        )
    )
    assert signed["issuing_ca"] == root["certificate"]
    inter = load(signed["certificate"])
    assert inter.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    inter.verify_directly_issued_by(load(root["certificate"]))
    imported = ok(
        call(
            int_mount,
            UPDATE,
            "intermediate/set-signed",
            {"certificate": signed["certificate"] + "\n" + root["certificate"]},
        )
    )
    assert len(imported["imported_issuers"]) == 2
    assert imported["mapping"][imported["imported_issuers"][0]] == generated["key_id"]
    with_role(int_mount)
    leaf = ok(call(int_mount, UPDATE, "issue/web", {"common_name": "a.example.com"}))
    assert leaf["issuing_ca"] == signed["certificate"]
    assert leaf["ca_chain"] == [signed["certificate"], root["certificate"]]
    load(leaf["certificate"]).verify_directly_issued_by(inter)
    # the default issuer is the intermediate (the first issuer holding a key) and its chain
    issuers = ok(call(int_mount, LIST, "issuers/"))
    defaults = [k for k, v in issuers["key_info"].items() if v["is_default"]]
    assert defaults == [imported["imported_issuers"][0]]


def test_set_signed_without_matching_key_is_refused() -> None:
    other = make_pki()
    root = with_root(other)
    engine = make_pki()
    outcome = call(engine, UPDATE, "intermediate/set-signed", {"certificate": root["certificate"]})
    assert outcome.status == 400
    bad = call(engine, UPDATE, "intermediate/set-signed", {"certificate": "nonsense"})
    assert (bad.status, bad.errors) == (400, ["no data found in PEM block"])


def test_sign_intermediate_takes_the_csr_common_name_when_none_is_given() -> None:
    root_mount, int_mount = make_pki(), make_pki()
    with_root(root_mount)
    csr = ok(call(int_mount, UPDATE, "intermediate/generate/internal", {"common_name": "Int"}))[
        "csr"
    ]
    signed = ok(call(root_mount, UPDATE, "root/sign-intermediate", {"csr": csr}))
    cn = load(signed["certificate"]).subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    assert cn[0].value == "Int"
    renamed = ok(
        call(
            root_mount,
            UPDATE,
            "root/sign-intermediate",
            {"csr": csr, "common_name": "Other", "organization": "Acme"},
        )
    )
    assert load(renamed["certificate"]).subject.rfc4514_string() == "CN=Other,O=Acme"
    nameless = ok(call(int_mount, UPDATE, "intermediate/generate/internal", {}))["csr"]
    refused = call(root_mount, UPDATE, "root/sign-intermediate", {"csr": nameless})
    assert refused.status == 400
    kept = ok(
        call(
            root_mount,
            UPDATE,
            "root/sign-intermediate",
            {"csr": csr, "use_csr_values": True, "common_name": "Ignored"},
        )
    )
    assert load(kept["certificate"]).subject.rfc4514_string() == "CN=Int"


def test_issuers_keys_default_and_rename() -> None:
    engine = make_pki()
    first = with_root(engine, issuer_name="one")
    second = with_root(engine, issuer_name="two")
    listed = ok(call(engine, LIST, "issuers/"))
    assert sorted(listed["keys"]) == sorted([first["issuer_id"], second["issuer_id"]])
    assert listed["key_info"][first["issuer_id"]]["is_default"] is True
    assert ok(call(engine, READ, "config/issuers"))["default"] == first["issuer_id"]
    ok(call(engine, UPDATE, "config/issuers", {"default": "two"}))
    assert ok(call(engine, READ, "issuer/default"))["issuer_id"] == second["issuer_id"]
    read = ok(call(engine, READ, "issuer/one"))
    assert read["key_id"] == first["key_id"]
    assert read["revocation_signature_algorithm"] == "ECDSAWithSHA256"
    assert call(engine, UPDATE, "issuer/one", {"issuer_name": "two"}).errors == [
        "issuer name already in use"
    ]
    ok(call(engine, UPDATE, "issuer/one", {"issuer_name": "uno"}))
    assert ok(call(engine, READ, "issuer/uno"))["issuer_id"] == first["issuer_id"]
    keys = ok(call(engine, LIST, "keys/"))
    assert sorted(keys["keys"]) == sorted([first["key_id"], second["key_id"]])
    key = ok(call(engine, READ, f"key/{first['key_id']}"))
    assert {k: key[k] for k in ("key_id", "key_name", "key_type")} == {
        "key_id": first["key_id"],
        "key_name": "",
        "key_type": "ec",
    }
    ski = load(first["certificate"]).extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    assert key["subject_key_id"] == ":".join(f"{b:02x}" for b in ski.value.digest)
    missing = call(engine, READ, "issuer/ghost")
    assert (missing.status, missing.errors) == (
        400,
        ["unable to find PKI issuer for reference: ghost"],
    )


def test_issue_from_named_issuer() -> None:
    engine = make_pki()
    with_root(engine, issuer_name="one")
    second = with_root(engine, issuer_name="two")
    with_role(engine)
    data = ok(call(engine, UPDATE, "issuer/two/issue/web", {"common_name": "a.example.com"}))
    assert data["issuing_ca"] == second["certificate"]


def test_delete_root_removes_issuers_and_keys() -> None:
    engine = make_pki()
    with_root(engine)
    deleted = call(engine, DELETE, "root")
    assert deleted.status == 200
    assert deleted.warnings[0].startswith("DELETE /root deletes all keys and issuers")
    assert ok(call(engine, LIST, "issuers/"))["keys"] == []
    assert ok(call(engine, LIST, "keys/"))["keys"] == []
    assert call(engine, READ, "cert/ca").status == 400


def test_roles_crud_and_validation() -> None:
    engine = make_pki()
    with_role(engine, "a", key_type="ec", max_ttl="1h")
    role = ok(call(engine, READ, "roles/a"))
    assert role["key_bits"] == 256
    assert role["max_ttl"] == 3600
    assert role["ttl"] == 0
    assert role["key_usage"] == ["DigitalSignature", "KeyAgreement", "KeyEncipherment"]
    assert role["cn_validations"] == ["email", "hostname"]
    assert ok(call(engine, LIST, "roles/")) == {"keys": ["a"]}
    assert call(engine, UPDATE, "roles/b", {"key_type": "foo"}).errors == ["unknown key type foo"]
    assert call(engine, UPDATE, "roles/b", {"key_type": "rsa", "key_bits": 100}).errors == [
        "RSA keys < 2048 bits are unsafe and not supported: got 100"
    ]
    assert call(engine, UPDATE, "roles/b", {"ttl": "2h", "max_ttl": "1h"}).status == 400
    assert call(engine, READ, "roles/b").status == 404
    assert call(engine, DELETE, "roles/a").status == 204
    assert call(engine, READ, "roles/a").status == 404


def test_patch_role_changes_only_what_is_sent() -> None:
    engine = make_pki()
    with_role(engine, "a", key_type="ec", max_ttl="1h", organization="Acme")
    patched = ok(call(engine, Operation.PATCH, "roles/a", {"ttl": "30m", "allow_ip_sans": False}))
    assert patched["ttl"] == 1800
    assert patched["allow_ip_sans"] is False
    assert patched["max_ttl"] == 3600
    assert patched["organization"] == ["Acme"]
    assert patched["key_type"] == "ec"
    assert ok(call(engine, READ, "roles/a")) == patched
    bad = call(engine, Operation.PATCH, "roles/a", {"ttl": "2h"})
    assert bad.status == 400
    assert ok(call(engine, READ, "roles/a"))["ttl"] == 1800
    missing = call(engine, Operation.PATCH, "roles/nope", {"ttl": "1h"})
    assert (missing.status, missing.errors) == (400, ["Unable to fetch role entry to patch"])


def test_import_bundle_with_key_then_issue() -> None:
    source = make_pki()
    exported = ok(
        call(
            source,
            UPDATE,
            "root/generate/exported",
            {"common_name": "Imported Root", "key_type": "ec"},
        )
    )
    engine = make_pki()
    bundle = exported["private_key"] + "\n" + exported["certificate"]
    imported = ok(call(engine, UPDATE, "config/ca", {"pem_bundle": bundle}))
    assert len(imported["imported_issuers"]) == 1
    assert len(imported["imported_keys"]) == 1
    issuer_id = imported["imported_issuers"][0]
    assert imported["mapping"] == {issuer_id: imported["imported_keys"][0]}
    with_role(engine)
    leaf = ok(call(engine, UPDATE, "issue/web", {"common_name": "a.example.com"}))
    load(leaf["certificate"]).verify_directly_issued_by(load(exported["certificate"]))
    again = ok(call(engine, UPDATE, "issuers/import/bundle", {"pem_bundle": bundle}))
    assert again["existing_issuers"] == [issuer_id]
    assert again["imported_issuers"] is None
    assert again["imported_keys"] is None
    broken = call(
        engine,
        UPDATE,
        "config/ca",
        {
            "pem_bundle": "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n"
            + exported["certificate"]
        },
    )
    assert broken.status == 400
    assert ok(call(engine, LIST, "issuers/"))["keys"] == [issuer_id]


def test_set_signed_refusal_writes_nothing() -> None:
    other = make_pki()
    foreign = with_root(other)
    engine = make_pki()
    ok(call(engine, UPDATE, "intermediate/generate/internal", {"common_name": "Int"}))
    refused = call(
        engine, UPDATE, "intermediate/set-signed", {"certificate": foreign["certificate"]}
    )
    assert refused.status == 400
    assert ok(call(engine, LIST, "issuers/"))["keys"] == []
    assert ok(call(engine, LIST, "certs/"))["keys"] == []


def test_key_management_and_rotation_onto_an_existing_key() -> None:
    engine = make_pki()
    first = with_root(engine)
    generated = ok(
        call(
            engine,
            UPDATE,
            "keys/generate/exported",
            {"key_type": "ec", "key_bits": 384, "key_name": "next-key"},
        )
    )
    assert set(generated) == {"key_id", "key_name", "key_type", "private_key"}
    assert generated["key_type"] == "ec"
    read = ok(call(engine, READ, "key/next-key"))
    assert read["key_id"] == generated["key_id"]
    assert len(read["subject_key_id"].split(":")) == 20
    assert "private_key" not in read
    assert call(engine, UPDATE, "keys/generate/internal", {"key_name": "next-key"}).errors == [
        "key name already in use"
    ]
    rotated = ok(
        call(
            engine,
            UPDATE,
            "root/rotate/existing",
            {"common_name": "Next Root", "key_ref": "next-key", "issuer_name": "next"},
        )
    )
    assert rotated["key_id"] == generated["key_id"]
    # the new root does not take over until root/replace says so
    assert ok(call(engine, READ, "config/issuers"))["default"] == first["issuer_id"]
    ok(call(engine, UPDATE, "root/replace", {"default": "next"}))
    assert ok(call(engine, READ, "config/issuers"))["default"] == rotated["issuer_id"]
    in_use = call(engine, DELETE, "key/next-key")
    assert (in_use.status, in_use.errors) == (
        400,
        [f"Failed to Delete Key.  Key in Use by Issuer: {rotated['issuer_id']}"],
    )
    renamed = ok(call(engine, UPDATE, f"key/{generated['key_id']}", {"key_name": "renamed"}))
    assert renamed["key_name"] == "renamed"
    spare = ok(call(engine, UPDATE, "keys/import", {"pem_bundle": generated["private_key"]}))
    assert spare["key_id"] != generated["key_id"]
    assert call(engine, DELETE, f"key/{spare['key_id']}").status == 204
    assert call(engine, READ, f"key/{spare['key_id']}").status == 400
    assert call(engine, UPDATE, "keys/import", {"pem_bundle": "nope"}).status == 400


def test_sign_self_issued_cross_signs_another_root() -> None:
    engine, other = make_pki(), make_pki()
    ours = with_root(engine)
    theirs = with_root(other)
    crossed = ok(
        call(engine, UPDATE, "root/sign-self-issued", {"certificate": theirs["certificate"]})
    )
    original, cross = load(theirs["certificate"]), load(crossed["certificate"])
    assert cross.subject == original.subject
    assert cross.public_key() == original.public_key()
    assert cross.serial_number == original.serial_number
    assert cross.issuer == load(ours["certificate"]).subject
    cross.verify_directly_issued_by(load(ours["certificate"]))
    assert crossed["issuing_ca"] == ours["certificate"]
    with_role(other)
    leaf = ok(call(other, UPDATE, "issue/web", {"common_name": "a.example.com"}))
    refused = call(engine, UPDATE, "root/sign-self-issued", {"certificate": leaf["certificate"]})
    assert (refused.status, refused.errors) == (400, ["given certificate is not self-issued"])
    assert call(engine, UPDATE, "root/sign-self-issued", {"certificate": "x"}).status == 400
