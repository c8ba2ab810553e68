"""Performance standbys: standbys answer reads themselves, never older than an acknowledged write.

Real sealbox processes on one PostgreSQL. A standby that serves reads says so in sys/health
(473, ``performance_standby``), keeps answering KV reads while the active is frozen (SIGSTOP:
so they were answered locally), and every read it answers returns at least the value the
active had acknowledged before the read was sent. Policies, token revocations and new mounts
made on the active apply on the standby at once; anything that writes (a token's use count,
response wrapping, a KV write) still goes to the active.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from tests.integration.postgres.cluster import Cluster, start_cluster

pytestmark = pytest.mark.slow

_WRITES = 300


@pytest.fixture
def cluster(tmp_path: Path, pg_url: str) -> Iterator[Cluster]:
    """Three nodes, KV v2 at secret/, both standbys serving reads."""
    running = start_cluster(tmp_path, pg_url, 3)
    try:
        running.wait_active()
        for node in running.nodes:
            running.wait_health(node, {200, 473})
        yield running
    finally:
        for node in running.nodes:
            if node.process.poll() is None:
                node.process.send_signal(signal.SIGCONT)
        running.stop_all()


def _roles(cluster: Cluster) -> tuple[str, list[str]]:
    active = cluster.wait_active()
    standbys = [n.address for i, n in enumerate(cluster.nodes) if i != active]
    return cluster.nodes[active].address, standbys


def _headers(token: str) -> dict[str, str]:
    return {"X-Vault-Token": token}


def test_standbys_report_473_and_answer_reads_while_the_active_is_frozen(
    cluster: Cluster,
) -> None:
    active, standbys = _roles(cluster)
    auth = _headers(cluster.token)
    requests.post(
        f"{active}/v1/secret/data/frozen", json={"data": {"v": "1"}}, headers=auth, timeout=30
    ).raise_for_status()
    for address in standbys:
        health = requests.get(f"{address}/v1/sys/health", timeout=10)
        assert health.status_code == 473
        assert health.json()["standby"] is True
        assert health.json()["performance_standby"] is True
        ok = requests.get(f"{address}/v1/sys/health?perfstandbyok=true", timeout=10)
        assert ok.status_code == 200
        # compat: standbyok does not cover a performance standby (Vault's sys_health.go)
        assert (
            requests.get(f"{address}/v1/sys/health?standbyok=true", timeout=10).status_code == 473
        )
    body = requests.get(f"{active}/v1/sys/health", timeout=10).json()
    assert body["standby"] is False
    assert body["performance_standby"] is False

    process = next(n.process for n in cluster.nodes if n.address == active)
    process.send_signal(signal.SIGSTOP)
    try:
        for address in standbys:
            got = requests.get(f"{address}/v1/secret/data/frozen", headers=auth, timeout=10)
            assert got.status_code == 200
            assert got.json()["data"]["data"] == {"v": "1"}
            listed = requests.request(
                "LIST", f"{address}/v1/secret/metadata/", headers=auth, timeout=10
            )
            assert listed.json()["data"]["keys"] == ["frozen"]
            mounts = requests.get(f"{address}/v1/sys/mounts", headers=auth, timeout=10)
            assert "secret/" in mounts.json()["data"]
    finally:
        process.send_signal(signal.SIGCONT)


def test_reads_on_standbys_are_never_older_than_what_the_active_acknowledged(
    cluster: Cluster,
) -> None:
    active, standbys = _roles(cluster)
    auth = _headers(cluster.token)
    url = "/v1/secret/data/counter"
    acknowledged = [0]
    done = threading.Event()
    stale: list[tuple[str, int, int]] = []
    errors: list[str] = []
    reads = [0]

    def write() -> None:
        with requests.Session() as session:
            for n in range(1, _WRITES + 1):
                answer = session.post(
                    active + url, json={"data": {"n": n}}, headers=auth, timeout=30
                )
                if answer.status_code != 200:
                    errors.append(f"write {n}: {answer.status_code}")
                    break
                acknowledged[0] = n
        done.set()

    def read(address: str) -> None:
        with requests.Session() as session:
            while not done.is_set():
                floor = acknowledged[0]
                answer = session.get(address + url, headers=auth, timeout=30)
                if answer.status_code == 404 and floor == 0:
                    continue
                if answer.status_code != 200:
                    errors.append(f"read on {address}: {answer.status_code}")
                    return
                seen = int(answer.json()["data"]["data"]["n"])
                reads[0] += 1
                if seen < floor:
                    stale.append((address, floor, seen))

    threads = [threading.Thread(target=write)] + [
        threading.Thread(target=read, args=(address,)) for address in standbys for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors
    assert not stale
    assert reads[0] > 0

    # With the active frozen the standbys answer alone, and with the last acknowledged value.
    process = next(n.process for n in cluster.nodes if n.address == active)
    process.send_signal(signal.SIGSTOP)
    try:
        for address in standbys:
            got = requests.get(address + url, headers=auth, timeout=10)
            assert got.json()["data"]["data"] == {"n": _WRITES}
            assert got.json()["data"]["metadata"]["version"] == _WRITES
    finally:
        process.send_signal(signal.SIGCONT)


def test_changes_on_the_active_apply_on_a_standby_at_once_and_writes_are_forwarded(
    cluster: Cluster,
) -> None:
    active, standbys = _roles(cluster)
    standby = standbys[0]
    root = _headers(cluster.token)
    policy = 'path "secret/data/p" { capabilities = ["read"] }'
    requests.put(
        f"{active}/v1/sys/policies/acl/reader", json={"policy": policy}, headers=root, timeout=30
    ).raise_for_status()
    requests.post(
        f"{active}/v1/secret/data/p", json={"data": {"k": "v"}}, headers=root, timeout=30
    ).raise_for_status()
    created = requests.post(
        f"{active}/v1/auth/token/create", json={"policies": ["reader"]}, headers=root, timeout=30
    ).json()["auth"]
    reader = _headers(created["client_token"])
    assert requests.get(f"{standby}/v1/secret/data/p", headers=reader, timeout=10).ok

    # A policy narrowed on the active denies on the standby at once.
    narrowed = 'path "secret/data/other" { capabilities = ["read"] }'
    requests.put(
        f"{active}/v1/sys/policies/acl/reader", json={"policy": narrowed}, headers=root, timeout=30
    ).raise_for_status()
    denied = requests.get(f"{standby}/v1/secret/data/p", headers=reader, timeout=10)
    assert denied.status_code == 403
    requests.put(
        f"{active}/v1/sys/policies/acl/reader", json={"policy": policy}, headers=root, timeout=30
    ).raise_for_status()
    assert requests.get(f"{standby}/v1/secret/data/p", headers=reader, timeout=10).ok

    # A token revoked on the active is refused by the standby at once.
    requests.post(
        f"{active}/v1/auth/token/revoke-accessor",
        json={"accessor": created["accessor"]},
        headers=root,
        timeout=30,
    ).raise_for_status()
    assert (
        requests.get(f"{standby}/v1/secret/data/p", headers=reader, timeout=10).status_code == 403
    )

    # A mount made on the active is served by the standby at once (the active frozen: the
    # standby answers from its own, rebuilt, mount table).
    requests.post(
        f"{active}/v1/sys/mounts/kv1", json={"type": "kv"}, headers=root, timeout=30
    ).raise_for_status()
    requests.post(
        f"{active}/v1/kv1/a", json={"x": "1"}, headers=root, timeout=30
    ).raise_for_status()
    process = next(n.process for n in cluster.nodes if n.address == active)
    process.send_signal(signal.SIGSTOP)
    try:
        got = requests.get(f"{standby}/v1/kv1/a", headers=root, timeout=10)
    finally:
        process.send_signal(signal.SIGCONT)
    assert got.status_code == 200
    assert got.json()["data"] == {"x": "1"}

    # A token with a use count is spent on the active: two uses, then refused.
    limited = requests.post(
        f"{active}/v1/auth/token/create",
        json={"policies": ["reader"], "num_uses": 2},
        headers=root,
        timeout=30,
    ).json()["auth"]["client_token"]
    codes = [
        requests.get(
            f"{standby}/v1/secret/data/p", headers=_headers(limited), timeout=10
        ).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 403]

    # An expired token is refused on the standby (revoked by the active's expiry, or, when
    # the standby meets it first, forwarded: revoking it is a write).
    short = requests.post(
        f"{active}/v1/auth/token/create",
        json={"policies": ["reader"], "ttl": "1s"},
        headers=root,
        timeout=30,
    ).json()["auth"]["client_token"]
    time.sleep(1.5)  # let its TTL pass (what is checked is the answer, not the timing)
    expired = requests.get(f"{standby}/v1/secret/data/p", headers=_headers(short), timeout=10)
    assert expired.status_code == 403

    # Wrapping writes a token: forwarded, and the wrapped secret unwraps on the active.
    wrapped = requests.get(
        f"{standby}/v1/secret/data/p", headers={**root, "X-Vault-Wrap-TTL": "60"}, timeout=10
    )
    wrap_token = wrapped.json()["wrap_info"]["token"]
    unwrapped = requests.post(
        f"{active}/v1/sys/wrapping/unwrap", headers=_headers(wrap_token), timeout=30
    )
    assert unwrapped.json()["data"]["data"] == {"k": "v"}

    # A write sent to the standby lands on the active.
    requests.post(
        f"{standby}/v1/secret/data/w", json={"data": {"w": "1"}}, headers=root, timeout=30
    ).raise_for_status()
    assert requests.get(f"{active}/v1/secret/data/w", headers=root, timeout=10).json()["data"][
        "data"
    ] == {"w": "1"}
