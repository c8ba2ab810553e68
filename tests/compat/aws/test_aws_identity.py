"""Access keys bound to identity entities, through boto3 against a real server.

The caller is the entity: its ACL policies (own and groups') decide what its token may do on
the KV mount, its name makes the principal ARN resource policies match, and the named IAM
policies that its metadata and its groups' metadata attach are evaluated with the key's
inline ones.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError
from tests.compat.aws.conftest import Boto, Door

pytestmark = pytest.mark.compat

ACCOUNT = "123456789012"
KV_ALL = 'path "secret/*" { capabilities = ["create", "read", "update", "delete", "list"] }'


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code in (200, 204), response.text
    return {} if response.status_code == 204 else dict(response.json().get("data") or {})


def _accessor(door: Door) -> str:
    mounts = door.vault("GET", "sys/auth").json()
    return str(mounts.get("data", mounts)["sigv4/"]["accessor"])


def _entity(door: Door, name: str, **fields: Any) -> str:
    return str(_ok(door.vault("POST", "identity/entity", {"name": name, **fields}))["id"])


def _alias(door: Door, name: str, entity_id: str) -> None:
    body = {"name": name, "canonical_id": entity_id, "mount_accessor": _accessor(door)}
    _ok(door.vault("POST", "identity/entity-alias", body))


def _key(door: Door, key_name: str, alias: str | None, **fields: Any) -> tuple[str, str]:
    if alias is not None:
        fields["alias"] = alias
    data = _ok(door.vault("POST", f"auth/sigv4/keys/{key_name}", fields))
    assert "token" not in data
    return data["access_key_id"], data["secret_access_key"]


def _code(err: pytest.ExceptionInfo[ClientError]) -> str:
    return str(err.value.response["Error"]["Code"])


def _guide_policy(prefix: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                "Resource": f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:{prefix}/*",
                "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}},
            }
        ],
    }


def test_entity_and_group_policies_bind_an_access_key(door: Door, boto: Boto) -> None:
    tag = uuid.uuid4().hex[:8]
    prefix = f"idn{tag}/myapp"
    root = boto()
    root.create_secret(Name=f"{prefix}/db", SecretString="db-value")
    root.create_secret(Name=f"other{tag}/db", SecretString="other-value")
    _ok(door.vault("PUT", f"sys/policies/acl/kv-{tag}", {"policy": KV_ALL}))
    _ok(
        door.vault("POST", f"auth/sigv4/iam-policy/read-{tag}", {"document": _guide_policy(prefix)})
    )
    writer = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "secretsmanager:PutSecretValue",
                "Resource": f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:{prefix}/*",
            }
        ]
    }
    _ok(door.vault("POST", f"auth/sigv4/iam-policy/write-{tag}", {"document": json.dumps(writer)}))
    alice = _entity(
        door,
        f"alice-{tag}",
        policies=[f"kv-{tag}"],
        metadata={"aws_iam_policies": f"read-{tag}"},
    )
    _alias(door, f"alice-{tag}", alice)
    c = boto(_key(door, f"alice-key-{tag}", f"alice-{tag}"))
    assert c.get_secret_value(SecretId=f"{prefix}/db")["SecretString"] == "db-value"
    with pytest.raises(ClientError) as err:
        c.get_secret_value(SecretId=f"other{tag}/db")
    assert _code(err) == "AccessDeniedException"
    assert f"arn:aws:iam::{ACCOUNT}:user/alice-{tag}" in err.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as err:
        c.put_secret_value(SecretId=f"{prefix}/db", SecretString="x")
    assert _code(err) == "AccessDeniedException"
    with pytest.raises(ClientError) as err:
        boto(_key(door, f"alice-eu-{tag}", f"alice-{tag}"), region="eu-west-1").get_secret_value(
            SecretId=f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:{prefix}/db"
        )
    assert _code(err) == "AccessDeniedException"  # the guide's region condition

    # A group's attached policy adds PutSecretValue (a new key: the door caches per key).
    _ok(
        door.vault(
            "POST",
            "identity/group",
            {
                "name": f"writers-{tag}",
                "member_entity_ids": [alice],
                "metadata": {"aws_iam_policies": f"write-{tag}"},
            },
        )
    )
    w = boto(_key(door, f"alice-w-{tag}", f"alice-{tag}"))
    w.put_secret_value(SecretId=f"{prefix}/db", SecretString="written")
    assert root.get_secret_value(SecretId=f"{prefix}/db")["SecretString"] == "written"

    # A resource policy naming the entity's principal ARN applies to it (and only it).
    deny = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice-{tag}"},
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "*",
            }
        ],
    }
    root.put_resource_policy(SecretId=f"{prefix}/db", ResourcePolicy=json.dumps(deny))
    with pytest.raises(ClientError) as err:
        boto(_key(door, f"alice-r-{tag}", f"alice-{tag}")).get_secret_value(SecretId=f"{prefix}/db")
    assert _code(err) == "AccessDeniedException"
    assert root.get_secret_value(SecretId=f"{prefix}/db")["SecretString"] == "written"


def test_entity_acl_decides_without_iam_policies(door: Door, boto: Boto) -> None:
    """No IAM policy attached anywhere: the entity's ACL policies decide, not a bare token."""
    tag = uuid.uuid4().hex[:8]
    root = boto()
    root.create_secret(Name=f"acl{tag}/open", SecretString="o")
    root.create_secret(Name=f"acl{tag}/closed", SecretString="c")
    read_open = f'path "secret/extra/acl{tag}/open" {{ capabilities = ["read"] }}'
    _ok(door.vault("PUT", f"sys/policies/acl/open-{tag}", {"policy": read_open}))
    group_entity = _entity(door, f"bob-{tag}")
    _ok(
        door.vault(
            "POST",
            "identity/group",
            {
                "name": f"readers-{tag}",
                "member_entity_ids": [group_entity],
                "policies": [f"open-{tag}"],
            },
        )
    )
    _alias(door, f"bob-{tag}", group_entity)
    c = boto(_key(door, f"bob-key-{tag}", f"bob-{tag}"))
    assert c.get_secret_value(SecretId=f"acl{tag}/open")["SecretString"] == "o"
    with pytest.raises(ClientError) as err:
        c.get_secret_value(SecretId=f"acl{tag}/closed")
    assert _code(err) == "AccessDeniedException"


def test_key_without_an_alias_gets_its_own_entity(door: Door, boto: Boto) -> None:
    """As for any auth method, the first use creates the alias and its entity."""
    tag = uuid.uuid4().hex[:8]
    key_name = f"fresh-{tag}"
    _ok(door.vault("PUT", f"sys/policies/acl/kv-{tag}", {"policy": KV_ALL}))
    c = boto(_key(door, key_name, None, token_policies=f"kv-{tag}"))
    c.create_secret(Name=f"fresh{tag}/s", SecretString="v")
    found = door.vault(
        "POST",
        "identity/lookup/entity",
        {"alias_name": key_name, "alias_mount_accessor": _accessor(door)},
    )
    entity = _ok(found)
    assert entity["name"].startswith("entity_")
    assert [a["name"] for a in entity["aliases"]] == [key_name]
    # A disabled entity's key is refused like an unknown one (a new key: no cached login).
    _ok(door.vault("POST", f"identity/entity/id/{entity['id']}", {"disabled": True}))
    second = _ok(door.vault("POST", f"auth/sigv4/keys/second-{tag}", {"alias": key_name}))
    with pytest.raises(ClientError) as err:
        boto((second["access_key_id"], second["secret_access_key"])).list_secrets()
    assert _code(err) == "UnrecognizedClientException"
