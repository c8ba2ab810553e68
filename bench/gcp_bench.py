"""AccessSecretVersion (versions/latest:access) through sealbox's GCP door, REST and gRPC,
in the same run as sealbox's own KV v2 read of the same secret.

Run: ``.venv/bin/python bench/gcp_bench.py [--seconds 10] [--connections 32]`` (needs ``wrk``
for the HTTP cases: ``make bench-deps``). Starts ``sealbox server -dev`` (in-memory, the GCP
door's REST and gRPC listeners beside it), writes one ~60-byte secret with gcloud's wire form,
then drives one case at a time: wrk on REST ``:access`` (bearer token), on the Vault API's
``secret/data/<name>``, on REST again as a service account whose only right is an IAM binding
(the door's IAM path), and a grpc.aio client with ``--connections`` concurrent callers on one
channel for gRPC. Prints req/s and p99 latency, and the issue's targets (>= 1,500 accesses/s
per transport; the REST door costs at most 20 % of the KV v2 read rate). Figures, not
assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import grpc  # type: ignore[import-untyped]
import jwt
from google.cloud.secretmanager_v1.types import service

BIN = Path(sys.executable).parent
TOKEN = "bench-root-token"
SECRET = b'{"username":"app_user","password":"s3cr3t-p@ssw0rd","host":"db"}'
NAME = "bench-secret"
METHOD = "/google.cloud.secretmanager.v1.SecretManagerService/AccessSecretVersion"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _request(method: str, url: str, body: bytes | None, headers: dict[str, str]) -> bytes:
    req = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310
    with urllib.request.urlopen(req, timeout=10) as response:  # noqa: S310 - loopback only
        return bytes(response.read())


def _wait(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"server exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 - loopback only
            return
        except OSError as err:
            if hasattr(err, "code"):
                return
            time.sleep(0.1)
    sys.exit("server did not start")


def _wrk(url: str, header: str, seconds: int, connections: int) -> tuple[float, float]:
    """wrk on ``url``; the header (a token) goes in a script file, not wrk's arguments."""
    name, _, value = header.partition(": ")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(f'wrk.headers["{name}"] = "{value}"\n')
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name, url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    Path(script.name).unlink()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    latency = float(p99.group(1)) * scale[p99.group(2)] if p99 else float("nan")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        print(f"  warning: {url}: {errors.group(1)} non-2xx responses", file=sys.stderr)
    return rate, latency


async def _grpc_rate(address: str, seconds: int, callers: int) -> tuple[float, float]:
    credentials = grpc.composite_channel_credentials(
        grpc.local_channel_credentials(grpc.LocalConnectionType.LOCAL_TCP),
        grpc.access_token_call_credentials(TOKEN),
    )
    request_type = service.AccessSecretVersionRequest.pb()
    response_type = service.AccessSecretVersionResponse.pb()
    request = request_type(name=f"projects/sealbox/secrets/{NAME}/versions/latest")
    latencies: list[float] = []
    async with grpc.aio.secure_channel(address, credentials) as channel:
        access = channel.unary_unary(
            METHOD,
            request_serializer=request_type.SerializeToString,
            response_deserializer=response_type.FromString,
        )
        first = await access(request)
        if first.payload.data != SECRET:
            sys.exit("gRPC access returned the wrong payload")
        stop = time.monotonic() + seconds

        async def caller() -> None:
            while time.monotonic() < stop:
                started = time.perf_counter()
                await access(request)
                latencies.append(time.perf_counter() - started)

        await asyncio.gather(*(caller() for _ in range(callers)))
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99)] * 1000 if latencies else float("nan")
    return len(latencies) / seconds, p99


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    port, rest_port = _port(), _port()
    with tempfile.TemporaryDirectory() as workdir:
        log = (Path(workdir) / "server.log").open("wb")
        process = subprocess.Popen(
            [
                str(BIN / "sealbox"),
                "server",
                "-dev",
                f"-dev-root-token-id={TOKEN}",
                f"-dev-listen-address=127.0.0.1:{port}",
                "-dev-aws-listen-address=off",
                f"-dev-gcp-listen-address=127.0.0.1:{rest_port}",
                "-log-level=warning",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait(f"http://127.0.0.1:{port}/v1/sys/health", process)
            time.sleep(1)
            grpc_address = _grpc_address(Path(workdir) / "server.log")
            rest = f"http://127.0.0.1:{rest_port}/v1/projects/sealbox/secrets"
            auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
            _request("POST", f"{rest}?secretId={NAME}", b'{"replication":{"automatic":{}}}', auth)
            body = b'{"payload":{"data":"' + base64.b64encode(SECRET) + b'"}}'
            _request("POST", f"{rest}/{NAME}:addVersion", body, auth)
            iam_token = _service_account_token(port, rest_port, rest)
            cases = {
                "kv v2 read (Vault API)": _wrk(
                    f"http://127.0.0.1:{port}/v1/secret/data/{NAME}",
                    f"X-Vault-Token: {TOKEN}",
                    args.seconds,
                    args.connections,
                ),
                "GCP REST latest:access": _wrk(
                    f"{rest}/{NAME}/versions/latest:access",
                    f"Authorization: Bearer {TOKEN}",
                    args.seconds,
                    args.connections,
                ),
                "GCP REST access, IAM-bound SA": _wrk(
                    f"{rest}/{NAME}/versions/latest:access",
                    f"Authorization: Bearer {iam_token}",
                    args.seconds,
                    args.connections,
                ),
                "GCP gRPC AccessSecretVersion": asyncio.run(
                    _grpc_rate(grpc_address, args.seconds, args.connections)
                ),
            }
        finally:
            process.terminate()
            process.wait(timeout=30)
    for case, (rate, p99) in cases.items():
        print(f"{case:32s} {rate:9.0f} req/s   p99 {p99:7.2f} ms")
    kv = cases["kv v2 read (Vault API)"][0]
    rest_rate = cases["GCP REST latest:access"][0]
    grpc_rate = cases["GCP gRPC AccessSecretVersion"][0]
    print(f"REST door / KV v2 read: {rest_rate / kv:.0%} (target >= 80 %)")
    print(
        f"targets >= 1,500/s: REST {'met' if rest_rate >= 1500 else 'NOT met'}, "
        f"gRPC {'met' if grpc_rate >= 1500 else 'NOT met'}"
    )


def _service_account_token(port: int, rest_port: int, rest: str) -> str:
    """An access token of a service account bound as secretAccessor on the secret: a key file
    from auth/gcpsa, its JWT bearer grant at the door's /token (the IAM path of authz.py)."""
    email = "bench@sealbox.iam.gserviceaccount.com"
    vault = {"X-Vault-Token": TOKEN}
    made = _request(
        "POST", f"http://127.0.0.1:{port}/v1/auth/gcpsa/service-accounts/{email}/keys", b"", vault
    )
    key_file = json.loads(made)["data"]["key_file"]
    now = int(time.time())
    assertion = jwt.encode(
        {"iss": email, "aud": key_file["token_uri"], "iat": now, "exp": now + 3600},
        key_file["private_key"],
        algorithm="RS256",
        headers={"kid": key_file["private_key_id"]},
    )
    form = urllib.parse.urlencode(
        {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion}
    ).encode()
    answer = _request(
        "POST",
        f"http://127.0.0.1:{rest_port}/token",
        form,
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    token = str(json.loads(answer)["access_token"])
    binding = {"role": "roles/secretmanager.secretAccessor", "members": [f"serviceAccount:{email}"]}
    body = json.dumps({"policy": {"bindings": [binding]}}).encode()
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    _request("POST", f"{rest}/{NAME}:setIamPolicy", body, auth)
    return token


def _grpc_address(log: Path) -> str:
    found = re.search(r"gRPC \(SecretManagerService\) on (\S+),", log.read_text())
    if found is None:
        sys.exit("dev mode printed no gRPC address")
    return found.group(1)


if __name__ == "__main__":
    main()
