"""Real sealbox server processes on a given storage block (shared by the migration and HA tests)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import requests
from tests.compat.conftest import VENV_BIN, free_port, start_process, stop


@dataclass
class Node:
    """One running ``sealbox server -config=...``."""

    address: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        """SIGTERM and reap."""
        stop(self.process)


def write_config(workdir: Path, storage: str, port: int, extra: str = "") -> Path:
    """A server config with ``storage`` (an HCL block) and a plain-HTTP listener on ``port``."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "sealbox.hcl"
    config.write_text(
        f'{storage}\nlistener "tcp" {{\n  address = "127.0.0.1:{port}"\n  tls_disable = true\n}}\n'
        f'api_addr = "http://127.0.0.1:{port}"\n{extra}'
    )
    return config


def start_node(workdir: Path, storage: str, extra: str = "") -> Node:
    """Start a server in ``workdir`` (created) and wait until it answers sys/health."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = write_config(workdir, storage, port, extra)
    address = f"http://127.0.0.1:{port}"
    process, log = start_process(
        [str(VENV_BIN / "sealbox"), "server", f"-config={config}"], address, workdir
    )
    return Node(address, process, log)


def initialize(address: str) -> tuple[str, str]:
    """sys/init with one share; returns (unseal key, root token)."""
    answer = requests.put(
        f"{address}/v1/sys/init", json={"secret_shares": 1, "secret_threshold": 1}, timeout=30
    )
    answer.raise_for_status()
    body = answer.json()
    return body["keys"][0], body["root_token"]


def unseal(address: str, key: str) -> None:
    """Submit the one unseal key."""
    answer = requests.put(f"{address}/v1/sys/unseal", json={"key": key}, timeout=30)
    answer.raise_for_status()
    assert answer.json()["sealed"] is False


def pg_block(url: str, extra: str = "") -> str:
    """A ``storage "postgresql"`` block."""
    return f'storage "postgresql" {{\n  connection_url = "{url}"\n{extra}}}\n'


def sqlite_block(path: Path) -> str:
    """A ``storage "sqlite"`` block."""
    return f'storage "sqlite" {{\n  path = "{path}"\n}}\n'
