"""GetSecretValue through sealbox's AWS door vs moto_server, and vs sealbox's own KV v2 read.

Run: ``.venv/bin/python bench/aws_bench.py [--seconds 10] [--connections 32]`` (needs ``wrk``:
``make bench`` installs it; moto_server comes with the test extras). Starts ``sealbox server
-dev`` (in-memory, its AWS door beside it) and ``moto_server``, one secret of ~60 bytes in each.
wrk replays one GetSecretValue signed with botocore's SigV4 signer (valid for 15 minutes, like
any AWS request; the door verifies every signature) over keep-alive connections; the KV v2
case reads the same secret through the Vault API. A closed-loop boto3 client gives the figure
an application would see. One server is driven at a time, so they never compete for the
cores. Prints req/s and p99 latency, and the two ratios the issue sets targets for
(door >= 10x moto_server; door >= 80 % of the KV v2 read). Figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

BIN = Path(sys.executable).parent
TOKEN = "bench-root-token"
SECRET = '{"username":"app_user","password":"s3cr3t-p@ssw0rd","host":"db"}'
REGION = "us-east-1"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_http(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{url}: server exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 - loopback only
            return
        except OSError as err:
            if hasattr(err, "code"):
                return  # any HTTP answer means it is up
            time.sleep(0.1)
    sys.exit(f"{url}: server did not start")


def _signed_lua(endpoint: str, key: tuple[str, str], body: str) -> str:
    request = AWSRequest(
        method="POST",
        url=endpoint + "/",
        data=body.encode(),
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "secretsmanager.GetSecretValue",
        },
    )
    SigV4Auth(Credentials(*key), "secretsmanager", REGION).add_auth(request)
    lines = ['wrk.method = "POST"', f"wrk.body = {json.dumps(body)}"]
    for name, value in request.headers.items():
        if name.lower() != "host":
            lines.append(f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def _wrk(url: str, lua: str, seconds: int, connections: int, workdir: Path) -> tuple[float, float]:
    script = workdir / "case.lua"
    script.write_text(lua)
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
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
        print(f"  warning: {url}: {errors.group(1)} non-2xx responses", file=sys.stderr)
    return rate, latency


def _client(endpoint: str, key: tuple[str, str]) -> Any:
    return boto3.client(
        "secretsmanager",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=key[0],
        aws_secret_access_key=key[1],
        config=Config(retries={"max_attempts": 1}),
    )


def _boto_rate(endpoint: str, key: tuple[str, str], seconds: int) -> float:
    client = _client(endpoint, key)
    client.get_secret_value(SecretId="bench/secret")
    count, end = 0, time.monotonic() + seconds
    while time.monotonic() < end:
        client.get_secret_value(SecretId="bench/secret")
        count += 1
    return count / seconds


def _start_sealbox(workdir: Path) -> tuple[subprocess.Popen[bytes], str, str, tuple[str, str]]:
    port, aws_port = _port(), _port()
    log = workdir / "sealbox.log"
    process = subprocess.Popen(
        [
            str(BIN / "sealbox"),
            "server",
            "-dev",
            f"-dev-root-token-id={TOKEN}",
            f"-dev-listen-address=127.0.0.1:{port}",
            f"-dev-aws-listen-address=127.0.0.1:{aws_port}",
            "-log-level=warning",
        ],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    vault = f"http://127.0.0.1:{port}"
    _wait_http(vault + "/v1/sys/health", process)
    for _ in range(100):
        found = dict(re.findall(r"export (AWS_[A-Z_]+)='([^']*)'", log.read_text()))
        if "AWS_SECRET_ACCESS_KEY" in found:
            break
        time.sleep(0.1)
    key = (found["AWS_ACCESS_KEY_ID"], found["AWS_SECRET_ACCESS_KEY"])
    return process, vault, found["AWS_ENDPOINT_URL_SECRETS_MANAGER"], key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk, or make bench)")
    body = json.dumps({"SecretId": "bench/secret"})
    results: dict[str, tuple[float, float]] = {}
    boto_rates: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        process, vault, endpoint, key = _start_sealbox(workdir)
        try:
            _client(endpoint, key).create_secret(Name="bench/secret", SecretString=SECRET)
            kv_lua = f'wrk.method = "GET"\nwrk.headers["X-Vault-Token"] = "{TOKEN}"\n'
            kv_url = vault + "/v1/secret/data/bench/secret"
            aws_lua = _signed_lua(endpoint, key, body)
            for case, url, lua in (
                ("sealbox kv2 read", kv_url, kv_lua),
                ("sealbox GetSecretValue", endpoint, aws_lua),
            ):
                _wrk(url, lua, 2, args.connections, workdir)  # warm-up
                results[case] = _wrk(url, lua, args.seconds, args.connections, workdir)
            boto_rates["sealbox"] = _boto_rate(endpoint, key, args.seconds)
        finally:
            process.terminate()
            process.wait()
        moto_port = _port()
        moto = subprocess.Popen(
            [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(moto_port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        moto_url = f"http://127.0.0.1:{moto_port}"
        try:
            _wait_http(moto_url + "/moto-api/", moto)
            moto_key = ("AKIDEXAMPLE", "moto-does-not-check")
            _client(moto_url, moto_key).create_secret(Name="bench/secret", SecretString=SECRET)
            lua = _signed_lua(moto_url, moto_key, body)
            _wrk(moto_url, lua, 2, args.connections, workdir)
            results["moto_server GetSecretValue"] = _wrk(
                moto_url, lua, args.seconds, args.connections, workdir
            )
            boto_rates["moto_server"] = _boto_rate(moto_url, moto_key, args.seconds)
        finally:
            moto.terminate()
            moto.wait()
    print(f"wrk, {args.connections} keep-alive connections, {args.seconds} s per case")
    print(f"{'case':<28} {'req/s':>10} {'p99 ms':>8}")
    for case, (rate, p99) in results.items():
        print(f"{case:<28} {rate:>10,.0f} {p99:>8.2f}")
    door = results["sealbox GetSecretValue"][0]
    print(f"door / moto_server:  {door / results['moto_server GetSecretValue'][0]:.1f}x")
    print(f"door / kv2 read:     {door / results['sealbox kv2 read'][0]:.0%}")
    print("boto3, one closed-loop client:")
    for name, rate in boto_rates.items():
        print(f"  {name:<12} {rate:>8,.0f} GetSecretValue/s")


if __name__ == "__main__":
    main()
