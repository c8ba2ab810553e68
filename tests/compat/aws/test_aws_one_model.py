"""One secret model: AWS and Vault doors on the same KV v2 secrets, in the same audit log."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from tests.compat.aws.conftest import Boto, Door

pytestmark = [pytest.mark.compat, pytest.mark.slow]


def test_vault_writes_become_awscurrent_versions(boto: Boto, door: Door, name: str) -> None:
    c = boto()
    first = c.create_secret(Name=name, SecretString='{"user":"a","password":"p1"}')["VersionId"]
    assert (
        door.vault(
            "POST", f"secret/data/{name}", {"data": {"user": "a", "password": "p2"}}
        ).status_code
        == 200
    )
    got = c.get_secret_value(SecretId=name)
    assert json.loads(got["SecretString"]) == {"user": "a", "password": "p2"}
    assert got["VersionStages"] == ["AWSCURRENT"]
    stages = c.describe_secret(SecretId=name)["VersionIdsToStages"]
    assert stages == {first: ["AWSPREVIOUS"], got["VersionId"]: ["AWSCURRENT"]}
    # The derived VersionId is stable, and an AWS write after it keeps the chain right.
    assert c.get_secret_value(SecretId=name)["VersionId"] == got["VersionId"]
    third = c.put_secret_value(SecretId=name, SecretString="p3")["VersionId"]
    stages = c.describe_secret(SecretId=name)["VersionIdsToStages"]
    assert stages == {got["VersionId"]: ["AWSPREVIOUS"], third: ["AWSCURRENT"]}
    # Vault's view has no trace of the AWS metadata.
    meta = door.vault("GET", f"secret/metadata/{name}").json()["data"]
    assert "AWSCURRENT" not in json.dumps(meta)
    assert meta["current_version"] == 3


def test_a_vault_only_secret_is_an_aws_secret_too(boto: Boto, door: Door, name: str) -> None:
    door.vault("POST", f"secret/data/{name}", {"data": {"k": "v"}})
    c = boto()
    got = c.get_secret_value(SecretId=name)
    assert got["SecretString"] == '{"k":"v"}'
    assert c.describe_secret(SecretId=name)["ARN"] == got["ARN"]
    listed = c.list_secrets(Filters=[{"Key": "name", "Values": [name]}])["SecretList"]
    assert [s["ARN"] for s in listed] == [got["ARN"]]
    c.tag_resource(SecretId=got["ARN"], Tags=[{"Key": "owner", "Value": "vault"}])
    assert c.describe_secret(SecretId=name)["ARN"] == got["ARN"]


def test_both_doors_in_one_audit_log(
    boto: Boto, door: Door, tmp_path_factory: pytest.TempPathFactory
) -> None:
    log = Path(tmp_path_factory.mktemp("aws-audit")) / "audit.log"
    device = f"aws{uuid.uuid4().hex[:6]}"
    enabled = door.vault(
        "PUT", f"sys/audit/{device}", {"type": "file", "options": {"file_path": str(log)}}
    )
    assert enabled.status_code == 204, enabled.text
    name = f"audited/{uuid.uuid4().hex[:8]}"
    canary = f"canary-{uuid.uuid4().hex}"
    try:
        c = boto()
        c.create_secret(Name=name, SecretString=canary)
        c.get_secret_value(SecretId=name)
        assert door.vault("GET", f"secret/data/{name}").status_code == 200
    finally:
        door.vault("DELETE", f"sys/audit/{device}")
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    paths = [(e["type"], e["request"]["path"]) for e in entries]
    assert ("request", f"secret/extra/{name}") in paths  # the AWS door's requests
    assert ("response", f"secret/data/{name}") in paths  # the Vault door's read
    aws = [e for e in entries if e["request"]["path"] == f"secret/extra/{name}"]
    assert all(e["request"]["remote_address"] == "127.0.0.1" for e in aws)
    assert canary not in log.read_text()


def test_the_tokens_acl_governs_keys_without_iam_policies(boto: Boto, door: Door) -> None:
    owner = boto()
    name = f"acl/{uuid.uuid4().hex[:8]}"
    owner.create_secret(Name=name, SecretString="v")
    reader = door.new_key(
        f"reader-{uuid.uuid4().hex[:6]}",
        vault_policy='path "secret/extra/acl/*" { capabilities = ["read"] }',
    )
    client = boto(reader)
    assert client.get_secret_value(SecretId=name)["SecretString"] == "v"
    for call, kwargs in (
        (client.put_secret_value, {"SecretId": name, "SecretString": "w"}),
        (client.list_secrets, {}),
        (client.get_secret_value, {"SecretId": "elsewhere/x"}),
    ):
        with pytest.raises(ClientError) as err:
            call(**kwargs)
        assert err.value.response["Error"]["Code"] == "AccessDeniedException"
    assert owner.get_secret_value(SecretId=name)["SecretString"] == "v"


def test_secret_values_never_appear_in_errors_or_the_log(boto: Boto, door: Door) -> None:
    c = boto()
    name = f"canary/{uuid.uuid4().hex[:8]}"
    canary = f"canary-{uuid.uuid4().hex}"
    token = str(uuid.uuid4())
    c.create_secret(Name=name, SecretString=canary, ClientRequestToken=token)
    messages = []
    for call, kwargs in (
        (
            c.put_secret_value,
            {"SecretId": name, "SecretString": canary + "x", "ClientRequestToken": token},
        ),
        (c.create_secret, {"Name": name, "SecretString": canary}),
        (c.create_secret, {"Name": name + " bad", "SecretString": canary}),
        (
            c.create_secret,
            {"Name": name + "2", "SecretString": canary, "SecretBinary": canary.encode()},
        ),
        (c.update_secret, {"SecretId": name, "SecretString": canary, "ClientRequestToken": token}),
    ):
        with pytest.raises(ClientError) as err:
            call(**kwargs)
        messages.append(json.dumps(err.value.response["Error"]))
    assert all(canary not in m for m in messages)
    assert canary not in door.log.read_text()
