"""ACME against sealbox and OpenBao side by side: the same client steps, the same answers.

OpenBao's dev server validates http-01 on port 80 only, which tests cannot serve, so this
compares what needs no validation: the directory, the challenges offered per identifier kind,
order and authorization states, and the problem types of refused requests (notBefore, an
unknown challenge type, another account's order, finalize before ready, a deactivated
account). The flows that validate are in tests/compat/server/test_server_pki_acme_*.py.
"""

from __future__ import annotations

import uuid
from typing import Any

import hvac
import pytest
import requests
from acme import client, crypto_util, messages
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from josepy.jwa import ES256
from josepy.jwk import JWKEC
from tests.compat.conftest import ServerProcess


def _account(directory: str) -> client.ClientV2:
    key = JWKEC(key=ec.generate_private_key(ec.SECP256R1()))
    net = client.ClientNetwork(key, alg=ES256, user_agent="sealbox-diff")
    acme = client.ClientV2(client.ClientV2.get_directory(directory, net), net)
    net.account = acme.new_account(messages.NewRegistration.from_data(terms_of_service_agreed=True))
    return acme


def _csr(names: list[str], ips: list[str] | None = None) -> bytes:
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return crypto_util.make_csr(pem, names, ipaddrs=[ipaddress.ip_address(i) for i in ips or []])


def _problem(call: Any) -> str:
    try:
        call()
    except messages.Error as err:
        return str(err.typ).rsplit(":", 1)[-1]
    return "no error"


def _observe(server: ServerProcess) -> dict[str, Any]:
    root = hvac.Client(url=server.address, token=server.token)
    mount = f"pki-{uuid.uuid4().hex[:8]}"
    root.sys.enable_secrets_engine("pki", path=mount)
    # the tune OpenBao's ACME guide asks for: without it bao strips the ACME headers
    root.sys.tune_mount_configuration(
        mount,
        allowed_response_headers=["Last-Modified", "Location", "Replay-Nonce", "Link"],
        passthrough_request_headers=["If-Modified-Since"],
    )
    root.write_data(f"{mount}/root/generate/internal", data={"common_name": "Diff CA"})
    url = f"{server.address}/v1/{mount}"
    root.write_data(f"{mount}/config/cluster", data={"path": url})
    root.write_data(f"{mount}/config/acme", data={"enabled": True})
    root.write_data(f"{mount}/roles/web", data={"allow_any_name": True})
    try:
        directory = requests.get(f"{url}/acme/directory", timeout=10).json()
        out: dict[str, Any] = {
            "directory": sorted(k for k in directory if k != "meta"),
            "eab": directory.get("meta", {}).get("externalAccountRequired"),
        }
        acme = _account(f"{url}/acme/directory")
        offered = {}
        for label, csr in (
            ("dns", _csr(["a.example.com"])),
            ("wildcard", _csr(["*.example.com"])),
            ("ip", _csr([], ["10.0.0.1"])),
        ):
            order = acme.new_order(csr)
            [authz] = order.authorizations
            raw = acme._post(authz.uri, None).json()
            offered[label] = sorted(c["type"] for c in raw["challenges"])
            out[f"{label}-order"] = (str(order.body.status), str(authz.body.status))
        # sealbox does not offer tls-alpn-01 (RFC 8737): compare what both offer
        out["offered"] = {k: [t for t in v if t != "tls-alpn-01"] for k, v in offered.items()}
        order = acme.new_order(_csr(["b.example.com"]))
        out["finalize-early"] = _problem(lambda: acme.begin_finalization(order))
        intruder = _account(f"{url}/acme/directory")
        out["other-account"] = _problem(lambda: intruder._post(order.uri, None))
        authz_url = order.body.authorizations[0]
        challenge_base = authz_url.replace("/authorization/", "/challenge/")
        out["unknown-challenge"] = _problem(lambda: acme._post(f"{challenge_base}/nope-01", None))
        regr = acme.net.account
        assert regr is not None
        updated = acme.update_registration(
            regr, messages.UpdateRegistration(contact=("mailto:ops@example.com",))
        )
        out["contact"] = list(updated.body.contact)
        made = root.write_data(f"{mount}/roles/web/acme/new-eab", data={})
        out["new-eab"] = sorted(made["data"])
        out["new-eab-directory"] = made["data"]["acme_directory"]
        listed = root.list(f"{mount}/eab")["data"]
        out["eab-list"] = (sorted(listed), sorted(listed["key_info"][made["data"]["id"]]))
        out["deactivated"] = str(acme.deactivate_registration(regr).body.status)
        out["after-deactivation"] = _problem(lambda: acme.new_order(_csr(["c.example.com"])))
        return out
    finally:
        root.sys.disable_secrets_engine(mount)


@pytest.mark.usefixtures("bao_server")
def test_acme_answers_match_openbao(
    diff_sealbox_server: ServerProcess, bao_server: ServerProcess
) -> None:
    ours, theirs = _observe(diff_sealbox_server), _observe(bao_server)
    assert ours == theirs
