"""Database dynamic credentials: issuance and revocation rate, sealbox vs OpenBao, same run.

Run: ``.venv/bin/python bench/database_bench.py [--seconds 5] [--rounds 3] [--concurrency 8]``.
Starts a throwaway PostgreSQL (the tests' fixture code) and both servers from config files
(sealbox: SQLite; OpenBao: integrated raft), each with its own database in that PostgreSQL and
an identical ``database/`` mount, connection (max_open_connections=4, the default of both)
and role (CREATE ROLE ... VALID UNTIL plus a SELECT grant; revocation revokes and drops).
Phase 1 reads ``database/creds/bench`` from ``--concurrency`` keep-alive clients for
``--seconds``; phase 2 revokes every lease issued, synchronously, with the same clients. Both
servers stay up and are measured in alternating order for ``--rounds`` rounds (the machine is
shared, so its load drifts); prints the median ops/s and p99 latency per phase and the
sealbox/OpenBao ratio. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.kv_bench import Server, _openbao, _sealbox  # noqa: E402
from tests.postgres_server import PostgresServer, start_postgres  # noqa: E402

_CREATION = (
    "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'; "
    'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{{name}}";'
)
_REVOCATION = (
    'REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA public FROM "{{name}}"; '
    'DROP ROLE IF EXISTS "{{name}}";'
)


def _setup(server: Server, pg: PostgresServer, database: str) -> None:
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    with psycopg.connect(pg.dsn(database), autocommit=True) as conn:
        conn.execute("CREATE TABLE items (x int)")
    headers = {"X-Vault-Token": server.token}
    with httpx.Client(base_url=f"{server.address}/v1/", headers=headers, timeout=60) as client:
        client.post("sys/mounts/database", json={"type": "database"}).raise_for_status()
        client.post(
            "database/config/pg",
            json={
                "plugin_name": "postgresql-database-plugin",
                "connection_url": (
                    f"postgresql://{{{{username}}}}:{{{{password}}}}@{pg.host}:{pg.port}/"
                    f"{database}?sslmode=disable"
                ),
                "username": "postgres",
                "password": "postgres",
                "allowed_roles": "bench",
                "max_open_connections": 4,
            },
        ).raise_for_status()
        client.post(
            "database/roles/bench",
            json={
                "db_name": "pg",
                "creation_statements": _CREATION,
                "revocation_statements": _REVOCATION,
                "default_ttl": "1h",
                "max_ttl": "24h",
            },
        ).raise_for_status()


async def _drive(
    concurrency: int, next_op: Callable[[httpx.AsyncClient], Awaitable[bool]], server: Server
) -> tuple[float, float]:
    """Run ``next_op`` from ``concurrency`` workers until it returns False; (ops/s, p99 ms)."""
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=f"{server.address}/v1/",
        headers={"X-Vault-Token": server.token},
        limits=limits,
        timeout=120,
    ) as client:

        async def worker() -> None:
            while True:
                started = time.perf_counter()
                if not await next_op(client):
                    return
                latencies.append(time.perf_counter() - started)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else float("nan")
    return len(latencies) / elapsed, p99


async def _measure(
    server: Server, seconds: float, concurrency: int
) -> dict[str, tuple[float, float]]:
    leases: list[str] = []
    failures: list[str] = []
    deadline = time.monotonic() + seconds

    async def issue(client: httpx.AsyncClient) -> bool:
        if time.monotonic() >= deadline:
            return False
        answer = await client.get("database/creds/bench")
        if answer.status_code != 200:
            failures.append(answer.text)
            return True
        leases.append(answer.json()["lease_id"])
        return True

    issued = await _drive(concurrency, issue, server)
    pending = list(leases)

    async def revoke(client: httpx.AsyncClient) -> bool:
        if not pending:
            return False
        answer = await client.put("sys/leases/revoke", json={"lease_id": pending.pop()})
        if answer.status_code != 204:
            failures.append(answer.text)
        return True

    revoked = await _drive(concurrency, revoke, server)
    if failures:
        print(
            f"  {server.name}: {len(failures)} failed requests, e.g. {failures[0][:200]}",
            file=sys.stderr,
        )
    return {"creds issue": issued, "lease revoke": revoked}


def _leftover_users(pg: PostgresServer, database: str) -> int:
    with psycopg.connect(pg.dsn(database), autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM pg_roles WHERE rolname LIKE 'v-%'").fetchone()
    return int(row[0]) if row else -1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    runs: dict[tuple[str, str], list[tuple[float, float]]] = {}
    pgdir = Path(tempfile.mkdtemp(prefix="sealbox-pg-"))
    pg = start_postgres(pgdir)
    try:
        with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
            servers: list[Server] = []
            for name, factory, port in (("sealbox", _sealbox, 18840), ("openbao", _openbao, 18850)):
                workdir = Path(tmp) / name
                workdir.mkdir()
                server = stack.enter_context(factory(workdir, port))
                _setup(server, pg, f"bench_{name}")
                asyncio.run(_measure(server, 2, args.concurrency))  # warm-up
                servers.append(server)
            for round_ in range(args.rounds):
                # Alternate the order, so a load change on the shared machine hits both.
                for server in servers if round_ % 2 == 0 else servers[::-1]:
                    figures = asyncio.run(_measure(server, args.seconds, args.concurrency))
                    for case, value in figures.items():
                        runs.setdefault((server.name, case), []).append(value)
            for server in servers:
                left = _leftover_users(pg, f"bench_{server.name}")
                if left:
                    print(f"  warning: {server.name} left {left} users behind", file=sys.stderr)
    finally:
        pg.stop()
        shutil.rmtree(pgdir, ignore_errors=True)
    print(
        f"median of {args.rounds} alternating rounds of {args.seconds:g} s, {args.concurrency} clients"
    )
    print(
        f"{'case':<13} {'sealbox ops/s':>14} {'p99 ms':>8} {'openbao ops/s':>14} {'p99 ms':>8}"
        f" {'ratio':>6}"
    )
    for case in ("creds issue", "lease revoke"):
        ours = [statistics.median(v) for v in zip(*runs[("sealbox", case)], strict=True)]
        theirs = [statistics.median(v) for v in zip(*runs[("openbao", case)], strict=True)]
        print(
            f"{case:<13} {ours[0]:>14,.0f} {ours[1]:>8.2f} {theirs[0]:>14,.0f} {theirs[1]:>8.2f}"
            f" {ours[0] / theirs[0]:>5.2f}x"
        )


if __name__ == "__main__":
    main()
