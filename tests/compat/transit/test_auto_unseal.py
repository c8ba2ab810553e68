"""Auto-unseal with real servers: B's root key is wrapped by A's Transit key.

A is a sealbox server (SQLite, Shamir 1/1) with a transit key and a token limited to that
key; B is a second sealbox server whose config has ``seal "transit" {...}`` pointing at A. B
is initialised with recovery keys, restarts and comes up unsealed by itself; while A is down,
or the key is gone, B stays sealed, logs why and retries, and unseals once A (or the key) is
back. Recovery keys authorise generate-root on B.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from tests.compat.conftest import InitializedServer
from tests.compat.transit.seal_servers import ConfigServer, wait_for

pytestmark = [pytest.mark.compat, pytest.mark.slow]

KEY = "autounseal"
MOUNT = "transit"
POLICY = f"""
path "{MOUNT}/encrypt/{KEY}" {{ capabilities = ["update"] }}
path "{MOUNT}/decrypt/{KEY}" {{ capabilities = ["update"] }}
"""


class Provider:
    """Server A: the Transit provider, restartable (its Shamir key is kept to unseal it)."""

    def __init__(self, workdir: Path) -> None:
        self.server = ConfigServer(workdir)
        self.server.start()
        init = self.server.call("PUT", "sys/init", secret_shares=1, secret_threshold=1).json()
        self.unseal_key, self.root = init["keys"][0], init["root_token"]
        self.unseal()
        self.call("POST", f"sys/mounts/{MOUNT}", type="transit")
        self.call("POST", f"{MOUNT}/keys/{KEY}", exportable=True, allow_plaintext_backup=True)
        self.call("PUT", "sys/policies/acl/autounseal", policy=POLICY)
        token = self.call("POST", "auth/token/create", policies=["autounseal"], no_parent=True)
        self.seal_token = token.json()["auth"]["client_token"]

    def call(self, method: str, path: str, **body: object) -> requests.Response:
        answer = self.server.call(method, path, self.root, **body)
        assert answer.status_code < 300, (path, answer.text)
        return answer

    def unseal(self) -> None:
        self.server.call("PUT", "sys/unseal", key=self.unseal_key).raise_for_status()

    def seal_block(self) -> str:
        return (
            f'seal "transit" {{\n  address = "{self.server.address}"\n'
            f'  key_name = "{KEY}"\n  mount_path = "{MOUNT}/"\n}}\n'
        )


@pytest.fixture
def provider(tmp_path: Path) -> Iterator[Provider]:
    workdir = tmp_path / "a"
    workdir.mkdir()
    a = Provider(workdir)
    yield a
    a.server.stop()


def _consumer(tmp_path: Path, provider: Provider) -> ConfigServer:
    workdir = tmp_path / "b"
    workdir.mkdir()
    # The token reaches B through its environment, not its config file or arguments.
    b = ConfigServer(workdir, provider.seal_block(), env={"VAULT_TOKEN": provider.seal_token})
    b.start()
    return b


def _init_consumer(b: ConfigServer) -> dict[str, object]:
    answer = b.call("PUT", "sys/init", recovery_shares=3, recovery_threshold=2)
    assert answer.status_code == 200, answer.text
    init: dict[str, object] = answer.json()
    return init


def test_consumer_unseals_itself_after_restart(tmp_path: Path, provider: Provider) -> None:
    b = _consumer(tmp_path, provider)
    try:
        before = b.status()
        assert (before["type"], before["initialized"], before["recovery_seal"]) == (
            "transit",
            False,
            True,
        )
        init = _init_consumer(b)
        assert init["keys"] == []
        assert isinstance(init["recovery_keys_base64"], list)
        assert len(init["recovery_keys_base64"]) == 3
        root = str(init["root_token"])
        status = b.status()
        assert status["sealed"] is False
        assert (status["type"], status["t"], status["n"]) == ("transit", 2, 3)
        assert status["recovery_seal"] is True
        assert status["recovery_seal_type"] == "shamir"
        assert b.call("POST", "sys/mounts/kv", root, type="kv").status_code == 204
        assert b.call("POST", "kv/app", root, password="s3cret").status_code == 204
        b.restart()
        wait_for(lambda: b.status()["sealed"] is False, "B to unseal itself")
        assert b.call("GET", "kv/app", root).json()["data"] == {"password": "s3cret"}
        assert "unsealed with the transit seal" in b.log()
        assert provider.seal_token not in b.log()
        # Unseal keys are not a thing on an auto-unsealed server.
        b.call("PUT", "sys/seal", root).raise_for_status()
        refused = b.call(
            "PUT", "sys/unseal", key=base64.b64encode(secrets.token_bytes(33)).decode()
        )
        assert refused.status_code == 400
        assert "unseals itself" in refused.json()["errors"][0]
    finally:
        b.stop()


def test_consumer_waits_for_an_unreachable_provider(tmp_path: Path, provider: Provider) -> None:
    b = _consumer(tmp_path, provider)
    try:
        init = _init_consumer(b)
        root = str(init["root_token"])
        b.stop()
        provider.server.stop()
        b.start()
        wait_for(lambda: "auto-unseal with the transit seal failed" in b.log(), "a failure log")
        assert b.status()["sealed"] is True
        assert "unreachable" in b.log()
        assert b.call("GET", "sys/mounts", root).status_code == 503
        provider.server.start()
        provider.unseal()
        wait_for(lambda: b.status()["sealed"] is False, "B to unseal once A is back")
    finally:
        b.stop()


def test_consumer_waits_while_the_key_is_gone(tmp_path: Path, provider: Provider) -> None:
    b = _consumer(tmp_path, provider)
    try:
        _init_consumer(b)
        backup = provider.server.call("GET", f"{MOUNT}/backup/{KEY}", provider.root).json()
        provider.call("POST", f"{MOUNT}/keys/{KEY}/config", deletion_allowed=True)
        provider.call("DELETE", f"{MOUNT}/keys/{KEY}")
        b.restart()
        wait_for(lambda: "encryption key not found" in b.log(), "the refusal in B's log")
        assert b.status()["sealed"] is True
        provider.call("POST", f"{MOUNT}/restore/{KEY}", backup=backup["data"]["backup"])
        wait_for(lambda: b.status()["sealed"] is False, "B to unseal once the key is back")
    finally:
        b.stop()


def test_recovery_keys_generate_a_root_token(tmp_path: Path, provider: Provider) -> None:
    b = _consumer(tmp_path, provider)
    try:
        init = _init_consumer(b)
        recovery = init["recovery_keys_base64"]
        assert isinstance(recovery, list)
        otp = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(28))
        attempt = b.call("PUT", "sys/generate-root/attempt", otp=otp).json()
        assert attempt["required"] == 2
        nonce = attempt["nonce"]
        b.call("PUT", "sys/generate-root/update", key=recovery[0], nonce=nonce).raise_for_status()
        done = b.call("PUT", "sys/generate-root/update", key=recovery[2], nonce=nonce).json()
        assert done["complete"] is True
        encoded = base64.b64decode(done["encoded_token"] + "==")
        token = bytes(a ^ b for a, b in zip(encoded, otp.encode(), strict=True)).decode()
        lookup = b.call("GET", "auth/token/lookup-self", token)
        assert lookup.json()["data"]["policies"] == ["root"]
        # Wrong recovery shares are refused.
        attempt = b.call("PUT", "sys/generate-root/attempt", otp=otp).json()
        b.call("PUT", "sys/generate-root/update", key=recovery[0], nonce=attempt["nonce"])
        wrong = base64.b64encode(secrets.token_bytes(32) + b"\x07").decode()
        refused = b.call("PUT", "sys/generate-root/update", key=wrong, nonce=attempt["nonce"])
        assert refused.status_code == 400
    finally:
        b.stop()


@pytest.mark.parametrize("trust", ["tls_ca_cert", "tls_skip_verify", "untrusted"])
def test_transit_seal_over_tls(
    tmp_path: Path, sealbox_tls_server: InitializedServer, trust: str
) -> None:
    """The provider listens on TLS: B trusts it through its CA file, or skips verification;
    with neither, B cannot even initialise (and nothing is written)."""
    ca = sealbox_tls_server.ca_cert
    assert ca is not None
    mount = f"tls-{secrets.token_hex(4)}"
    headers = {"X-Vault-Token": sealbox_tls_server.token}
    base = f"{sealbox_tls_server.address}/v1"
    for path, body in ((f"sys/mounts/{mount}", {"type": "transit"}), (f"{mount}/keys/{KEY}", {})):
        requests.post(f"{base}/{path}", json=body, headers=headers, verify=ca, timeout=30)
    setting = {
        "tls_ca_cert": f'tls_ca_cert = "{ca}"',
        "tls_skip_verify": "tls_skip_verify = true",
        "untrusted": "",
    }[trust]
    block = (
        f'seal "transit" {{\n  address = "{sealbox_tls_server.address}"\n  key_name = "{KEY}"\n'
        f'  mount_path = "{mount}"\n  {setting}\n}}\n'
    )
    workdir = tmp_path / "b"
    workdir.mkdir()
    b = ConfigServer(workdir, block, env={"VAULT_TOKEN": sealbox_tls_server.token})
    b.start()
    try:
        if trust == "untrusted":
            refused = b.call("PUT", "sys/init", recovery_shares=1, recovery_threshold=1)
            assert refused.status_code == 503
            assert "unreachable" in refused.json()["errors"][0]
            assert b.status()["initialized"] is False
            return
        _init_consumer(b)
        b.restart()
        wait_for(lambda: b.status()["sealed"] is False, "B to unseal over TLS")
    finally:
        b.stop()


def test_the_seal_token_is_renewed_while_the_server_runs(
    tmp_path: Path, provider: Provider
) -> None:
    own = provider.server.call("GET", "auth/token/lookup-self", provider.seal_token).json()
    accessor = own["data"]["accessor"]

    def renewed() -> bool:
        answer = provider.call("POST", "auth/token/lookup-accessor", accessor=accessor)
        return bool(answer.json()["data"].get("last_renewal_time"))

    assert not renewed()
    b = _consumer(tmp_path, provider)
    try:
        # Wait for B's word first: polling A while the renewal is written can race A's token
        # cache (reported to the core), so A is asked once, afterwards.
        wait_for(lambda: "renewed the transit seal's credentials" in b.log(), "B's renewal")
        assert renewed()
    finally:
        b.stop()


def test_rekey_with_recovery_keys_replaces_them(tmp_path: Path, provider: Provider) -> None:
    b = _consumer(tmp_path, provider)
    try:
        init = _init_consumer(b)
        old = init["recovery_keys_base64"]
        assert isinstance(old, list)
        start = b.call("PUT", "sys/rekey/init", secret_shares=4, secret_threshold=3).json()
        assert start["required"] == 2
        b.call("PUT", "sys/rekey/update", key=old[0], nonce=start["nonce"]).raise_for_status()
        done = b.call("PUT", "sys/rekey/update", key=old[1], nonce=start["nonce"]).json()
        assert done["complete"] is True
        assert len(done["keys_base64"]) == 4
        status = b.status()
        assert (status["t"], status["n"], status["sealed"]) == (3, 4, False)
        attempt = b.call("PUT", "sys/rekey/init", secret_shares=1, secret_threshold=1).json()
        # The old recovery keys no longer make a quorum (now three are needed).
        for key in old[:2]:
            b.call("PUT", "sys/rekey/update", key=key, nonce=attempt["nonce"]).raise_for_status()
        stale = b.call("PUT", "sys/rekey/update", key=old[2], nonce=attempt["nonce"])
        assert stale.status_code == 400
        assert "invalid recovery key" in stale.json()["errors"][0]
        b.restart()
        wait_for(lambda: b.status()["sealed"] is False, "B to unseal itself after the rekey")
    finally:
        b.stop()
