"""Differential: the same boto3 calls against moto_server and sealbox; response shapes compared.

moto follows AWS for most response shapes; where AWS's documentation and moto differ, sealbox
follows AWS, and those members are listed in ``KNOWN`` with the reason (reference §3).
"""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests
from tests.compat.aws.conftest import REGION, Boto
from tests.compat.conftest import VENV_BIN, free_port

pytestmark = [pytest.mark.compat, pytest.mark.slow]

# Members one side sends and the other does not, where sealbox follows AWS's documentation.
KNOWN: dict[str, set[str]] = {
    # moto sends an empty NextToken at the end; AWS omits absent members (botocore's paginator
    # stops on either).
    "list_secret_version_ids": {"NextToken"},
    # moto omits these; AWS documents them: PrimaryRegion always, LastAccessedDate once read.
    "describe_secret": {"PrimaryRegion", "LastAccessedDate"},
}


@pytest.fixture(scope="module")
def moto() -> Iterator[Any]:
    port = free_port()
    process = subprocess.Popen(
        [str(VENV_BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(url + "/moto-api/", timeout=1)
            break
        except requests.RequestException:
            time.sleep(0.1)
    yield boto3.client(
        "secretsmanager",
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="x",
    )
    process.terminate()
    process.wait()


def _scenario(c: Any, name: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    out["create_secret"] = c.create_secret(
        Name=name, SecretString='{"a":"b"}', Description="d", Tags=[{"Key": "k", "Value": "v"}]
    )
    out["get_secret_value"] = c.get_secret_value(SecretId=name)
    out["put_secret_value"] = c.put_secret_value(SecretId=name, SecretString="two")
    out["describe_secret"] = c.describe_secret(SecretId=name)
    out["list_secret_version_ids"] = c.list_secret_version_ids(SecretId=name)
    out["list_secrets"] = c.list_secrets(Filters=[{"Key": "name", "Values": [name]}])
    out["update_secret"] = c.update_secret(SecretId=name, Description="e")
    out["tag_resource"] = c.tag_resource(SecretId=name, Tags=[{"Key": "x", "Value": "y"}])
    out["get_resource_policy"] = c.get_resource_policy(SecretId=name)
    out["get_random_password"] = c.get_random_password()
    out["batch_get_secret_value"] = c.batch_get_secret_value(SecretIdList=[name])
    out["delete_secret"] = c.delete_secret(SecretId=name, RecoveryWindowInDays=7)
    out["restore_secret"] = c.restore_secret(SecretId=name)
    return out


def _keys(value: Any) -> set[str]:
    return {k for k in value if k != "ResponseMetadata"} if isinstance(value, dict) else set()


def test_response_members_match_moto(moto: Any, boto: Boto) -> None:
    name = f"diff/{uuid.uuid4().hex[:8]}"
    theirs, ours = _scenario(moto, name), _scenario(boto(), name)
    for operation, response in ours.items():
        differing = _keys(response) ^ _keys(theirs[operation])
        assert differing <= KNOWN.get(operation, set()), (operation, differing)
    for nested in ("SecretList",):
        mine = _keys(ours["list_secrets"][nested][0])
        other = _keys(theirs["list_secrets"][nested][0])
        assert mine ^ other <= {"PrimaryRegion", "LastAccessedDate", "RotationEnabled"}, (
            mine ^ other
        )
    assert ours["get_secret_value"]["SecretString"] == theirs["get_secret_value"]["SecretString"]
    assert [v["VersionStages"] for v in ours["list_secret_version_ids"]["Versions"]] == [
        v["VersionStages"] for v in theirs["list_secret_version_ids"]["Versions"]
    ]
