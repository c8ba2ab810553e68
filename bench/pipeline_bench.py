"""The core's cost per request, without HTTP: KV v2 reads and writes through ``Core.handle``.

Run: ``.venv/bin/python bench/pipeline_bench.py [--requests 20000] [--rounds 5]``. An in-memory
Core is initialised and unsealed, gets a KV v2 mount, and serves reads (and writes) one after
the other in one event loop; the figure is the median over rounds of requests per second, so
a change to the pipeline (token lookup, ACL, routing, audit off) shows without the listener,
the network or wrk in the way. Run it on two checkouts back to back to compare them (point
PYTHONPATH at the other checkout's ``src``). Figures, not assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from sealbox.core.core import Core
from sealbox.core.mounts import MountEntry
from sealbox.logical import Operation, Request
from sealbox.storage.inmem import InMemoryStorage


async def _core() -> tuple[Core, str]:
    core = Core(InMemoryStorage())
    init = await core.initialize(1, 1)
    await core.unseal(init.keys[0])
    await core.add_mount(MountEntry(path="secret/", type="kv", options={"version": "2"}))
    return core, init.root_token


async def _rate(core: Core, token: str, operation: Operation, count: int) -> float:
    body = {"data": {"username": "app", "password": "x" * 24}}
    requests = [
        Request(
            operation,
            "secret/data/bench/read" if operation is Operation.READ else f"secret/data/w/{i % 64}",
            {} if operation is Operation.READ else body,
            client_token=token,
        )
        for i in range(count)
    ]
    start = time.perf_counter()
    for request in requests:
        await core.handle(request)
    return count / (time.perf_counter() - start)


async def main(requests: int, rounds: int) -> None:
    core, token = await _core()
    write = {"data": {"username": "app", "password": "s3cr3t"}}
    await core.handle(
        Request(Operation.UPDATE, "secret/data/bench/read", write, client_token=token)
    )
    for operation, count in ((Operation.READ, requests), (Operation.UPDATE, requests // 4)):
        rates = [await _rate(core, token, operation, count) for _ in range(rounds)]
        label = "kv2 read" if operation is Operation.READ else "kv2 write"
        print(f"{label:<10} {statistics.median(rates):>10,.0f} req/s (median of {rounds})")
    await core.seal()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.rounds))
