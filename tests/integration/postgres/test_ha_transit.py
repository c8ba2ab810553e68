"""Transit on performance standbys: encrypt, decrypt, sign and HMAC answered by the standby.

Real sealbox processes on one PostgreSQL. While the active is frozen (SIGSTOP), a standby
still encrypts and decrypts, so it answered itself; a key rotated on the active is used by the
standby at once (its parsed key follows the active's change); an encrypt that would create a
key, and anything else that writes, goes to the active.
"""

from __future__ import annotations

import base64
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from tests.integration.postgres.cluster import Cluster, start_cluster

pytestmark = pytest.mark.slow

_PLAINTEXT = base64.b64encode(b"card=4111111111111111").decode()


@pytest.fixture
def cluster(tmp_path: Path, pg_url: str) -> Iterator[Cluster]:
    """Two nodes, transit at transit/ with key ``app`` (created on the active)."""
    running = start_cluster(tmp_path, pg_url, 2)
    try:
        active = running.nodes[running.wait_active()].address
        for node in running.nodes:
            running.wait_health(node, {200, 473})
        root = {"X-Vault-Token": running.token}
        for path, body in (("sys/mounts/transit", {"type": "transit"}), ("transit/keys/app", {})):
            requests.post(
                f"{active}/v1/{path}", json=body, headers=root, timeout=30
            ).raise_for_status()
        yield running
    finally:
        for node in running.nodes:
            if node.process.poll() is None:
                node.process.send_signal(signal.SIGCONT)
        running.stop_all()


def _post(address: str, token: str, path: str, body: dict[str, Any]) -> requests.Response:
    return requests.post(
        f"{address}/v1/transit/{path}", json=body, headers={"X-Vault-Token": token}, timeout=10
    )


def _roles(cluster: Cluster) -> tuple[int, str, str]:
    """The active's index, its address and the standby's."""
    index = cluster.wait_active()
    return index, cluster.nodes[index].address, cluster.nodes[1 - index].address


def _frozen(cluster: Cluster, index: int) -> _Freeze:
    return _Freeze(cluster.nodes[index].process)


class _Freeze:
    """SIGSTOP a node for the block: what answers meanwhile was not forwarded to it."""

    def __init__(self, process: object) -> None:
        self._process = process

    def __enter__(self) -> None:
        self._process.send_signal(signal.SIGSTOP)  # type: ignore[attr-defined]

    def __exit__(self, *_: object) -> None:
        self._process.send_signal(signal.SIGCONT)  # type: ignore[attr-defined]


def test_a_standby_encrypts_and_decrypts_while_the_active_is_frozen(cluster: Cluster) -> None:
    index, active, standby = _roles(cluster)
    token = cluster.token
    on_active = _post(active, token, "encrypt/app", {"plaintext": _PLAINTEXT})
    assert on_active.status_code == 200
    with _frozen(cluster, index):
        encrypted = _post(standby, token, "encrypt/app", {"plaintext": _PLAINTEXT})
        assert encrypted.status_code == 200
        ciphertext = encrypted.json()["data"]["ciphertext"]
        assert ciphertext.startswith("vault:v1:")
        for sealed in (ciphertext, on_active.json()["data"]["ciphertext"]):
            decrypted = _post(standby, token, "decrypt/app", {"ciphertext": sealed})
            assert decrypted.status_code == 200
            assert decrypted.json()["data"]["plaintext"] == _PLAINTEXT
        batch = _post(
            standby, token, "encrypt/app", {"batch_input": [{"plaintext": _PLAINTEXT}] * 3}
        )
        assert [item["ciphertext"][:9] for item in batch.json()["data"]["batch_results"]] == [
            "vault:v1:"
        ] * 3
        mac = _post(standby, token, "hmac/app", {"input": _PLAINTEXT})
        assert mac.json()["data"]["hmac"].startswith("vault:v1:")
        key = requests.get(
            f"{standby}/v1/transit/keys/app", headers={"X-Vault-Token": token}, timeout=10
        )
        assert key.json()["data"]["latest_version"] == 1
    # What the standby encrypted, the active decrypts.
    back = _post(active, token, "decrypt/app", {"ciphertext": ciphertext})
    assert back.json()["data"]["plaintext"] == _PLAINTEXT


def test_a_key_rotated_on_the_active_is_used_by_the_standby_at_once(cluster: Cluster) -> None:
    index, active, standby = _roles(cluster)
    token = cluster.token
    assert _post(standby, token, "encrypt/app", {"plaintext": _PLAINTEXT}).ok  # cached: v1
    for version in (2, 3):
        assert _post(active, token, "keys/app/rotate", {}).ok
        encrypted = _post(standby, token, "encrypt/app", {"plaintext": _PLAINTEXT})
        assert encrypted.json()["data"]["ciphertext"].startswith(f"vault:v{version}:")
    on_active = _post(active, token, "encrypt/app", {"plaintext": _PLAINTEXT}).json()
    with _frozen(cluster, index):
        decrypted = _post(
            standby, token, "decrypt/app", {"ciphertext": on_active["data"]["ciphertext"]}
        )
    assert decrypted.status_code == 200
    assert decrypted.json()["data"]["plaintext"] == _PLAINTEXT

    # A version retired on the active is refused by the standby at once.
    old = _post(active, token, "encrypt/app", {"plaintext": _PLAINTEXT}).json()["data"]
    assert old["ciphertext"].startswith("vault:v3:")
    assert _post(active, token, "keys/app/rotate", {}).ok
    assert _post(active, token, "keys/app/config", {"min_decryption_version": 4}).ok
    refused = _post(standby, token, "decrypt/app", {"ciphertext": old["ciphertext"]})
    assert refused.status_code == 400


def test_an_encrypt_that_creates_its_key_is_forwarded_to_the_active(cluster: Cluster) -> None:
    _, active, standby = _roles(cluster)
    token = cluster.token
    created = _post(standby, token, "encrypt/fresh", {"plaintext": _PLAINTEXT})
    assert created.status_code == 200
    assert created.json()["data"]["ciphertext"].startswith("vault:v1:")
    key = requests.get(
        f"{active}/v1/transit/keys/fresh", headers={"X-Vault-Token": token}, timeout=10
    )
    assert key.status_code == 200
    # Key management is a write: forwarded, and the standby then uses the new setting.
    assert _post(standby, token, "keys/fresh/rotate", {}).ok
    assert (
        requests.get(
            f"{active}/v1/transit/keys/fresh", headers={"X-Vault-Token": token}, timeout=10
        ).json()["data"]["latest_version"]
        == 2
    )
    again = _post(standby, token, "encrypt/fresh", {"plaintext": _PLAINTEXT})
    assert again.json()["data"]["ciphertext"].startswith("vault:v2:")
