"""PKI revocation: revoke, CRL contents and signature, the OCSP responder, tidy."""

from __future__ import annotations

import asyncio
import base64

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from tests.unit.engines.harness import FakeClock, call
from tests.unit.engines.pki_helpers import (
    LIST,
    READ,
    UPDATE,
    load,
    make_pki,
    ok,
    with_role,
    with_root,
)

from sealbox.engines.pki import PKIEngine
from sealbox.logical import Document, Operation, Request


def _document(engine: PKIEngine, path: str, data: dict[str, str] | None = None) -> Document:
    op = Operation.UPDATE if data is not None else Operation.READ
    req = Request(operation=op, path=path, data=data or {}, storage=engine.config.storage)
    resp = asyncio.run(engine.handle(req))
    assert resp is not None
    assert resp.document is not None
    return resp.document


def _raw(engine: PKIEngine, path: str, data: dict[str, str] | None = None) -> tuple[bytes, str]:
    document = _document(engine, path, data)
    return document.content, document.media_type


# compat: bao server -dev answers malformedRequest with 400 and unauthorized with 401
_OCSP_FAILURE_STATUS = {
    ocsp.OCSPResponseStatus.SUCCESSFUL: 0,
    ocsp.OCSPResponseStatus.MALFORMED_REQUEST: 400,
    ocsp.OCSPResponseStatus.UNAUTHORIZED: 401,
}


def _ocsp_request(cert: x509.Certificate, issuer: x509.Certificate) -> bytes:
    request = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA1()).build()  # noqa: S303
    return request.public_bytes(serialization.Encoding.DER)


def _ocsp_post(engine: PKIEngine, der: bytes) -> ocsp.OCSPResponse:
    document = _document(engine, "ocsp", {"ocsp_request": base64.b64encode(der).decode()})
    assert document.media_type == "application/ocsp-response"
    answer = ocsp.load_der_ocsp_response(document.content)
    assert document.status == _OCSP_FAILURE_STATUS[answer.response_status]
    return answer


def test_revoke_then_crl_and_ocsp_report_it() -> None:
    clock = FakeClock()
    engine = make_pki(clock)
    root = with_root(engine)
    with_role(engine)
    issued = ok(call(engine, UPDATE, "issue/web", {"common_name": "a.example.com"}))
    kept = ok(call(engine, UPDATE, "issue/web", {"common_name": "b.example.com"}))
    ca, leaf = load(root["certificate"]), load(issued["certificate"])

    answer = _ocsp_post(engine, _ocsp_request(leaf, ca))
    assert answer.response_status is ocsp.OCSPResponseStatus.SUCCESSFUL
    assert answer.certificate_status is ocsp.OCSPCertStatus.GOOD
    assert answer.serial_number == leaf.serial_number

    clock.advance(60)
    revoked = ok(call(engine, UPDATE, "revoke", {"serial_number": issued["serial_number"]}))
    assert revoked["state"] == "revoked"
    assert revoked["revocation_time"] == int(clock.now.timestamp())
    again = ok(call(engine, UPDATE, "revoke", {"serial_number": issued["serial_number"].upper()}))
    assert again == revoked

    der, content_type = _raw(engine, "crl")
    assert content_type == "application/pkix-crl"
    crl = x509.load_der_x509_crl(der)
    assert crl.is_signature_valid(ca.public_key())  # type: ignore[arg-type]
    assert [r.serial_number for r in crl] == [leaf.serial_number]
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 1
    assert (crl.next_update_utc - crl.last_update_utc).total_seconds() == 72 * 3600  # type: ignore[operator]

    answer = _ocsp_post(engine, _ocsp_request(leaf, ca))
    assert answer.certificate_status is ocsp.OCSPCertStatus.REVOKED
    assert answer.revocation_time_utc == clock.now.replace(microsecond=0)
    good = _ocsp_post(engine, _ocsp_request(load(kept["certificate"]), ca))
    assert good.certificate_status is ocsp.OCSPCertStatus.GOOD
    # GET form: base64 of the DER in the path
    b64 = base64.b64encode(_ocsp_request(leaf, ca)).decode()
    body, _ = _raw(engine, f"ocsp/{b64}")
    assert ocsp.load_der_ocsp_response(body).certificate_status is ocsp.OCSPCertStatus.REVOKED
    listed = ok(call(engine, LIST, "certs/revoked/"))["keys"]
    assert listed == [issued["serial_number"]]


def test_revoke_bad_input() -> None:
    engine = make_pki()
    root = with_root(engine)
    assert call(engine, UPDATE, "revoke", {}).errors == [
        "The serial number or certificate to revoke must be provided."
    ]
    assert call(engine, UPDATE, "revoke", {"serial_number": "aa:bb"}).errors == [
        "certificate with serial aa:bb not found."
    ]
    issuer = call(engine, UPDATE, "revoke", {"serial_number": root["serial_number"]})
    assert issuer.errors == [
        f"adding issuer (id: {root['issuer_id']}) to its own CRL is not allowed"
    ]
    assert ok(call(engine, LIST, "certs/revoked/")) == {"keys": []}


def test_ocsp_unknown_issuer_malformed_and_unknown_serial() -> None:
    engine = make_pki()
    root = with_root(engine)
    other = make_pki()
    other_root = with_root(other)
    with_role(other)
    foreign = load(
        ok(call(other, UPDATE, "issue/web", {"common_name": "a.example.com"}))["certificate"]
    )
    answer = _ocsp_post(engine, _ocsp_request(foreign, load(other_root["certificate"])))
    assert answer.response_status is ocsp.OCSPResponseStatus.UNAUTHORIZED
    answer = _ocsp_post(engine, b"\x30\x03garbage")
    assert answer.response_status is ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    # a certificate with this issuer's name and key but a serial the mount never stored
    request = (
        ocsp.OCSPRequestBuilder()
        .add_certificate_by_hash(
            *_hashes(load(root["certificate"])),
            12345,
            hashes.SHA1(),  # noqa: S303
        )
        .build()
    )
    answer = _ocsp_post(engine, request.public_bytes(serialization.Encoding.DER))
    assert answer.certificate_status is ocsp.OCSPCertStatus.UNKNOWN


def _hashes(cert: x509.Certificate) -> tuple[bytes, bytes]:
    import hashlib

    from cryptography.hazmat.primitives.asymmetric import ec

    key = cert.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    point = key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    name_hash = hashlib.sha1(cert.subject.public_bytes()).digest()  # noqa: S324 - CertID
    return name_hash, hashlib.sha1(point).digest()  # noqa: S324 - CertID


def test_crl_and_ca_endpoints_raw_bodies() -> None:
    engine = make_pki()
    root = with_root(engine)
    der, kind = _raw(engine, "ca")
    assert kind == "application/pkix-cert"
    assert x509.load_der_x509_certificate(der) == load(root["certificate"])
    pem, kind = _raw(engine, "ca/pem")
    assert kind == "application/pem-certificate-chain"
    assert pem.decode().strip() == root["certificate"]
    pem, kind = _raw(engine, "crl/pem")
    assert kind == "application/x-pem-file"
    assert x509.load_pem_x509_crl(pem).issuer == load(root["certificate"]).subject
    assert ok(call(engine, READ, "cert/ca"))["certificate"] == root["certificate"]
    assert ok(call(engine, READ, "crl/rotate")) == {"success": True}
    numbers = x509.load_pem_x509_crl(ok(call(engine, READ, "cert/crl"))["certificate"].encode())
    assert numbers.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 2


def test_tidy_removes_expired_after_safety_buffer() -> None:
    clock = FakeClock()
    engine = make_pki(clock)
    root = with_root(engine)
    with_role(engine)
    short = ok(call(engine, UPDATE, "issue/web", {"common_name": "a.example.com", "ttl": "1h"}))
    long = ok(call(engine, UPDATE, "issue/web", {"common_name": "b.example.com", "ttl": "100h"}))
    ok(call(engine, UPDATE, "revoke", {"serial_number": short["serial_number"]}))
    clock.advance(2 * 3600)
    body = {"tidy_cert_store": True, "tidy_revoked_certs": True, "safety_buffer": "2h"}
    tidy = Request(operation=UPDATE, path="tidy", data=body, storage=engine.config.storage)
    answer = asyncio.run(engine.handle(tidy))
    assert answer is not None
    assert answer.accepted  # the Vault door answers 202
    assert answer.data is None
    assert answer.warnings[0].startswith("Tidy operation successfully started.")
    # expired only one hour ago: inside the two-hour buffer, kept
    assert short["serial_number"] in ok(call(engine, LIST, "certs/"))["keys"]
    clock.advance(2 * 3600)
    call(
        engine,
        UPDATE,
        "tidy",
        {"tidy_cert_store": True, "tidy_revoked_certs": True, "safety_buffer": "2h"},
    )
    keys = ok(call(engine, LIST, "certs/"))["keys"]
    assert sorted(keys) == sorted([root["serial_number"], long["serial_number"]])
    assert call(engine, LIST, "certs/revoked/").data == {"keys": []}
    crl = x509.load_pem_x509_crl(ok(call(engine, READ, "cert/crl"))["certificate"].encode())
    assert list(crl) == []
    status = ok(call(engine, READ, "tidy-status"))
    assert status["state"] == "Finished"
    assert status["cert_store_deleted_count"] == 1
    assert status["revoked_cert_deleted_count"] == 1
    assert status["current_cert_store_count"] == 2
    assert call(engine, UPDATE, "tidy", {}).status == 400


def test_config_defaults_and_validation() -> None:
    engine = make_pki()
    assert ok(call(engine, READ, "config/urls")) == {
        "issuing_certificates": [],
        "crl_distribution_points": [],
        "ocsp_servers": [],
        "delta_crl_distribution_points": [],
        "enable_templating": False,
    }
    crl = ok(call(engine, READ, "config/crl"))
    assert crl["expiry"] == "72h"
    assert crl["ocsp_expiry"] == "12h"
    assert crl["disable"] is False
    bad = call(engine, UPDATE, "config/urls", {"issuing_certificates": "not a url"})
    assert bad.status == 400
    assert call(engine, UPDATE, "config/crl", {"expiry": "soon"}).status == 400
    ok(call(engine, UPDATE, "config/crl", {"expiry": "1h"}))
    root = with_root(engine)
    crl_obj = x509.load_pem_x509_crl(ok(call(engine, READ, "cert/crl"))["certificate"].encode())
    assert (crl_obj.next_update_utc - crl_obj.last_update_utc).total_seconds() == 3600  # type: ignore[operator]
    assert crl_obj.is_signature_valid(load(root["certificate"]).public_key())  # type: ignore[arg-type]


def test_auto_tidy_runs_from_periodic_when_due() -> None:
    clock = FakeClock()
    engine = make_pki(clock)
    root = with_root(engine)
    with_role(engine)
    short = ok(call(engine, UPDATE, "issue/web", {"common_name": "a.example.com", "ttl": "1h"}))
    refused = call(engine, UPDATE, "config/auto-tidy", {"enabled": True})
    assert refused.status == 400
    config = ok(
        call(
            engine,
            UPDATE,
            "config/auto-tidy",
            {
                "enabled": True,
                "tidy_cert_store": True,
                "safety_buffer": "1h",
                "interval_duration": "6h",
            },
        )
    )
    assert config["interval_duration"] == 6 * 3600
    assert engine.periodic_interval > 0
    clock.advance(3 * 3600)
    asyncio.run(engine.periodic())
    assert ok(call(engine, LIST, "certs/"))["keys"] == [root["serial_number"]]
    assert ok(call(engine, READ, "tidy-status"))["cert_store_deleted_count"] == 1
    # not due again for six hours: a new expired certificate stays until then
    again = ok(call(engine, UPDATE, "issue/web", {"common_name": "b.example.com", "ttl": "1h"}))
    clock.advance(3 * 3600)
    asyncio.run(engine.periodic())
    assert again["serial_number"] in ok(call(engine, LIST, "certs/"))["keys"]
    clock.advance(3 * 3600 + 1)
    asyncio.run(engine.periodic())
    assert again["serial_number"] not in ok(call(engine, LIST, "certs/"))["keys"]
    assert short["serial_number"] not in ok(call(engine, LIST, "certs/"))["keys"]


def test_no_store_wins_over_generate_lease_and_a_vanished_lease_ends_quietly() -> None:
    from sealbox.logical import Secret

    engine = make_pki()
    with_root(engine)
    written = call(
        engine,
        UPDATE,
        "roles/web",
        {"allow_any_name": True, "no_store": True, "generate_lease": True},
    )
    assert written.data["generate_lease"] is False
    assert written.warnings[0].startswith("mutually exclusive values no_store=true")
    outcome = call(engine, UPDATE, "issue/web", {"common_name": "a.example.com"})
    assert outcome.lease_duration is None
    # a lease whose certificate the mount no longer holds: nothing to do, no error
    secret = Secret(internal_data={"serial_number": outcome.data["serial_number"]})
    req = Request(operation=Operation.UPDATE, path="", storage=engine.config.storage)
    asyncio.run(engine.revoke_lease(req, secret))
    assert ok(call(engine, LIST, "certs/revoked/"))["keys"] == []


def test_expired_certificate_is_left_off_the_crl_unless_allowed() -> None:
    clock = FakeClock()
    engine = make_pki(clock)
    with_root(engine)
    with_role(engine)
    old = ok(call(engine, UPDATE, "issue/web", {"common_name": "a.example.com", "ttl": "1h"}))
    clock.advance(2 * 3600)
    refused = call(engine, UPDATE, "revoke", {"serial_number": old["serial_number"]})
    assert refused.status == 200
    assert refused.data is None
    assert refused.warnings == [
        f"certificate with serial {old['serial_number']} already expired; refusing to add to "
        "CRL. Enable 'AllowExpiredCertRevocation' to allow revoking expired certificates."
    ]
    assert ok(call(engine, LIST, "certs/revoked/"))["keys"] == []
    ok(call(engine, UPDATE, "config/crl", {"allow_expired_cert_revocation": True}))
    revoked = ok(call(engine, UPDATE, "revoke", {"serial_number": old["serial_number"]}))
    assert revoked["state"] == "revoked"


def test_revoke_by_certificate_pem_and_read_by_dashed_serial() -> None:
    engine = make_pki()
    with_root(engine)
    with_role(engine)
    issued = ok(call(engine, UPDATE, "issue/web", {"common_name": "a.example.com"}))
    revoked = ok(call(engine, UPDATE, "revoke", {"certificate": issued["certificate"]}))
    assert revoked["state"] == "revoked"
    dashed = issued["serial_number"].replace(":", "-").upper()
    read = ok(call(engine, READ, f"cert/{dashed}"))
    assert read["revocation_time"] == revoked["revocation_time"]
    assert read["certificate"] == issued["certificate"]
    bad = call(engine, UPDATE, "revoke", {"certificate": "not a certificate"})
    assert (bad.status, bad.errors) == (400, ["certificate could not be parsed"])


def test_cert_raw_fetches() -> None:
    engine = make_pki()
    assert call(engine, READ, "cert/ca/raw").status == 204
    root = with_root(engine)
    with_role(engine)
    issued = ok(call(engine, UPDATE, "issue/web", {"common_name": "a.example.com"}))
    der, kind = _raw(engine, f"cert/{issued['serial_number']}/raw")
    assert kind == "application/pkix-cert"
    assert x509.load_der_x509_certificate(der) == load(issued["certificate"])
    pem, kind = _raw(engine, "cert/ca/raw/pem")
    assert kind == "application/pem-certificate-chain"
    assert x509.load_pem_x509_certificate(pem) == load(root["certificate"])
    assert call(engine, READ, "cert/aa:bb/raw").status == 404


def test_revoke_issuer_goes_on_parent_crl_and_stops_issuing() -> None:
    engine = make_pki()
    root = with_root(engine, issuer_name="root")
    csr = ok(call(engine, UPDATE, "intermediate/generate/internal", {"common_name": "Int"}))
    signed = ok(
        call(
            engine,
            UPDATE,
            "root/sign-intermediate",
            {"csr": csr["csr"], "common_name": "Int", "ttl": "8000h"},
        )
    )
    imported = ok(
        call(engine, UPDATE, "intermediate/set-signed", {"certificate": signed["certificate"]})
    )
    inter_id = imported["imported_issuers"][0]
    with_role(engine, issuer_ref=inter_id)
    ok(call(engine, UPDATE, "issue/web", {"common_name": "a.example.com"}))
    revoked = call(engine, UPDATE, f"issuer/{inter_id}/revoke", {})
    assert revoked.status == 200
    assert revoked.data["revoked"] is True
    assert revoked.data["usage"] == "crl-signing,ocsp-signing,read-only"
    assert revoked.data["revocation_time"] > 0
    assert revoked.warnings == []
    refused = call(engine, UPDATE, "issue/web", {"common_name": "b.example.com"})
    assert refused.status == 400
    assert refused.errors == [
        f"error while attempting to use issuer {inter_id}: requested usage issuing-certificates "
        f"for issuer [id:{inter_id}] but only had usage crl-signing,ocsp-signing,read-only"
    ]
    crl = x509.load_pem_x509_crl(ok(call(engine, READ, "cert/crl"))["certificate"].encode())
    assert [r.serial_number for r in crl] == [load(signed["certificate"]).serial_number]
    answer = _ocsp_post(
        engine, _ocsp_request(load(signed["certificate"]), load(root["certificate"]))
    )
    assert answer.certificate_status is ocsp.OCSPCertStatus.REVOKED
    again = call(engine, UPDATE, f"issuer/{inter_id}/revoke", {})
    assert again.data["revocation_time"] == revoked.data["revocation_time"]
    self_signed = call(engine, UPDATE, "issuer/root/revoke", {})
    assert len(self_signed.warnings) == 3
    assert self_signed.warnings[0].startswith("This issuer is a self-signed")


def test_crl_disable_ocsp_disable_and_nonce() -> None:
    import os

    engine = make_pki()
    root = with_root(engine)
    with_role(engine)
    issued = ok(call(engine, UPDATE, "issue/web", {"common_name": "a.example.com"}))
    ok(call(engine, UPDATE, "revoke", {"serial_number": issued["serial_number"]}))
    leaf, ca = load(issued["certificate"]), load(root["certificate"])
    nonce = os.urandom(16)
    request = (
        ocsp.OCSPRequestBuilder()
        .add_certificate(leaf, ca, hashes.SHA1())  # noqa: S303 - RFC 6960 CertID
        .add_extension(x509.OCSPNonce(nonce), critical=False)
        .build()
    )
    answer = _ocsp_post(engine, request.public_bytes(serialization.Encoding.DER))
    assert answer.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce == nonce
    assert answer.certificate_status is ocsp.OCSPCertStatus.REVOKED
    ok(call(engine, UPDATE, "config/crl", {"disable": True, "ocsp_disable": True}))
    ok(call(engine, READ, "crl/rotate"))
    crl = x509.load_pem_x509_crl(ok(call(engine, READ, "cert/crl"))["certificate"].encode())
    assert list(crl) == []
    assert crl.is_signature_valid(ca.public_key())  # type: ignore[arg-type]
    off = _ocsp_post(engine, _ocsp_request(leaf, ca))
    assert off.response_status is ocsp.OCSPResponseStatus.UNAUTHORIZED
