"""Transit encrypt and decrypt throughput: sealbox vs OpenBao, side by side, with wrk.

Run: ``.venv/bin/python bench/transit_bench.py [--seconds 5] [--rounds 3] [--connections 32]``
(needs ``wrk``). Both servers start from config files exactly as in ``kv_bench.py`` (sealbox
on SQLite, OpenBao on raft; initialised, unsealed), get a transit mount with an aes256-gcm96
key, and are driven by the same wrk scripts, taking turns for ``--rounds`` rounds: one item
per request and batches of 100 (``batch_input``). Prints the median requests/s, items/s and
p99 latency per case, the sealbox/OpenBao ratio, and the ratio of each round. Figures, not
assertions.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import shutil
import socket
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.kv_bench import Server, _call, _openbao, _sealbox, _wrk

PLAINTEXT = base64.b64encode(b"card=4111111111111111;exp=12/29;cvv=123").decode()
BATCH = 100
_POST_LUA = """
wrk.method = "POST"
wrk.headers["X-Vault-Token"] = "{{token}}"
wrk.headers["Content-Type"] = "application/json"
wrk.path = "{path}"
wrk.body = '{body}'
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _scripts(server: Server) -> dict[str, tuple[str, int]]:
    """wrk script and items per request for each case, bodies prepared on ``server``."""
    url = f"{server.address}/v1"
    _call("POST", f"{url}/sys/mounts/transit", server.token, {"type": "transit"})
    _call("POST", f"{url}/transit/keys/bench", server.token, {})
    one = _call("POST", f"{url}/transit/encrypt/bench", server.token, {"plaintext": PLAINTEXT})
    data = one["data"]
    assert isinstance(data, dict)
    ciphertext = data["ciphertext"]
    many = [{"plaintext": PLAINTEXT} for _ in range(BATCH)]
    cipher_items = [{"ciphertext": ciphertext} for _ in range(BATCH)]

    def script(path: str, body: object) -> str:
        # Doubled braces survive the .format(token=...) that _wrk applies.
        text = json.dumps(body, separators=(",", ":")).replace("{", "{{").replace("}", "}}")
        return _POST_LUA.format(path=path, body=text)

    return {
        "encrypt x1": (script("/v1/transit/encrypt/bench", {"plaintext": PLAINTEXT}), 1),
        "decrypt x1": (script("/v1/transit/decrypt/bench", {"ciphertext": ciphertext}), 1),
        "encrypt x100": (script("/v1/transit/encrypt/bench", {"batch_input": many}), BATCH),
        "decrypt x100": (script("/v1/transit/decrypt/bench", {"batch_input": cipher_items}), BATCH),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk, or make bench)")
    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    items_of: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        root = Path(tmp)
        prepared = []
        for name, factory in (("sealbox", _sealbox), ("openbao", _openbao)):
            workdir = root / name
            workdir.mkdir()
            port = _free_port() if name == "sealbox" else _free_port_pair()
            server = stack.enter_context(factory(workdir, port))
            scripts = _scripts(server)
            for script, _items in scripts.values():
                _wrk(server, script, 2, args.connections, workdir)  # warm-up
            prepared.append((server, workdir, scripts))
        # Both stay up and take turns (the idle one costs nothing), so a change in the shared
        # machine's load between runs shows up in both columns rather than in the ratio.
        for _ in range(args.rounds):
            for server, workdir, scripts in prepared:
                for case, (script, items) in scripts.items():
                    items_of[case] = items
                    rate = _wrk(server, script, args.seconds, args.connections, workdir)
                    results.setdefault((server.name, case), []).append(rate)
    print(
        f"{'case (median)':<14} {'sealbox req/s':>13} {'items/s':>9} {'p99 ms':>7}"
        f" {'openbao req/s':>13} {'items/s':>9} {'p99 ms':>7} {'ratio':>6}"
    )
    for case, items in items_of.items():
        ours = _median(results[("sealbox", case)])
        theirs = _median(results[("openbao", case)])
        print(
            f"{case:<14} {ours[0]:>13,.0f} {ours[0] * items:>9,.0f} {ours[1]:>7.2f}"
            f" {theirs[0]:>13,.0f} {theirs[0] * items:>9,.0f} {theirs[1]:>7.2f}"
            f" {ours[0] / theirs[0]:>5.2f}x"
        )
    rounds = ", ".join(
        f"{case}: "
        + "/".join(
            f"{a[0] / b[0]:.2f}"
            for a, b in zip(results[("sealbox", case)], results[("openbao", case)], strict=True)
        )
        for case in items_of
    )
    print(f"ratio per round: {rounds}")


def _median(runs: list[tuple[float, float]]) -> tuple[float, float]:
    """Median rate and median p99 of a case's rounds."""
    return statistics.median(r for r, _ in runs), statistics.median(p for _, p in runs)


def _free_port_pair() -> int:
    """A port whose successor is free too (OpenBao's cluster port)."""
    for _ in range(50):
        port = _free_port()
        try:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", port + 1))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port pair")


if __name__ == "__main__":
    main()
