"""Every operation of the reference's §2 through boto3, with AWS's semantics and error codes."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import psycopg
import pytest
from botocore.exceptions import ClientError
from psycopg import sql
from tests.compat.aws.conftest import Boto, Door
from tests.postgres_server import PostgresServer

pytestmark = [pytest.mark.compat, pytest.mark.slow]


def _code(err: pytest.ExceptionInfo[ClientError]) -> str:
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return str(err.value.response["Error"]["Code"])


def _fails(code: str, call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as err:
        call(**kwargs)
    assert _code(err) == code, err.value.response
    return str(err.value.response["Error"]["Message"])


def test_create_describe_and_lookup_by_name_and_arns(boto: Boto, name: str) -> None:
    c = boto()
    token = str(uuid.uuid4())
    out = c.create_secret(
        Name=name,
        SecretString="v1",
        ClientRequestToken=token,
        Description="d",
        Tags=[{"Key": "team", "Value": "a"}],
    )
    arn = out["ARN"]
    assert arn.rsplit("-", 1)[1].isalnum()
    assert len(arn.rsplit("-", 1)[1]) == 6
    assert out["VersionId"] == token
    # Same token and value: the idempotent retry answers the original.
    again = c.create_secret(Name=name, SecretString="v1", ClientRequestToken=token)
    assert (again["ARN"], again["VersionId"]) == (arn, token)
    _fails("ResourceExistsException", c.create_secret, Name=name, SecretString="other")
    partial = arn.rsplit("-", 1)[0]
    for secret_id in (name, arn, partial):
        assert c.get_secret_value(SecretId=secret_id)["SecretString"] == "v1"
    _fails("ResourceNotFoundException", c.get_secret_value, SecretId=partial + "-ZZZZZZ")
    described = c.describe_secret(SecretId=arn)
    assert described["Description"] == "d"
    assert described["VersionIdsToStages"] == {token: ["AWSCURRENT"]}
    assert described["Tags"] == [{"Key": "team", "Value": "a"}]
    assert "KmsKeyId" not in described
    assert "RotationEnabled" not in described


def test_create_rejects_bad_input_and_writes_nothing(boto: Boto, name: str) -> None:
    c = boto()
    _fails(
        "InvalidParameterException", c.create_secret, Name=name, SecretString="a", SecretBinary=b"b"
    )
    _fails("InvalidParameterException", c.create_secret, Name=name + " bad")
    _fails("InvalidParameterException", c.create_secret, Name=name + "//x", SecretString="a")
    _fails(
        "InvalidParameterException",
        c.create_secret,
        Name=name,
        SecretString="a",
        Tags=[{"Key": "aws:reserved", "Value": "x"}],
    )
    _fails("ResourceNotFoundException", c.describe_secret, SecretId=name)


def test_secret_without_value_then_first_put_is_current(boto: Boto, name: str) -> None:
    c = boto()
    c.create_secret(Name=name)
    msg = _fails("ResourceNotFoundException", c.get_secret_value, SecretId=name)
    assert "staging label: AWSCURRENT" in msg
    put = c.put_secret_value(SecretId=name, SecretString="first", VersionStages=["AWSPENDING"])
    assert sorted(put["VersionStages"]) == ["AWSCURRENT", "AWSPENDING"]


def test_binary_and_json_strings_round_trip_exactly(boto: Boto, name: str) -> None:
    c = boto()
    blob = bytes(range(256))
    c.create_secret(Name=name, SecretBinary=blob)
    got = c.get_secret_value(SecretId=name)
    assert got["SecretBinary"] == blob
    assert "SecretString" not in got
    for text in ('{"a": 1, "b": [true, null]}', '{"a":1}', '{ "spaced" : 1 }', "plain", "[1,2]"):
        c.put_secret_value(SecretId=name, SecretString=text)
        assert c.get_secret_value(SecretId=name)["SecretString"] == text


def test_put_secret_value_labels_and_idempotency(boto: Boto, name: str) -> None:
    c = boto()
    v1 = c.create_secret(Name=name, SecretString="one")["VersionId"]
    token = str(uuid.uuid4())
    v2 = c.put_secret_value(SecretId=name, SecretString="two", ClientRequestToken=token)
    assert v2["VersionId"] == token
    assert (
        c.put_secret_value(SecretId=name, SecretString="two", ClientRequestToken=token)["VersionId"]
        == token
    )
    _fails(
        "ResourceExistsException",
        c.put_secret_value,
        SecretId=name,
        SecretString="2!",
        ClientRequestToken=token,
    )
    stages = c.describe_secret(SecretId=name)["VersionIdsToStages"]
    assert stages == {v1: ["AWSPREVIOUS"], token: ["AWSCURRENT"]}
    v3 = c.put_secret_value(SecretId=name, SecretString="three")["VersionId"]
    stages = c.describe_secret(SecretId=name)["VersionIdsToStages"]
    assert stages == {token: ["AWSPREVIOUS"], v3: ["AWSCURRENT"]}  # v1 is now deprecated
    versions = c.list_secret_version_ids(SecretId=name)["Versions"]
    assert {v["VersionId"] for v in versions} == {token, v3}
    every = c.list_secret_version_ids(SecretId=name, IncludeDeprecated=True)["Versions"]
    assert {v["VersionId"] for v in every} == {v1, token, v3}
    page = c.list_secret_version_ids(SecretId=name, IncludeDeprecated=True, MaxResults=2)
    assert len(page["Versions"]) == 2
    assert page["NextToken"]
    rest = c.list_secret_version_ids(
        SecretId=name, IncludeDeprecated=True, NextToken=page["NextToken"]
    )
    assert len(rest["Versions"]) == 1
    assert "NextToken" not in rest
    _fails(
        "InvalidNextTokenException", c.list_secret_version_ids, SecretId=name, NextToken="garbage"
    )
    assert c.get_secret_value(SecretId=name, VersionId=v1)["SecretString"] == "one"
    assert c.get_secret_value(SecretId=name, VersionStage="AWSPREVIOUS")["SecretString"] == "two"
    _fails(
        "InvalidRequestException",
        c.get_secret_value,
        SecretId=name,
        VersionId=v1,
        VersionStage="AWSCURRENT",
    )
    _fails("ResourceNotFoundException", c.get_secret_value, SecretId=name, VersionStage="NOSUCH")


def test_update_secret_version_stage_rules(boto: Boto, name: str) -> None:
    c = boto()
    cur = c.create_secret(Name=name, SecretString="a")["VersionId"]
    pend = c.put_secret_value(SecretId=name, SecretString="b", VersionStages=["AWSPENDING"])[
        "VersionId"
    ]
    _fails(
        "InvalidParameterException",
        c.update_secret_version_stage,
        SecretId=name,
        VersionStage="AWSCURRENT",
        MoveToVersionId=pend,
    )
    _fails(
        "InvalidParameterException",
        c.update_secret_version_stage,
        SecretId=name,
        VersionStage="AWSCURRENT",
        RemoveFromVersionId=cur,
    )
    _fails(
        "InvalidParameterException",
        c.update_secret_version_stage,
        SecretId=name,
        VersionStage="AWSCURRENT",
        MoveToVersionId="x" * 32,
        RemoveFromVersionId=cur,
    )
    c.update_secret_version_stage(
        SecretId=name, VersionStage="AWSCURRENT", MoveToVersionId=pend, RemoveFromVersionId=cur
    )
    stages = c.describe_secret(SecretId=name)["VersionIdsToStages"]
    assert stages == {cur: ["AWSPREVIOUS"], pend: ["AWSPENDING", "AWSCURRENT"]}
    c.update_secret_version_stage(
        SecretId=name, VersionStage="AWSPENDING", RemoveFromVersionId=pend
    )
    c.update_secret_version_stage(SecretId=name, VersionStage="MYLABEL", MoveToVersionId=cur)
    stages = c.describe_secret(SecretId=name)["VersionIdsToStages"]
    assert stages == {cur: ["AWSPREVIOUS", "MYLABEL"], pend: ["AWSCURRENT"]}
    assert c.get_secret_value(SecretId=name, VersionStage="MYLABEL")["SecretString"] == "a"


def test_update_secret(boto: Boto, name: str) -> None:
    c = boto()
    first = c.create_secret(Name=name, SecretString="a", Description="old")["VersionId"]
    meta = c.update_secret(SecretId=name, Description="new", KmsKeyId="alias/mine")
    assert "VersionId" not in meta
    described = c.describe_secret(SecretId=name)
    assert (described["Description"], described["KmsKeyId"]) == ("new", "alias/mine")
    value = c.update_secret(SecretId=name, SecretString="b")
    assert c.get_secret_value(SecretId=name)["SecretString"] == "b"
    stages = c.describe_secret(SecretId=name)["VersionIdsToStages"]
    assert stages == {first: ["AWSPREVIOUS"], value["VersionId"]: ["AWSCURRENT"]}
    _fails(
        "ResourceExistsException",
        c.update_secret,
        SecretId=name,
        SecretString="c",
        ClientRequestToken=first,
    )


def test_tags(boto: Boto, name: str) -> None:
    c = boto()
    c.create_secret(Name=name, SecretString="a", Tags=[{"Key": "k1", "Value": "v1"}])
    assert c.tag_resource(
        SecretId=name, Tags=[{"Key": "k2", "Value": "v2"}, {"Key": "k1", "Value": "new"}]
    )
    tags = c.describe_secret(SecretId=name)["Tags"]
    assert tags == [{"Key": "k1", "Value": "new"}, {"Key": "k2", "Value": "v2"}]
    c.untag_resource(SecretId=name, TagKeys=["k1", "absent"])
    assert c.describe_secret(SecretId=name)["Tags"] == [{"Key": "k2", "Value": "v2"}]
    _fails(
        "InvalidParameterException",
        c.tag_resource,
        SecretId=name,
        Tags=[{"Key": "aws:x", "Value": "y"}],
    )


def test_list_secrets_filters_sorting_and_pagination(boto: Boto) -> None:
    c = boto()
    prefix = f"list-{uuid.uuid4().hex[:8]}/"
    names = [prefix + n for n in ("b", "a", "c")]
    for i, n in enumerate(names):
        c.create_secret(
            Name=n,
            SecretString="x",
            Description=f"Desc {i}",
            Tags=[{"Key": "env", "Value": "prod" if i < 2 else "dev"}],
        )
    by_name = c.list_secrets(Filters=[{"Key": "name", "Values": [prefix]}], SortBy="name")
    assert [s["Name"] for s in by_name["SecretList"]] == sorted(names)
    desc = c.list_secrets(
        Filters=[{"Key": "name", "Values": [prefix]}], SortBy="name", SortOrder="desc"
    )
    assert [s["Name"] for s in desc["SecretList"]] == sorted(names, reverse=True)
    prod = c.list_secrets(
        Filters=[{"Key": "name", "Values": [prefix]}, {"Key": "tag-value", "Values": ["prod"]}]
    )
    assert sorted(s["Name"] for s in prod["SecretList"]) == sorted(names[:2])
    negated = c.list_secrets(
        Filters=[{"Key": "name", "Values": [prefix]}, {"Key": "tag-value", "Values": ["!prod"]}]
    )
    assert [s["Name"] for s in negated["SecretList"]] == [names[2]]
    described = c.list_secrets(
        Filters=[{"Key": "description", "Values": ["desc 2"]}, {"Key": "name", "Values": [prefix]}]
    )
    assert [s["Name"] for s in described["SecretList"]] == [names[2]]
    entry = by_name["SecretList"][0]
    assert "SecretVersionsToStages" in entry
    assert "VersionIdsToStages" not in entry
    paginator = c.get_paginator("list_secrets")
    pages = list(
        paginator.paginate(
            Filters=[{"Key": "name", "Values": [prefix]}], PaginationConfig={"PageSize": 1}
        )
    )
    assert sum(len(p["SecretList"]) for p in pages) == 3
    assert len(pages) == 3
    _fails("InvalidNextTokenException", c.list_secrets, NextToken="bm90LWEtdG9rZW4=")


def test_delete_with_recovery_window_restore_and_force(boto: Boto, door: Door, name: str) -> None:
    c = boto()
    arn = c.create_secret(Name=name, SecretString="a")["ARN"]
    _fails("InvalidParameterException", c.delete_secret, SecretId=name, RecoveryWindowInDays=3)
    _fails(
        "InvalidParameterException",
        c.delete_secret,
        SecretId=name,
        RecoveryWindowInDays=7,
        ForceDeleteWithoutRecovery=True,
    )
    deleted = c.delete_secret(SecretId=name, RecoveryWindowInDays=7)
    assert deleted["ARN"] == arn
    described = c.describe_secret(SecretId=name)
    assert described["DeletedDate"] == deleted["DeletionDate"]
    _fails("InvalidRequestException", c.get_secret_value, SecretId=name)
    _fails("InvalidRequestException", c.put_secret_value, SecretId=name, SecretString="b")
    _fails("InvalidRequestException", c.delete_secret, SecretId=name)
    _fails("InvalidRequestException", c.create_secret, Name=name, SecretString="b")
    listed = c.list_secrets(Filters=[{"Key": "name", "Values": [name]}])["SecretList"]
    assert listed == []
    planned = c.list_secrets(
        Filters=[{"Key": "name", "Values": [name]}], IncludePlannedDeletion=True
    )["SecretList"]
    assert [s["Name"] for s in planned] == [name]
    # The KV key carries the scheduled deletion (the sweep removes it after the window).
    assert c.restore_secret(SecretId=name)["ARN"] == arn
    assert c.get_secret_value(SecretId=name)["SecretString"] == "a"
    assert "DeletedDate" not in c.describe_secret(SecretId=name)
    c.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
    _fails("ResourceNotFoundException", c.describe_secret, SecretId=name)
    assert door.vault("GET", f"secret/data/{name}").status_code == 404
    # Forcing the deletion of a secret that does not exist succeeds, as AWS documents.
    assert c.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)["Name"] == name
    recreated = c.create_secret(Name=name, SecretString="new")["ARN"]
    assert recreated != arn


def test_resource_policies(boto: Boto, door: Door, name: str) -> None:
    c = boto()
    c.create_secret(Name=name, SecretString="a")
    assert "ResourcePolicy" not in c.get_resource_policy(SecretId=name)
    public = (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",'
        '"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}'
    )
    _fails(
        "PublicPolicyException",
        c.put_resource_policy,
        SecretId=name,
        ResourcePolicy=public,
        BlockPublicPolicy=True,
    )
    _fails(
        "MalformedPolicyDocumentException",
        c.put_resource_policy,
        SecretId=name,
        ResourcePolicy="{not json",
    )
    checked = c.validate_resource_policy(ResourcePolicy=public)
    assert checked["PolicyValidationPassed"] is False
    user = f"rp-{uuid.uuid4().hex[:8]}"
    key = door.new_key(
        user,
        policies=[
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "secretsmanager:DescribeSecret", "Resource": "*"}
                ],
            }
        ],
    )
    reader = boto(key)
    _fails("AccessDeniedException", reader.get_secret_value, SecretId=name)
    grant = (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":'
        f'"arn:aws:iam::123456789012:user/{user}"}},'
        '"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}'
    )
    c.put_resource_policy(SecretId=name, ResourcePolicy=grant, BlockPublicPolicy=True)
    assert c.get_resource_policy(SecretId=name)["ResourcePolicy"] == grant
    assert reader.get_secret_value(SecretId=name)["SecretString"] == "a"
    deny = grant.replace('"Allow"', '"Deny"')
    c.put_resource_policy(SecretId=name, ResourcePolicy=deny)
    message = _fails("AccessDeniedException", reader.get_secret_value, SecretId=name)
    assert message.endswith("with an explicit deny in a resource-based policy")
    c.delete_resource_policy(SecretId=name)
    assert "ResourcePolicy" not in c.get_resource_policy(SecretId=name)
    _fails("AccessDeniedException", reader.get_secret_value, SecretId=name)


def test_batch_get_secret_value(boto: Boto) -> None:
    c = boto()
    prefix = f"batch-{uuid.uuid4().hex[:8]}/"
    for n in ("a", "b"):
        c.create_secret(Name=prefix + n, SecretString=n)
    out = c.batch_get_secret_value(SecretIdList=[prefix + "a", prefix + "b", prefix + "none"])
    assert sorted(v["SecretString"] for v in out["SecretValues"]) == ["a", "b"]
    assert out["Errors"] == [
        {
            "SecretId": prefix + "none",
            "ErrorCode": "ResourceNotFoundException",
            "Message": "Secrets Manager can't find the specified secret.",
        }
    ]
    filtered = c.batch_get_secret_value(Filters=[{"Key": "name", "Values": [prefix]}])
    assert sorted(v["Name"] for v in filtered["SecretValues"]) == [prefix + "a", prefix + "b"]
    _fails(
        "InvalidParameterException",
        c.batch_get_secret_value,
        SecretIdList=[prefix + "a"],
        Filters=[{"Key": "name", "Values": [prefix]}],
    )


def test_get_random_password(boto: Boto) -> None:
    c = boto()
    assert len(c.get_random_password()["RandomPassword"]) == 32
    alnum = c.get_random_password(PasswordLength=20, ExcludePunctuation=True)["RandomPassword"]
    assert len(alnum) == 20
    assert alnum.isalnum()
    only = c.get_random_password(
        PasswordLength=50,
        ExcludeUppercase=True,
        ExcludeNumbers=True,
        ExcludePunctuation=True,
        ExcludeCharacters="abc",
    )
    assert set(only["RandomPassword"]) <= set("defghijklmnopqrstuvwxyz")
    _fails(
        "InvalidParameterException",
        c.get_random_password,
        ExcludeLowercase=True,
        ExcludeUppercase=True,
        ExcludeNumbers=True,
        ExcludePunctuation=True,
    )


def test_cancel_rotation(boto: Boto, name: str, postgres: PostgresServer) -> None:
    # RotateImmediately=false runs testSecret, which logs in: the secret must be a real login.
    user = f"cancel_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres.dsn(), autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} WITH LOGIN PASSWORD 'pw'").format(sql.Identifier(user))
        )
    login = {"host": postgres.host, "port": postgres.port, "username": user, "password": "pw"}
    c = boto()
    c.create_secret(Name=name, SecretString=json.dumps({**login, "dbname": "postgres"}))
    _fails("InvalidRequestException", c.rotate_secret, SecretId=name)
    _fails(
        "AccessDeniedException",
        c.rotate_secret,
        SecretId=name,
        RotationLambdaARN="arn:aws:lambda:us-east-1:123456789012:function:unknown",
    )
    c.rotate_secret(
        SecretId=name,
        RotateImmediately=False,
        RotationLambdaARN="arn:aws:lambda:us-east-1:123456789012:function:"
        "SecretsManagerRDSPostgreSQLRotationSingleUser",
        RotationRules={"ScheduleExpression": "rate(10 days)"},
    )
    assert c.describe_secret(SecretId=name)["RotationEnabled"] is True
    c.cancel_rotate_secret(SecretId=name)
    described = c.describe_secret(SecretId=name)
    assert described["RotationEnabled"] is False
    assert described["RotationRules"] == {"ScheduleExpression": "rate(10 days)"}
    _fails(
        "InvalidParameterException",
        c.rotate_secret,
        SecretId=name,
        RotationRules={"ScheduleExpression": "rate(1 hours)"},
    )


def test_binary_value_is_base64_in_kv(boto: Boto, door: Door, name: str) -> None:
    boto().create_secret(Name=name, SecretBinary=b"\x00\xff")
    data = door.vault("GET", f"secret/data/{name}").json()["data"]["data"]
    assert data == {"SecretBinary": base64.b64encode(b"\x00\xff").decode()}


def test_tag_change_may_not_remove_the_callers_own_permission(
    boto: Boto, door: Door, name: str
) -> None:
    boto().create_secret(Name=name, SecretString="a", Tags=[{"Key": "team", "Value": "a"}])
    abac = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["secretsmanager:TagResource", "secretsmanager:UntagResource"],
                "Resource": "*",
                "Condition": {"StringEquals": {"secretsmanager:ResourceTag/team": "a"}},
            }
        ],
    }
    client = boto(door.new_key(f"abac-{uuid.uuid4().hex[:6]}", policies=[abac]))
    client.tag_resource(SecretId=name, Tags=[{"Key": "extra", "Value": "1"}])
    _fails(
        "AccessDeniedException",
        client.tag_resource,
        SecretId=name,
        Tags=[{"Key": "team", "Value": "b"}],
    )
    _fails("AccessDeniedException", client.untag_resource, SecretId=name, TagKeys=["team"])
    tags = boto().describe_secret(SecretId=name)["Tags"]
    assert tags == [{"Key": "team", "Value": "a"}, {"Key": "extra", "Value": "1"}]


def test_concurrent_writers_keep_one_current_and_lose_nothing(boto: Boto, name: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    boto().create_secret(Name=name, SecretString="v0")

    def put(i: int) -> str:
        return str(boto().put_secret_value(SecretId=name, SecretString=f"v{i}")["VersionId"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        written = list(pool.map(put, range(1, 17)))
    c = boto()
    every = c.list_secret_version_ids(SecretId=name, IncludeDeprecated=True)["Versions"]
    assert set(written) <= {v["VersionId"] for v in every}
    assert len(every) == 17
    labels = [s for v in every for s in v["VersionStages"]]
    assert labels.count("AWSCURRENT") == 1
    assert labels.count("AWSPREVIOUS") == 1


def test_replication_is_refused_as_a_single_region_server(boto: Boto, name: str) -> None:
    c = boto()
    c.create_secret(Name=name, SecretString="a")
    _fails(
        "InvalidRequestException",
        c.replicate_secret_to_regions,
        SecretId=name,
        AddReplicaRegions=[{"Region": "eu-west-1"}],
    )
    _fails(
        "InvalidRequestException",
        c.create_secret,
        Name=name + "-r",
        SecretString="a",
        AddReplicaRegions=[{"Region": "eu-west-1"}],
    )
    _fails("ResourceNotFoundException", c.describe_secret, SecretId=name + "-r")


def test_iam_condition_keys_from_the_request_and_the_secret(boto: Boto, door: Door) -> None:
    admin = boto()
    tag = uuid.uuid4().hex[:8]
    prod, dev = f"cond/{tag}/prod", f"cond/{tag}/dev"
    admin.create_secret(Name=prod, SecretString="p", Tags=[{"Key": "env", "Value": "prod"}])
    admin.create_secret(Name=dev, SecretString="d", Tags=[{"Key": "env", "Value": "dev"}])
    admin.put_secret_value(SecretId=prod, SecretString="p2")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "*",
                "Condition": {"StringEquals": {"secretsmanager:ResourceTag/env": "prod"}},
            },
            {
                "Effect": "Deny",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "*",
                "Condition": {"StringEquals": {"secretsmanager:VersionStage": "AWSPREVIOUS"}},
            },
            {
                "Effect": "Deny",
                "Action": "secretsmanager:DeleteSecret",
                "Resource": "*",
                "Condition": {"Bool": {"secretsmanager:ForceDeleteWithoutRecovery": "true"}},
            },
            {"Effect": "Allow", "Action": "secretsmanager:DeleteSecret", "Resource": "*"},
        ],
    }
    client = boto(door.new_key(f"cond-{tag}", policies=[policy]))
    assert client.get_secret_value(SecretId=prod)["SecretString"] == "p2"
    _fails("AccessDeniedException", client.get_secret_value, SecretId=dev)
    _fails(
        "AccessDeniedException", client.get_secret_value, SecretId=prod, VersionStage="AWSPREVIOUS"
    )
    _fails(
        "AccessDeniedException", client.delete_secret, SecretId=dev, ForceDeleteWithoutRecovery=True
    )
    assert client.delete_secret(SecretId=dev, RecoveryWindowInDays=7)["Name"] == dev
