"""The AWS door on an HA standby: boto3 against a standby's own door port works like the active's.

Two real nodes on one PostgreSQL, each with a ``listener "aws"``. Secrets created and changed
through the standby's door (its core requests forwarded to the active's Vault API) are read
back through both doors and through the Vault API; a missing secret is the same
ResourceNotFoundException through either door.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from tests.compat.conftest import free_port
from tests.integration.postgres.cluster import Cluster
from tests.integration.postgres.nodes import initialize, pg_block, start_node, unseal

pytestmark = pytest.mark.slow


def _aws_listener(workdir: Path, port: int) -> str:
    return (
        f'listener "aws" {{\n  address = "127.0.0.1:{port}"\n  tls_disable = true\n'
        f'  mount = "apps"\n  token_file = "{workdir / "door-token"}"\n}}\n'
    )


@pytest.fixture
def doors(tmp_path: Path, pg_url: str) -> Iterator[tuple[Cluster, list[str], dict[str, Any]]]:
    """Two nodes with AWS doors; (cluster, door endpoints, sigv4 key)."""
    cluster = Cluster(tmp_path, pg_url)
    ports = [free_port(), free_port()]
    storage = pg_block(pg_url, '  ha_enabled = "true"\n')
    try:
        for index, port in enumerate(ports):
            workdir = tmp_path / f"n{index}"
            workdir.mkdir()
            cluster.nodes.append(start_node(workdir, storage, _aws_listener(workdir, port)))
        cluster.key, cluster.token = initialize(cluster.nodes[0].address)
        for node in cluster.nodes:
            unseal(node.address, cluster.key)
        for index in range(2):
            (tmp_path / f"n{index}" / "door-token").write_text(cluster.token + "\n")
        active = cluster.nodes[cluster.wait_active()].address
        headers = {"X-Vault-Token": cluster.token}
        enable: list[tuple[str, dict[str, Any]]] = [
            ("sys/mounts/apps", {"type": "kv", "options": {"version": "2"}}),
            ("sys/auth/sigv4", {"type": "sigv4"}),
        ]
        for path, body in enable:
            answer = requests.post(f"{active}/v1/{path}", json=body, headers=headers, timeout=30)
            answer.raise_for_status()
        key = requests.post(
            f"{active}/v1/auth/sigv4/keys/ci",
            json={"token": cluster.token},
            headers=headers,
            timeout=30,
        ).json()["data"]
        yield cluster, [f"http://127.0.0.1:{port}" for port in ports], key
    finally:
        cluster.stop_all()


def _client(endpoint: str, key: dict[str, Any]) -> Any:
    return boto3.client(
        "secretsmanager",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=key["access_key_id"],
        aws_secret_access_key=key["secret_access_key"],
    )


def test_the_aws_door_of_a_standby_writes_at_the_active_and_reads(
    doors: tuple[Cluster, list[str], dict[str, Any]],
) -> None:
    cluster, endpoints, key = doors
    active = cluster.wait_active()
    cluster.wait_health(cluster.nodes[1 - active], {473})
    standby_door = _client(endpoints[1 - active], key)
    active_door = _client(endpoints[active], key)

    standby_door.create_secret(Name="db", SecretString="one")
    assert standby_door.get_secret_value(SecretId="db")["SecretString"] == "one"
    assert active_door.get_secret_value(SecretId="db")["SecretString"] == "one"
    standby_door.put_secret_value(SecretId="db", SecretString="two")
    assert active_door.get_secret_value(SecretId="db")["SecretString"] == "two"
    assert standby_door.get_secret_value(SecretId="db")["SecretString"] == "two"
    names = [s["Name"] for s in standby_door.list_secrets()["SecretList"]]
    assert names == ["db"]
    vault = requests.get(
        f"{cluster.nodes[1 - active].address}/v1/apps/data/db",
        headers={"X-Vault-Token": cluster.token},
        timeout=10,
    )
    assert vault.json()["data"]["data"] == {"SecretString": "two"}
    for door in (standby_door, active_door):
        with pytest.raises(ClientError) as missing:
            door.get_secret_value(SecretId="nope")
        assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
