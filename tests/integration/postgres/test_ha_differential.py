"""hvac's sys/leader, sys/health and step-down against sealbox and OpenBao, both on PostgreSQL HA.

Two nodes of each on their own database of the same PostgreSQL server; the same hvac calls on
both clusters must give the same shapes and status codes (values such as addresses differ).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hvac
import psycopg
import pytest
import requests
from tests.integration.postgres.cluster import start_cluster
from tests.integration.postgres.openbao_nodes import start_bao_cluster, wait_status

pytestmark = [pytest.mark.slow, pytest.mark.compat]


@pytest.fixture
def clusters(tmp_path: Path, pg_url: str) -> Iterator[dict[str, tuple[list[str], str]]]:
    """{"sealbox": (addresses, root token), "openbao": (...)}; the first address is active."""
    bao_url = pg_url.rsplit("/", 1)[0] + "/" + pg_url.rsplit("/", 1)[1] + "_bao"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{bao_url.rsplit("/", 1)[1]}"')
    # OpenBao's standbys forward every request: compare with ours configured the same way.
    ours = start_cluster(
        tmp_path / "sealbox", pg_url, 2, extra="disable_performance_standby = true\n"
    )
    baos, _, bao_token = start_bao_cluster(tmp_path / "bao", bao_url, 2)
    try:
        active = ours.wait_active()
        addresses = [ours.nodes[active].address, ours.nodes[1 - active].address]
        yield {
            "sealbox": (addresses, ours.token),
            "openbao": ([b.address for b in baos], bao_token),
        }
    finally:
        ours.stop_all()
        for node in baos:
            node.stop()
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{bao_url.rsplit("/", 1)[1]}" WITH (FORCE)')


def _observe(addresses: list[str], token: str) -> dict[str, Any]:
    active, standby = (hvac.Client(url=a, token=token, timeout=30) for a in addresses)
    seen: dict[str, Any] = {}
    for name, client in (("active", active), ("standby", standby)):
        leader = client.sys.read_leader_status()
        seen[f"{name} leader keys"] = sorted(leader)
        seen[f"{name} is_self"] = leader["is_self"]
        seen[f"{name} names the active"] = leader["leader_address"] == addresses[0]
        health = requests.get(f"{client.url}/v1/sys/health", timeout=10)
        seen[f"{name} health"] = health.status_code
        seen[f"{name} standby"] = health.json()["standby"]
        seen[f"{name} health keys"] = sorted(
            k for k in health.json() if not k.startswith("replication")
        )
        override = requests.get(f"{client.url}/v1/sys/health?standbyok=true", timeout=10)
        seen[f"{name} standbyok"] = override.status_code
    bad = requests.put(
        f"{addresses[0]}/v1/sys/step-down", headers={"X-Vault-Token": "nope"}, timeout=10
    )
    seen["bad step-down"] = (bad.status_code, bad.json())
    active.sys.step_down()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if requests.get(f"{addresses[1]}/v1/sys/health", timeout=10).status_code == 200:
            break
        time.sleep(0.1)
    wait_status(addresses[0], 429)
    seen["after step-down"] = [
        requests.get(f"{a}/v1/sys/health", timeout=10).status_code for a in addresses
    ]
    return seen


def test_leader_health_and_step_down_match_openbao(
    clusters: dict[str, tuple[list[str], str]],
) -> None:
    ours = _observe(*clusters["sealbox"])
    theirs = _observe(*clusters["openbao"])
    assert ours == theirs
