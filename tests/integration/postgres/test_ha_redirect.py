"""Redirect mode: with request forwarding off, standbys answer 307 to the active's api_addr."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import hvac
import pytest
import requests
from tests.integration.postgres.cluster import Cluster, start_cluster

pytestmark = pytest.mark.slow


@pytest.fixture
def cluster(tmp_path: Path, pg_url: str) -> Iterator[Cluster]:
    """Two nodes with ``disable_request_forwarding = true``."""
    running = start_cluster(tmp_path, pg_url, 2, extra="disable_request_forwarding = true\n")
    try:
        yield running
    finally:
        running.stop_all()


def test_a_standby_redirects_to_the_active_with_path_and_query(cluster: Cluster) -> None:
    active = cluster.wait_active()
    standby = cluster.nodes[1 - active]
    leader = cluster.nodes[active].address
    headers = {"X-Vault-Token": cluster.token}
    answer = requests.put(
        f"{standby.address}/v1/secret/data/r?x=1",
        json={"data": {"k": "v"}},
        headers=headers,
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 307
    assert answer.headers["location"] == f"{leader}/v1/secret/data/r?x=1"
    assert answer.content == b""
    # Nothing was written by the standby: the key is absent until the client follows.
    missing = requests.get(f"{leader}/v1/secret/data/r", headers=headers, timeout=10)
    assert missing.status_code == 404
    # The node-local endpoints still answer on the standby itself.
    assert requests.get(f"{standby.address}/v1/sys/health", timeout=10).status_code in (429, 473)
    leader_status = requests.get(f"{standby.address}/v1/sys/leader", timeout=10).json()
    assert leader_status["leader_address"] == leader


def test_hvac_follows_the_redirect_to_write_and_read(cluster: Cluster) -> None:
    active = cluster.wait_active()
    standby = cluster.nodes[1 - active]
    client = hvac.Client(url=standby.address, token=cluster.token, timeout=30)
    client.secrets.kv.v2.create_or_update_secret("via-redirect", secret={"a": "b"})
    got = client.secrets.kv.v2.read_secret_version("via-redirect", raise_on_deleted_version=True)
    assert got["data"]["data"] == {"a": "b"}
