"""Transit on PostgreSQL: one sealbox process vs ``workers = N`` vs OpenBao, with wrk.

Run: ``.venv/bin/python bench/transit_workers_bench.py [--workers 2] [--seconds 8]
[--connections 32] [--rounds 3]`` (needs ``wrk``). ``transit_bench.py`` compares one sealbox
process on SQLite with OpenBao, which spreads a request over every core; this one shows what
sealbox does with the cores too: the same node config with ``workers = N`` (one active and
N-1 performance standbys that answer transit operations themselves, behind one port), next to
one process and one OpenBao node, each on its own database of one throwaway PostgreSQL (the
set-up of ``workers_bench.py``). All three stay up and take turns for ``--rounds`` rounds, with
the wrk scripts of ``transit_bench.py`` (one item per request and batches of 100). Prints the
median req/s and items/s per case and server, the ratio to OpenBao, and the servers' CPU time
per request. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.kv_bench import _wrk
from bench.transit_bench import _scripts
from bench.workers_bench import _cpu_seconds, openbao_node, sealbox_node
from tests.postgres_server import start_postgres


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk, or make bench)")
    workdir = Path(tempfile.mkdtemp(prefix="sealbox-transit-workers-bench-"))
    workdir.chmod(0o755)  # the postgres user enters it when run as root
    postgres = start_postgres(workdir / "pg")
    names = ["sealbox, 1 process", f"sealbox, workers = {args.workers}", "openbao, 1 node"]
    rates: dict[tuple[str, str], list[float]] = {}
    cpu: dict[tuple[str, str], list[float]] = {}
    items_of: dict[str, int] = {}
    try:
        with psycopg.connect(postgres.dsn(), autocommit=True) as conn:
            for database in ("one", "many", "bao"):
                conn.execute(f"CREATE DATABASE {database}")
        with contextlib.ExitStack() as stack:
            servers = [
                stack.enter_context(sealbox_node(postgres.dsn("one"), 1, workdir / "one")),
                stack.enter_context(
                    sealbox_node(postgres.dsn("many"), args.workers, workdir / "many")
                ),
                stack.enter_context(openbao_node(postgres.dsn("bao"), workdir / "bao")),
            ]
            prepared = []
            for name, (server, pid) in zip(names, servers, strict=True):
                scripts = _scripts(server)
                for script, _items in scripts.values():
                    _wrk(server, script, 2, args.connections, workdir)  # warm-up
                prepared.append((name, server, pid, scripts))
            for _ in range(args.rounds):
                for name, server, pid, scripts in prepared:
                    for case, (script, items) in scripts.items():
                        items_of[case] = items
                        before = _cpu_seconds(pid)
                        rate, _p99 = _wrk(server, script, args.seconds, args.connections, workdir)
                        used = _cpu_seconds(pid) - before
                        rates.setdefault((name, case), []).append(rate)
                        cpu.setdefault((name, case), []).append(used / (rate * args.seconds))
    finally:
        postgres.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    print(
        f"{'server (median)':<24} {'case':<13} {'req/s':>8} {'items/s':>9} {'vs bao':>7} {'CPU us/req':>10}"
    )
    for name in names:
        for case, items in items_of.items():
            rate = statistics.median(rates[(name, case)])
            bao = statistics.median(rates[(names[-1], case)])
            per = statistics.median(cpu[(name, case)]) * 1e6
            print(
                f"{name:<24} {case:<13} {rate:>8,.0f} {rate * items:>9,.0f}"
                f" {rate / bao:>6.2f}x {per:>10.0f}"
            )


if __name__ == "__main__":
    main()
