"""A cluster of real sealbox servers on one PostgreSQL database (HA tests and bench/ha_bench.py)."""

from __future__ import annotations

import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from tests.integration.postgres.nodes import Node, initialize, pg_block, start_node, unseal


@dataclass
class Cluster:
    """Nodes, the unseal key and the root token."""

    workdir: Path
    url: str
    nodes: list[Node] = field(default_factory=list)
    key: str = ""
    token: str = ""
    extra: str = ""  # top-level server config lines for every node

    def start(self, index: int) -> Node:
        """(Re)start node ``index`` and unseal it."""
        node = start_node(
            self.workdir / f"n{index}", pg_block(self.url, '  ha_enabled = "true"\n'), self.extra
        )
        if index < len(self.nodes):
            self.nodes[index] = node
        else:
            self.nodes.append(node)
        if self.key:
            unseal(node.address, self.key)
        return node

    def health(self, node: Node) -> int:
        """sys/health's status code (0: no answer)."""
        try:
            return requests.get(f"{node.address}/v1/sys/health", timeout=5).status_code
        except requests.RequestException:
            return 0

    def wait_health(self, node: Node, codes: set[int], timeout: float = 60.0) -> int:
        """Poll sys/health until it answers one of ``codes``; that code."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.health(node)
            if code in codes:
                return code
            time.sleep(0.05)
        raise AssertionError(f"{node.address}: sys/health never answered one of {codes}")

    def actives(self) -> list[int]:
        """Indices of nodes answering sys/health with 200."""
        return [i for i, n in enumerate(self.nodes) if self.health(n) == 200]

    def wait_active(self, timeout: float = 60.0, exclude: int | None = None) -> int:
        """Poll until exactly one node (not ``exclude``) is active; its index."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            actives = [i for i in self.actives() if i != exclude]
            if len(actives) == 1:
                return actives[0]
            time.sleep(0.05)
        raise AssertionError(f"no single active node within {timeout} s")

    def kill(self, index: int) -> None:
        """SIGKILL node ``index``."""
        process = self.nodes[index].process
        process.send_signal(signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        """Stop every node still running."""
        for node in self.nodes:
            if node.process.poll() is None:
                node.stop()


def start_cluster(workdir: Path, url: str, size: int = 3, extra: str = "") -> Cluster:
    """Start ``size`` nodes, initialise through the first, unseal all, mount KV v2 at secret/."""
    cluster = Cluster(workdir, url, extra=extra)
    first = cluster.start(0)
    cluster.key, cluster.token = initialize(first.address)
    unseal(first.address, cluster.key)
    for index in range(1, size):
        cluster.start(index)
    active = cluster.nodes[cluster.wait_active()]
    requests.post(
        f"{active.address}/v1/sys/mounts/secret",
        json={"type": "kv", "options": {"version": "2"}},
        headers={"X-Vault-Token": cluster.token},
        timeout=30,
    ).raise_for_status()
    return cluster
