"""KV v2 read and write throughput: sealbox (SQLite) vs OpenBao (raft), side by side, with wrk.

Run: ``.venv/bin/python bench/kv_bench.py [--seconds 10] [--connections 32]`` (needs ``wrk``:
``make bench`` installs it). Both servers start from config files on 127.0.0.1 with durable
storage (sealbox: SQLite, WAL, synchronous=FULL; OpenBao: integrated raft), are initialised
and unsealed, get a KV v2 mount at ``secret/``, and are then driven by the same wrk scripts
over keep-alive connections, one server at a time so they never compete for the two cores.
Prints req/s and p99 latency per case and the sealbox/OpenBao ratio. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BIN = Path(sys.executable).parent

_READ_LUA = """
wrk.method = "GET"
wrk.headers["X-Vault-Token"] = "{token}"
wrk.path = "/v1/secret/data/bench/read"
"""
_WRITE_LUA = """
local counter = 0
wrk.headers["X-Vault-Token"] = "{token}"
wrk.headers["Content-Type"] = "application/json"
request = function()
  counter = counter + 1
  local body = '{{"data":{{"username":"app","password":"p-' .. counter .. '","n":' .. counter .. '}}}}'
  return wrk.format("POST", "/v1/secret/data/bench/w" .. (counter % 1000), nil, body)
end
"""


@dataclass
class Server:
    name: str
    address: str
    token: str


def _call(method: str, url: str, token: str = "", body: object = None) -> dict[str, object]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - loopback only
    if token:
        request.add_header("X-Vault-Token", token)
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        raw = response.read()
    return json.loads(raw) if raw else {}


def _wait(address: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            urllib.request.urlopen(f"{address}/v1/sys/seal-status", timeout=1)  # noqa: S310
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def _prepare(name: str, address: str) -> Server:
    init = _call("PUT", f"{address}/v1/sys/init", body={"secret_shares": 1, "secret_threshold": 1})
    keys = init["keys"]
    assert isinstance(keys, list)
    _call("PUT", f"{address}/v1/sys/unseal", body={"key": keys[0]})
    token = str(init["root_token"])
    for _ in range(100):  # raft needs a moment to elect itself after unseal
        try:
            _call(
                "POST",
                f"{address}/v1/sys/mounts/secret",
                token,
                {"type": "kv", "options": {"version": "2"}},
            )
            break
        except OSError:
            time.sleep(0.2)
    for _ in range(100):
        try:
            _call(
                "POST",
                f"{address}/v1/secret/data/bench/read",
                token,
                {"data": {"username": "app", "password": "s3cr3t"}},
            )
            break
        except OSError:
            time.sleep(0.2)
    return Server(name, address, token)


@contextmanager
def _sealbox(workdir: Path, port: int) -> Iterator[Server]:
    config = workdir / "sealbox.hcl"
    config.write_text(
        f'storage "sqlite" {{\n  path = "{workdir}/sealbox.db"\n}}\n'
        f'listener "tcp" {{\n  address = "127.0.0.1:{port}"\n  tls_disable = true\n}}\n'
    )
    log = (workdir / "sealbox.log").open("wb")
    process = subprocess.Popen(
        [str(BIN / "sealbox"), "server", f"-config={config}"], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        address = f"http://127.0.0.1:{port}"
        _wait(address, process)
        yield _prepare("sealbox", address)
    finally:
        process.terminate()
        process.wait()


@contextmanager
def _openbao(workdir: Path, port: int) -> Iterator[Server]:
    data = workdir / "raft"
    data.mkdir()
    config = workdir / "bao.hcl"
    config.write_text(
        f'storage "raft" {{\n  path = "{data}"\n  node_id = "bench"\n}}\n'
        f'listener "tcp" {{\n  address = "127.0.0.1:{port}"\n  tls_disable = true\n'
        f'  cluster_address = "127.0.0.1:{port + 1}"\n}}\n'
        f'api_addr = "http://127.0.0.1:{port}"\ncluster_addr = "http://127.0.0.1:{port + 1}"\n'
        "disable_mlock = true\n"
    )
    log = (workdir / "bao.log").open("wb")
    process = subprocess.Popen(
        [str(BIN / "bao"), "server", f"-config={config}"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "HOME": str(workdir)},
    )
    try:
        address = f"http://127.0.0.1:{port}"
        _wait(address, process)
        yield _prepare("openbao", address)
    finally:
        process.terminate()
        process.wait()


def _wrk(
    server: Server, script: str, seconds: int, connections: int, workdir: Path
) -> tuple[float, float]:
    lua = workdir / f"{server.name}.lua"
    lua.write_text(script.format(token=server.token))
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(lua),
            server.address,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    latency = float(p99.group(1)) * scale[p99.group(2)] if p99 else float("nan")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        print(f"  warning: {server.name}: {errors.group(1)} non-2xx responses", file=sys.stderr)
    return rate, latency


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk, or make bench)")
    results: dict[tuple[str, str], tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, factory, port in (("sealbox", _sealbox, 18820), ("openbao", _openbao, 18830)):
            workdir = root / name
            workdir.mkdir()
            with factory(workdir, port) as server:
                for case, script in (("kv2 read", _READ_LUA), ("kv2 write", _WRITE_LUA)):
                    _wrk(server, script, 2, args.connections, workdir)  # warm-up
                    results[(name, case)] = _wrk(
                        server, script, args.seconds, args.connections, workdir
                    )
    print(
        f"{'case':<10} {'sealbox req/s':>14} {'p99 ms':>8} {'openbao req/s':>14} {'p99 ms':>8}"
        f" {'ratio':>6}"
    )
    for case in ("kv2 read", "kv2 write"):
        ours, theirs = results[("sealbox", case)], results[("openbao", case)]
        print(
            f"{case:<10} {ours[0]:>14,.0f} {ours[1]:>8.2f} {theirs[0]:>14,.0f} {theirs[1]:>8.2f}"
            f" {ours[0] / theirs[0]:>5.2f}x"
        )


if __name__ == "__main__":
    main()
