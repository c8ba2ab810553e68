"""Real sealbox server processes for the auto-unseal tests, restartable on the same storage.

``ConfigServer`` runs ``sealbox server -config`` on SQLite in its own directory; ``restart``
stops the process and starts a new one with (possibly) a different ``seal`` block, keeping the
database. Waiting is polling with a deadline, never a timed assertion.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from tests.compat.conftest import VENV_BIN, free_port, start_process, stop


@dataclass
class ConfigServer:
    """One sealbox server on SQLite, started from a generated config file."""

    workdir: Path
    seal_block: str = ""
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    logs: list[str] = field(default_factory=list)

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _write_config(self) -> Path:
        config = self.workdir / "sealbox.hcl"
        config.write_text(
            f'storage "sqlite" {{\n  path = "{self.workdir}/sealbox.db"\n}}\n'
            f'listener "tcp" {{\n  address = "127.0.0.1:{self.port}"\n  tls_disable = true\n}}\n'
            f"{self.seal_block}\n"
        )
        return config

    def start(self, seal_block: str | None = None) -> None:
        if seal_block is not None:
            self.seal_block = seal_block
        args = [str(VENV_BIN / "sealbox"), "server", f"-config={self._write_config()}"]
        self.process, _ = start_process(args, self.address, self.workdir, env=self.env)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.logs.append(self.log())
            self.process = None

    def restart(self, seal_block: str | None = None) -> None:
        self.stop()
        self.start(seal_block)

    def log(self) -> str:
        return (self.workdir / "server.log").read_text(errors="replace")

    def call(self, method: str, path: str, token: str = "", **body: Any) -> requests.Response:
        headers = {"X-Vault-Token": token} if token else {}
        return requests.request(
            method, f"{self.address}/v1/{path}", json=body or None, headers=headers, timeout=30
        )

    def status(self) -> dict[str, Any]:
        answer = self.call("GET", "sys/seal-status")
        answer.raise_for_status()
        result: dict[str, Any] = answer.json()
        return result


def wait_for(check: Callable[[], bool], what: str, seconds: float = 60.0) -> None:
    """Poll ``check`` until it holds; fail with ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")
