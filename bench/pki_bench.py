"""PKI issue throughput: pki/issue with EC P-256 leaf keys, sealbox vs OpenBao side by side.

Run: ``.venv/bin/python bench/pki_bench.py [--seconds 10] [--connections 16]`` (needs ``wrk``;
``make bench`` installs it). Both servers start from config files with durable storage
(sealbox: SQLite; OpenBao: integrated raft; the start-up code is bench/kv_bench.py's), each on
a free 127.0.0.1 port, one at a time so they never compete for the cores. Each gets a pki mount
with an EC P-256 root and a role (``key_type=ec``, ``key_bits=256``); wrk then POSTs
``pki/issue/bench`` over keep-alive connections. Every issued certificate is stored, as with
a default role. Prints certificates/s and p99 latency per round, the medians and the
sealbox/OpenBao ratio.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import socket
import statistics
import sys
import tempfile
from pathlib import Path

from kv_bench import Server, _call, _openbao, _sealbox, _wrk

_ISSUE_LUA = """
wrk.method = "POST"
wrk.headers["X-Vault-Token"] = "{token}"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{{"common_name":"svc.bench.internal","alt_names":"api.bench.internal","ttl":"1h"}}'
wrk.path = "/v1/pki/issue/bench"
"""


def _free_port() -> int:
    """A free port whose successor is free too (OpenBao's cluster port is port + 1)."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port


def _setup_pki(server: Server) -> None:
    base = f"{server.address}/v1"
    _call(
        "POST",
        f"{base}/sys/mounts/pki",
        server.token,
        {"type": "pki", "config": {"max_lease_ttl": "87600h"}},
    )
    _call(
        "POST",
        f"{base}/pki/root/generate/internal",
        server.token,
        {"common_name": "Bench Root", "key_type": "ec", "key_bits": 256, "ttl": "8760h"},
    )
    _call(
        "POST",
        f"{base}/pki/roles/bench",
        server.token,
        {
            "allowed_domains": "bench.internal",
            "allow_subdomains": True,
            "key_type": "ec",
            "key_bits": 256,
            "max_ttl": "24h",
        },
    )
    answer = _call(
        "POST", f"{base}/pki/issue/bench", server.token, {"common_name": "svc.bench.internal"}
    )
    data = answer["data"]
    assert isinstance(data, dict)
    assert data["private_key_type"] == "ec"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk, or make bench)")
    results: dict[str, list[tuple[float, float]]] = {"sealbox": [], "openbao": []}
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        root = Path(tmp)
        servers = []
        for name, factory in (("sealbox", _sealbox), ("openbao", _openbao)):
            workdir = root / name
            workdir.mkdir()
            server = stack.enter_context(factory(workdir, _free_port()))
            _setup_pki(server)
            _wrk(server, _ISSUE_LUA, 2, args.connections, workdir)  # warm-up
            servers.append((server, workdir))
        # Alternate the two (the idle one costs nothing) so a change in the machine's load
        # between runs shows up in both columns rather than in the ratio.
        for _ in range(args.rounds):
            for server, workdir in servers:
                rate = _wrk(server, _ISSUE_LUA, args.seconds, args.connections, workdir)
                results[server.name].append(rate)
    header = f"{'round':<8} {'sealbox/s':>10} {'p99 ms':>8} {'openbao/s':>10} {'p99 ms':>8}"
    print("pki issue, EC P-256 leaves, stored\n" + header + f" {'ratio':>6}")
    for index, (ours, theirs) in enumerate(
        zip(results["sealbox"], results["openbao"], strict=True)
    ):
        print(
            f"{index + 1:<8} {ours[0]:>10,.0f} {ours[1]:>8.2f} {theirs[0]:>10,.0f}"
            f" {theirs[1]:>8.2f} {ours[0] / theirs[0]:>5.2f}x"
        )
    ours_median = statistics.median(r for r, _ in results["sealbox"])
    theirs_median = statistics.median(r for r, _ in results["openbao"])
    print(
        f"{'median':<8} {ours_median:>10,.0f} {'':>8} {theirs_median:>10,.0f} {'':>8}"
        f" {ours_median / theirs_median:>5.2f}x"
    )


if __name__ == "__main__":
    main()
