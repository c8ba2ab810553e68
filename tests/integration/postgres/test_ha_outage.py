"""PostgreSQL stops for 20 s under load: requests fail with 5xx, nothing is half-written, and the
cluster recovers by itself once the database is back (its own PostgreSQL, so it can be stopped)."""

from __future__ import annotations

import itertools
import random
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from tests.integration.postgres.cluster import Cluster, start_cluster
from tests.postgres_server import PostgresServer, start_postgres

pytestmark = pytest.mark.slow


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server for this test alone."""
    workdir = Path(tempfile.mkdtemp(prefix="sealbox-pgoutage-"))
    workdir.chmod(0o755)
    server = start_postgres(workdir)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def test_cluster_rides_out_a_database_outage(tmp_path: Path, own_postgres: PostgresServer) -> None:
    cluster: Cluster = start_cluster(tmp_path, own_postgres.dsn(), 2)
    acknowledged: dict[str, int] = {}
    failures: list[int] = []
    acks = [0]
    stop = threading.Event()

    def writer() -> None:
        session = requests.Session()
        for seq in itertools.count():
            if stop.is_set():
                return
            key = f"o{seq % 20}"
            node = random.choice(cluster.nodes)
            try:
                answer = session.post(
                    f"{node.address}/v1/secret/data/{key}",
                    json={"data": {"seq": seq}},
                    headers={"X-Vault-Token": cluster.token},
                    timeout=30,
                )
            except requests.RequestException:
                continue
            if answer.status_code == 200:
                acknowledged[key] = seq
                acks[0] += 1
            else:
                failures.append(answer.status_code)

    thread = threading.Thread(target=writer)
    thread.start()
    restarted: subprocess.Popen[bytes] | None = None
    try:
        time.sleep(1)
        own_postgres.stop()
        stop.wait(20)
        restarted = subprocess.Popen(
            own_postgres.process.args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        back = acks[0]
        deadline = time.monotonic() + 120
        while acks[0] <= back + 10:  # writes are acknowledged again, by themselves
            assert time.monotonic() < deadline, "the cluster did not recover"
            assert thread.is_alive()
            stop.wait(0.1)
    finally:
        stop.set()
        thread.join()
    try:
        assert failures, "the outage was not noticed"
        assert all(code >= 500 for code in failures), sorted(set(failures))
        active = cluster.nodes[cluster.wait_active()]
        for key, seq in acknowledged.items():
            stored = requests.get(
                f"{active.address}/v1/secret/data/{key}",
                headers={"X-Vault-Token": cluster.token},
                timeout=30,
            )
            assert stored.status_code == 200
            assert stored.json()["data"]["data"]["seq"] >= seq
    finally:
        cluster.stop_all()
        if restarted is not None:
            restarted.terminate()
            restarted.wait(timeout=30)
