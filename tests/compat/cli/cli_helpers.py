"""Helpers for the CLI compat suite: server processes, CLI runners, output masking.

``SEALBOX_CLI_TARGET`` picks the server: ``bao`` (OpenBao's dev server) or ``sealbox``
(``sealbox server -dev``). The default is ``sealbox`` when ``sealbox.server.run`` imports, else
``bao``. Each CLI call gets ``VAULT_ADDR``/``VAULT_TOKEN`` and a private ``HOME``, so the token
file written by ``sealbox login`` is isolated per test.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from tests.ports import free_port

BIN = Path(sys.executable).parent
ROOT_TOKEN = "sealbox-cli-root"


def server_target() -> str:
    """The server the suite runs against: ``bao`` or ``sealbox``."""
    chosen = os.environ.get("SEALBOX_CLI_TARGET", "").strip().lower()
    if chosen:
        return chosen
    return "sealbox" if importlib.util.find_spec("sealbox.server.run") else "bao"


@dataclass
class Server:
    address: str
    token: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_server(target: str, log_dir: Path, token: str = ROOT_TOKEN) -> Server:
    """Start a dev server on a free loopback port and wait until it answers."""
    port = free_port()
    listen = f"127.0.0.1:{port}"
    exe = BIN / ("bao" if target == "bao" else "sealbox")
    args = [
        str(exe),
        "server",
        "-dev",
        f"-dev-root-token-id={token}",
        f"-dev-listen-address={listen}",
    ]
    log_path = log_dir / f"{target}-{port}.log"
    env = {**os.environ, "HOME": str(log_dir)}
    env.pop("VAULT_TOKEN", None)
    with log_path.open("wb") as log:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
    address = f"http://{listen}"
    for _ in range(300):
        if process.poll() is not None:
            break
        try:
            if httpx.get(f"{address}/v1/sys/seal-status", timeout=1.0).status_code == 200:
                return Server(address, token, process, log_path)
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{target} server did not start:\n{log_path.read_text()}")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


Runner = Callable[..., subprocess.CompletedProcess[str]]


def make_runner(exe: str, address: str, token: str | None, home: Path) -> Runner:
    def run(
        *args: str,
        stdin: str | None = None,
        token_override: str | None = None,
        no_token: bool = False,
        extra_env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("VAULT_", "SEALBOX_", "BAO_"))
        }
        env.update({"HOME": str(home), "VAULT_ADDR": address, "NO_COLOR": "1"})
        chosen = token_override if token_override is not None else token
        if chosen and not no_token:
            env["VAULT_TOKEN"] = chosen
        env.update(extra_env or {})
        return subprocess.run(
            [str(BIN / exe), *args],
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )

    return run


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


_MASKS = (
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"), "<time>"),
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>"),
)


def mask(text: str) -> str:
    """Hide timestamps and UUIDs so outputs of two clients can be compared."""
    for pattern, replacement in _MASKS:
        text = pattern.sub(replacement, text)
    return text
