"""``workers = 2``: one node as two real processes on one port and one PostgreSQL database.

The node is unsealed with one request (relayed to the other worker); behind the shared port
one worker is active and the other a performance standby (both answers are seen on fresh
connections); a write through the port is read back through it on every connection; a
worker killed with SIGKILL is restarted and rejoins once unsealed; killing the parent takes
every worker down with it.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import requests
from tests.compat.conftest import VENV_BIN, free_port, start_process
from tests.integration.postgres.nodes import Node, initialize, pg_block, unseal, write_config

pytestmark = pytest.mark.slow


def _children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(p) for p in text.split()]


def _codes_seen(address: str, wanted: set[int], timeout: float = 60.0) -> set[int]:
    """Poll sys/health over fresh connections until every code in ``wanted`` was seen."""
    seen: set[int] = set()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not wanted <= seen:
        seen.add(requests.get(f"{address}/v1/sys/health", timeout=10).status_code)
        time.sleep(0.02)
    return seen


@pytest.fixture
def node(tmp_path: Path, pg_url: str) -> Iterator[Node]:
    """One node with two workers, started but not initialised."""
    port = free_port()
    config = write_config(
        tmp_path, pg_block(pg_url, '  ha_enabled = "true"\n'), port, "workers = 2\n"
    )
    address = f"http://127.0.0.1:{port}"
    process, log = start_process(
        [str(VENV_BIN / "sealbox"), "server", f"-config={config}"], address, tmp_path
    )
    running = Node(address, process, log)
    try:
        yield running
    finally:
        if process.poll() is None:
            running.stop()


def test_two_workers_share_the_port_one_active_one_serving_reads(node: Node) -> None:
    workers = _children(node.process.pid)
    assert len(workers) == 2
    key, token = initialize(node.address)
    unseal(node.address, key)  # one request; the worker that got it relays it
    assert _codes_seen(node.address, {200, 473}) >= {200, 473}  # 429 until tables load
    auth = {"X-Vault-Token": token}
    for _ in range(20):  # fresh connections: the mount is forwarded from whichever worker
        answer = requests.post(
            f"{node.address}/v1/sys/mounts/secret",
            json={"type": "kv", "options": {"version": "2"}},
            headers=auth,
            timeout=30,
        )
        if answer.status_code == 204:
            break
        assert answer.status_code in (400, 503)  # already mounted, or no active yet
    for n in range(10):
        requests.post(
            f"{node.address}/v1/secret/data/w", json={"data": {"n": n}}, headers=auth, timeout=30
        ).raise_for_status()
        got = requests.get(f"{node.address}/v1/secret/data/w", headers=auth, timeout=30)
        assert got.json()["data"]["data"] == {"n": n}

    # SIGKILL one worker: the parent starts another, sealed until the node is unsealed again.
    os.kill(workers[0], signal.SIGKILL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (
        len(_children(node.process.pid)) < 2 or workers[0] in _children(node.process.pid)
    ):
        time.sleep(0.05)
    replaced = _children(node.process.pid)
    assert len(replaced) == 2
    assert workers[0] not in replaced
    assert 503 in _codes_seen(node.address, {503})
    unseal_answer = requests.put(f"{node.address}/v1/sys/unseal", json={"key": key}, timeout=30)
    assert unseal_answer.status_code == 200
    assert _codes_seen(node.address, {200, 473}) >= {200, 473}
    got = requests.get(f"{node.address}/v1/secret/data/w", headers=auth, timeout=30)
    assert got.json()["data"]["data"] == {"n": 9}

    # The parent dies: its workers die with it.
    node.process.send_signal(signal.SIGKILL)
    node.process.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in replaced):
        time.sleep(0.05)
    alive = [p for p in replaced if Path(f"/proc/{p}/stat").exists()]
    states = [Path(f"/proc/{p}/stat").read_text().split()[2] for p in alive]
    assert all(state == "Z" for state in states)  # gone, at most not reaped yet


def test_workers_need_ha_storage(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        f'storage "sqlite" {{\n  path = "{tmp_path / "db"}"\n}}\n',
        free_port(),
        "workers = 2\n",
    )
    done = subprocess.run(
        [str(VENV_BIN / "sealbox"), "server", f"-config={config}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert 'workers needs storage "postgresql" with ha_enabled = "true"' in done.stderr


def test_workers_on_an_auto_unseal_seal_unseal_themselves_once_initialised(
    tmp_path: Path, pg_url: str
) -> None:
    """Init through the shared port unseals that worker; the other finds the storage
    initialised and unseals itself; the lock still makes only one of them active."""
    key_file = tmp_path / "unseal.key"
    key_file.write_bytes(os.urandom(32))
    key_file.chmod(0o600)
    seal = f'seal "static" {{\n  current_key_id = "k1"\n  current_key = "file://{key_file}"\n}}\n'
    port = free_port()
    config = write_config(
        tmp_path, pg_block(pg_url, '  ha_enabled = "true"\n'), port, "workers = 2\n" + seal
    )
    address = f"http://127.0.0.1:{port}"
    process, log = start_process(
        [str(VENV_BIN / "sealbox"), "server", f"-config={config}"], address, tmp_path
    )
    node = Node(address, process, log)
    try:
        answer = requests.put(
            f"{address}/v1/sys/init",
            json={"recovery_shares": 1, "recovery_threshold": 1},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        assert _codes_seen(address, {200, 473}) >= {200, 473}
        codes = {
            requests.get(f"{address}/v1/sys/health", timeout=10).status_code for _ in range(40)
        }
        assert codes == {200, 473}  # both unsealed, one active
    finally:
        node.stop()


def _own_addresses(node: Node) -> dict[int, str]:
    """Each worker's own address, by its sys/health code (200 active, 473 standby)."""
    found = re.search(r"own addresses ([^)]*)\)", node.log.read_text())
    assert found is not None
    out: dict[int, str] = {}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and set(out) != {200, 473}:
        out = {
            requests.get(f"{a}/v1/sys/health", timeout=10).status_code: a
            for a in found.group(1).split(", ")
        }
        time.sleep(0.05)
    assert set(out) == {200, 473}
    return out


def _last_marker_start(pg_url: str) -> object:
    """When the standby last sent a sync marker (its own session's last statement)."""
    with psycopg.connect(pg_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT max(query_start) FROM pg_stat_activity "
            "WHERE datname = current_database() AND query LIKE 'SELECT pg_notify($1, $2)%'"
        ).fetchone()
    return row[0] if row else None


def test_a_standby_worker_answers_reads_without_a_round_trip_and_never_stale(
    node: Node, pg_url: str
) -> None:
    """The standby worker learns from the active worker's shared slot that it is caught up:
    after its first marker it sends none for reads, and while the active worker writes every
    read it answers has at least the value acknowledged before the read was sent."""
    key, token = initialize(node.address)
    unseal(node.address, key)
    own = _own_addresses(node)
    active, standby = own[200], own[473]
    auth = {"X-Vault-Token": token}
    requests.post(
        f"{active}/v1/sys/mounts/secret",
        json={"type": "kv", "options": {"version": "2"}},
        headers=auth,
        timeout=30,
    ).raise_for_status()
    url = "/v1/secret/data/counter"
    requests.post(active + url, json={"data": {"n": 0}}, headers=auth, timeout=30)
    with requests.Session() as session:
        for _ in range(20):  # the first read of a term syncs with a marker
            assert session.get(standby + url, headers=auth, timeout=30).ok
        marker = _last_marker_start(pg_url)
        assert marker is not None
        for _ in range(300):
            got = session.get(standby + url, headers=auth, timeout=30)
            assert got.json()["data"]["data"] == {"n": 0}
    assert _last_marker_start(pg_url) == marker  # no marker for any of those reads

    acknowledged = [0]
    done = threading.Event()
    stale: list[tuple[int, int]] = []
    errors: list[str] = []

    def write() -> None:
        with requests.Session() as session:
            for n in range(1, 201):
                # Through the shared port: whichever worker gets it, the active acknowledges.
                answer = session.post(
                    node.address + url, json={"data": {"n": n}}, headers=auth, timeout=30
                )
                if answer.status_code != 200:
                    errors.append(f"write {n}: {answer.status_code}")
                    break
                acknowledged[0] = n
        done.set()

    def read() -> None:
        with requests.Session() as session:
            while not done.is_set():
                floor = acknowledged[0]
                answer = session.get(standby + url, headers=auth, timeout=30)
                if answer.status_code != 200:
                    errors.append(f"read: {answer.status_code}")
                    return
                seen = int(answer.json()["data"]["data"]["n"])
                if seen < floor:
                    stale.append((floor, seen))

    threads = [threading.Thread(target=write)] + [threading.Thread(target=read) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors
    assert not stale
    got = requests.get(standby + url, headers=auth, timeout=30)
    assert got.json()["data"]["data"] == {"n": 200}
