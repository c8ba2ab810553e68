"""HA on PostgreSQL with real sealbox processes: one active, standbys, step-down, takeover."""

from __future__ import annotations

import itertools
import random
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import hvac
import pytest
import requests
from tests.integration.postgres.cluster import Cluster, start_cluster

pytestmark = pytest.mark.slow


@pytest.fixture
def cluster(tmp_path: Path, pg_url: str) -> Iterator[Cluster]:
    """Three nodes on a fresh database, initialised and unsealed, KV v2 at secret/."""
    running = start_cluster(tmp_path, pg_url, 3)
    try:
        yield running
    finally:
        running.stop_all()


def _client(cluster: Cluster, index: int) -> hvac.Client:
    return hvac.Client(url=cluster.nodes[index].address, token=cluster.token, timeout=30)


def test_one_active_node_and_standbys_that_say_so(cluster: Cluster) -> None:
    active = cluster.wait_active()
    codes = [cluster.wait_health(node, {200, 473}) for node in cluster.nodes]
    assert sorted(codes) == [200, 473, 473]  # standbys that serve reads (performance standbys)
    leader_address = cluster.nodes[active].address
    for index in range(3):
        status = _client(cluster, index).sys.read_leader_status()
        assert status["ha_enabled"] is True
        assert status["is_self"] is (index == active)
        assert status["leader_address"] == leader_address
        health = requests.get(
            f"{cluster.nodes[index].address}/v1/sys/health?performancestandbycode=299",
            timeout=10,
        )
        assert health.status_code == (200 if index == active else 299)
        assert health.json()["standby"] is (index != active)
        assert health.json()["sealed"] is False


def test_writes_through_any_node_are_read_back_through_every_node(cluster: Cluster) -> None:
    for index in range(3):
        _client(cluster, index).secrets.kv.v2.create_or_update_secret(
            f"from-{index}", secret={"n": str(index)}
        )
    _client(cluster, 1).secrets.kv.v2.create_or_update_secret("shared", secret={"v": "1"})
    _client(cluster, 2).secrets.kv.v2.create_or_update_secret("shared", secret={"v": "2"})
    for index in range(3):
        kv = _client(cluster, index).secrets.kv.v2
        for writer in range(3):
            got = kv.read_secret_version(f"from-{writer}", raise_on_deleted_version=True)
            assert got["data"]["data"] == {"n": str(writer)}
        shared = kv.read_secret_version("shared", raise_on_deleted_version=True)
        assert shared["data"]["data"] == {"v": "2"}
        assert shared["data"]["metadata"]["version"] == 2


def test_step_down_hands_the_lock_to_a_standby(cluster: Cluster) -> None:
    first = cluster.wait_active()
    _client(cluster, (first + 1) % 3).secrets.kv.v2.create_or_update_secret(
        "before", secret={"k": "v"}
    )
    denied = requests.put(
        f"{cluster.nodes[first].address}/v1/sys/step-down",
        headers={"X-Vault-Token": "not-a-token"},
        timeout=10,
    )
    assert denied.status_code == 403
    assert cluster.wait_active() == first
    _client(cluster, first).sys.step_down()
    second = cluster.wait_active(exclude=first)
    assert second != first
    assert cluster.health(cluster.nodes[first]) in (429, 473)  # 473 once its tables loaded
    kv = _client(cluster, first).secrets.kv.v2  # served through the new active
    assert kv.read_secret_version("before", raise_on_deleted_version=True)["data"]["data"] == {
        "k": "v"
    }


def test_killing_the_active_loses_no_acknowledged_write(cluster: Cluster) -> None:
    """A client writes without pause through random nodes while the active is SIGKILLed
    three times (each time restarted as a standby). Every acknowledged write is read back
    afterwards with the value acknowledged, and no sweep of sys/health saw two actives."""
    token = _client(cluster, 0).auth.token.create(policies=["default"], ttl="1h")["auth"]
    acknowledged: dict[str, int] = {}
    acks = [0]
    stop = threading.Event()
    two_actives: list[list[int]] = []

    def writer() -> None:
        session = requests.Session()
        for seq in itertools.count():
            if stop.is_set():
                return
            key = f"w{seq % 50}"
            node = random.choice(cluster.nodes)
            try:
                answer = session.post(
                    f"{node.address}/v1/secret/data/{key}",
                    json={"data": {"seq": seq}},
                    headers={"X-Vault-Token": cluster.token},
                    timeout=10,
                )
            except requests.RequestException:
                continue
            if answer.status_code == 200:
                acknowledged[key] = seq
                acks[0] += 1
            else:
                assert answer.status_code >= 500, answer.text

    def monitor() -> None:
        while not stop.is_set():
            actives = cluster.actives()
            if len(actives) > 1:
                two_actives.append(actives)

    threads = [threading.Thread(target=writer), threading.Thread(target=monitor)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(3):
            victim = cluster.wait_active()
            writes_before = acks[0]
            cluster.kill(victim)
            cluster.wait_active(exclude=victim)
            cluster.start(victim)
            deadline = time.monotonic() + 60
            while acks[0] <= writes_before:  # the cluster accepts writes again
                assert time.monotonic() < deadline, "no write acknowledged after the takeover"
                assert threads[0].is_alive(), "the writer failed"
                stop.wait(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert two_actives == []
    assert len(acknowledged) == 50
    reader = _client(cluster, cluster.wait_active()).secrets.kv.v2
    for key, seq in acknowledged.items():
        stored = reader.read_secret_version(key, raise_on_deleted_version=True)
        assert stored["data"]["data"]["seq"] >= seq  # a later write may have landed unacked
    looked_up = hvac.Client(url=cluster.nodes[0].address, token=token["client_token"])
    assert looked_up.auth.token.lookup_self()["data"]["policies"] == ["default"]


def test_sealing_the_active_hands_over_and_it_rejoins_as_a_standby(cluster: Cluster) -> None:
    first = cluster.wait_active()
    _client(cluster, first).sys.seal()
    assert cluster.health(cluster.nodes[first]) == 503
    second = cluster.wait_active(exclude=first)
    _client(cluster, second).secrets.kv.v2.create_or_update_secret("after-seal", secret={"a": "b"})
    requests.put(
        f"{cluster.nodes[first].address}/v1/sys/unseal", json={"key": cluster.key}, timeout=30
    ).raise_for_status()
    assert cluster.wait_active() == second
    assert cluster.health(cluster.nodes[first]) in (429, 473)
    kv = _client(cluster, first).secrets.kv.v2
    got = kv.read_secret_version("after-seal", raise_on_deleted_version=True)
    assert got["data"]["data"] == {"a": "b"}


def test_sealing_a_standby_seals_only_that_standby(cluster: Cluster) -> None:
    active = cluster.wait_active()
    standby = (active + 1) % 3
    refused = requests.put(
        f"{cluster.nodes[standby].address}/v1/sys/seal",
        headers={"X-Vault-Token": "nope"},
        timeout=10,
    )
    assert refused.status_code == 403
    _client(cluster, standby).sys.seal()
    assert cluster.health(cluster.nodes[standby]) == 503
    assert cluster.health(cluster.nodes[active]) == 200


def test_a_paused_active_is_replaced_and_never_acts_as_active_again(cluster: Cluster) -> None:
    """SIGSTOP the active: once its lease (15 s) ran out a standby takes over; after SIGCONT
    the old one no longer calls itself active, and writes through it land on the new one."""
    paused = cluster.wait_active()
    cluster.nodes[paused].process.send_signal(signal.SIGSTOP)
    try:
        successor = cluster.wait_active(exclude=paused, timeout=90)
    finally:
        cluster.nodes[paused].process.send_signal(signal.SIGCONT)
    assert cluster.health(cluster.nodes[paused]) != 200
    for _ in range(20):
        assert cluster.actives() == [successor]
    _client(cluster, paused).secrets.kv.v2.create_or_update_secret("after-pause", secret={"p": "1"})
    kv = _client(cluster, successor).secrets.kv.v2
    got = kv.read_secret_version("after-pause", raise_on_deleted_version=True)
    assert got["data"]["data"] == {"p": "1"}
