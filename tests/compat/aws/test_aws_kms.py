"""``--kms-key-id`` naming a sealbox Transit key: values sealed in an envelope, with the
caller's Transit ACL checked, through the real aws CLI and boto3 against a real server."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError
from tests.compat.aws.conftest import AwsCli, Boto, Door

pytestmark = pytest.mark.compat

KV_ONLY = """
path "secret/*" { capabilities = ["create", "read", "update", "delete", "list"] }
"""


@pytest.fixture
def transit_key(door: Door) -> str:
    """A fresh aes256 Transit key on ``transit/`` (mounted once for the shared server)."""
    mounted = door.vault("GET", "sys/mounts").json()
    if "transit/" not in mounted.get("data", mounted):
        assert door.vault("POST", "sys/mounts/transit", {"type": "transit"}).ok
    name = f"k{uuid.uuid4().hex[:8]}"
    assert door.vault("POST", f"transit/keys/{name}", {}).ok
    return name


def _kv_data(door: Door, name: str) -> dict[str, Any]:
    out = door.vault("GET", f"secret/data/{name}")
    assert out.status_code == 200, out.text
    data: dict[str, Any] = out.json()["data"]["data"]
    return data


def test_kms_key_alias_seals_values_with_transit(
    door: Door, aws_cli: AwsCli, boto: Boto, name: str, transit_key: str
) -> None:
    value = '{"username":"app_user","password":"s3cr3t-p@ssw0rd"}'
    created = aws_cli(
        "create-secret",
        "--name",
        name,
        "--secret-string",
        value,
        "--kms-key-id",
        f"alias/{transit_key}",
    )
    assert created.returncode == 0, created.stderr
    c = boto()
    assert c.get_secret_value(SecretId=name)["SecretString"] == value
    assert c.describe_secret(SecretId=name)["KmsKeyId"] == f"alias/{transit_key}"
    stored = _kv_data(door, name)
    assert "s3cr3t" not in json.dumps(stored)  # only the envelope is in KV
    envelope = stored["SealboxKmsEnvelope"]
    assert envelope["key"] == transit_key
    assert envelope["wrapped_key"].startswith("vault:v1:")
    # The wrapped data key really is Transit's: Transit decrypts it.
    opened = door.vault(
        "POST", f"transit/decrypt/{transit_key}", {"ciphertext": envelope["wrapped_key"]}
    )
    assert opened.status_code == 200, opened.text
    # Later versions are sealed too, and idempotent retries compare plain values.
    put = c.put_secret_value(SecretId=name, SecretString="v2", ClientRequestToken="t" * 32)
    again = c.put_secret_value(SecretId=name, SecretString="v2", ClientRequestToken="t" * 32)
    assert put["VersionId"] == again["VersionId"]
    assert "v2" not in json.dumps(_kv_data(door, name))
    assert c.get_secret_value(SecretId=name)["SecretString"] == "v2"
    previous = c.get_secret_value(SecretId=name, VersionStage="AWSPREVIOUS")
    assert previous["SecretString"] == value
    batch = c.batch_get_secret_value(SecretIdList=[name])
    assert [v["SecretString"] for v in batch["SecretValues"]] == ["v2"]


def test_kms_key_arn_and_binary(door: Door, boto: Boto, name: str, transit_key: str) -> None:
    arn = f"arn:aws:kms:us-east-1:123456789012:key/{transit_key}"
    c = boto()
    c.create_secret(Name=name, SecretBinary=b"\x00\x01binary")
    assert "SealboxKmsEnvelope" not in _kv_data(door, name)
    c.update_secret(SecretId=name, KmsKeyId=arn, SecretBinary=b"\x02sealed")
    assert c.get_secret_value(SecretId=name)["SecretBinary"] == b"\x02sealed"
    assert c.get_secret_value(SecretId=name, VersionStage="AWSPREVIOUS")["SecretBinary"] == (
        b"\x00\x01binary"
    )
    assert "SealboxKmsEnvelope" in _kv_data(door, name)
    assert c.describe_secret(SecretId=name)["KmsKeyId"] == arn


def test_unknown_kms_key_is_recorded_only(door: Door, boto: Boto, name: str) -> None:
    """The guide's key (no such Transit key): recorded and reported, value stored plain."""
    arn = "arn:aws:kms:ap-southeast-1:123456789012:key/mrk-abc123"
    c = boto()
    c.create_secret(Name=name, SecretString='{"a":"b"}', KmsKeyId=arn)
    assert c.describe_secret(SecretId=name)["KmsKeyId"] == arn
    assert _kv_data(door, name) == {"a": "b"}


def test_transit_acl_is_checked(door: Door, boto: Boto, name: str, transit_key: str) -> None:
    root = boto()
    root.create_secret(Name=name, SecretString="sealed-value", KmsKeyId=transit_key)
    kv_only = boto(door.new_key(f"kvonly-{uuid.uuid4().hex[:6]}", vault_policy=KV_ONLY))
    with pytest.raises(ClientError) as err:
        kv_only.get_secret_value(SecretId=name)
    assert err.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "sealed-value" not in json.dumps(err.value.response)
    before = root.describe_secret(SecretId=name)["VersionIdsToStages"]
    with pytest.raises(ClientError) as err:
        kv_only.put_secret_value(SecretId=name, SecretString="other")
    assert err.value.response["Error"]["Code"] == "AccessDeniedException"
    assert root.describe_secret(SecretId=name)["VersionIdsToStages"] == before  # nothing written
    decrypt_too = KV_ONLY + (
        f'path "transit/decrypt/{transit_key}" {{ capabilities = ["update"] }}\n'
        f'path "transit/datakey/plaintext/{transit_key}" {{ capabilities = ["update"] }}\n'
    )
    allowed = boto(door.new_key(f"kvtransit-{uuid.uuid4().hex[:6]}", vault_policy=decrypt_too))
    assert allowed.get_secret_value(SecretId=name)["SecretString"] == "sealed-value"
    allowed.put_secret_value(SecretId=name, SecretString="other")
    assert root.get_secret_value(SecretId=name)["SecretString"] == "other"


def test_key_that_cannot_encrypt_is_an_encryption_failure(
    door: Door, boto: Boto, name: str
) -> None:
    mounted = door.vault("GET", "sys/mounts").json()
    if "transit/" not in mounted.get("data", mounted):
        assert door.vault("POST", "sys/mounts/transit", {"type": "transit"}).ok
    signing = f"sign{uuid.uuid4().hex[:8]}"
    assert door.vault("POST", f"transit/keys/{signing}", {"type": "ed25519"}).ok
    c = boto()
    with pytest.raises(ClientError) as err:
        c.create_secret(Name=name, SecretString="x", KmsKeyId=f"alias/{signing}")
    assert err.value.response["Error"]["Code"] == "EncryptionFailure"
    with pytest.raises(ClientError) as err:
        c.describe_secret(SecretId=name)
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"
