"""The guide's AWS Secrets Manager commands and code, unchanged, against sealbox's AWS door.

Only the endpoint and credentials come from the environment, as the guide's users would set
them from the dev banner. The values then read back through ``sealbox kv get``.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError
from tests.compat.aws.conftest import AwsCli, Boto, Door
from tests.compat.conftest import VENV_BIN

pytestmark = [pytest.mark.compat, pytest.mark.slow]

DB = '{"username":"app_user","password":"s3cr3t-p@ssw0rd","host":"prod-db.cluster.ap-southeast-1.rds.amazonaws.com"}'
NEW = '{"username":"app_user","password":"new-s3cr3t","host":"prod-db.rds.amazonaws.com"}'


def _ok(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else {}


def test_guide_database_secret_walkthrough(aws_cli: AwsCli, door: Door) -> None:
    created = _ok(
        aws_cli(
            "create-secret",
            "--name",
            "production/myapp/database",
            "--description",
            "Database credentials for myapp production",
            "--secret-string",
            DB,
            "--kms-key-id",
            "arn:aws:kms:ap-southeast-1:123456789012:key/mrk-abc123",
            "--tags",
            "Key=Environment,Value=production",
            "Key=Application,Value=myapp",
        )
    )
    assert str(created["ARN"]).startswith(
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:production/myapp/database-"
    )
    shell = subprocess.run(  # noqa: S602 - the guide's own shell pipeline
        f"{VENV_BIN}/aws secretsmanager get-secret-value --secret-id "
        '"production/myapp/database" --query SecretString --output text | jq .',
        shell=True,
        env=door.env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(shell.stdout) == json.loads(DB)
    put = _ok(
        aws_cli(
            "put-secret-value", "--secret-id", "production/myapp/database", "--secret-string", NEW
        )
    )
    assert put["VersionStages"] == ["AWSCURRENT"]
    versions = _ok(aws_cli("list-secret-version-ids", "--secret-id", "production/myapp/database"))
    stages = {v["VersionId"]: v["VersionStages"] for v in versions["Versions"]}
    assert stages == {put["VersionId"]: ["AWSCURRENT"], created["VersionId"]: ["AWSPREVIOUS"]}
    # One secret model: the same secret through the Vault door.
    kv = subprocess.run(
        [
            str(VENV_BIN / "sealbox"),
            "kv",
            "get",
            "-format=json",
            "secret/production/myapp/database",
        ],
        env={**door.env(), "VAULT_ADDR": door.vault_addr, "VAULT_TOKEN": door.token},
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(kv.stdout)["data"]["data"] == json.loads(NEW)
    described = _ok(aws_cli("describe-secret", "--secret-id", "production/myapp/database"))
    assert described["KmsKeyId"] == "arn:aws:kms:ap-southeast-1:123456789012:key/mrk-abc123"
    assert described["Tags"] == [
        {"Key": "Environment", "Value": "production"},
        {"Key": "Application", "Value": "myapp"},
    ]


def test_guide_rotate_secret_command_is_accepted(aws_cli: AwsCli, name: str) -> None:
    _ok(aws_cli("create-secret", "--name", name, "--secret-string", DB))
    rotated = _ok(
        aws_cli(
            "rotate-secret",
            "--secret-id",
            name,
            "--rotation-lambda-arn",
            "arn:aws:lambda:ap-southeast-1:123456789012:function:"
            "SecretsManagerRDSPostgreSQLRotationSingleUser",
            "--rotation-rules",
            "AutomaticallyAfterDays=30",
        )
    )
    assert rotated["VersionId"]
    described = _ok(aws_cli("describe-secret", "--secret-id", name))
    assert described["RotationEnabled"] is True
    assert described["RotationRules"] == {"AutomaticallyAfterDays": 30}
    assert described["NextRotationDate"]


def test_guide_manual_staging_rotation(aws_cli: AwsCli, name: str) -> None:
    first = _ok(aws_cli("create-secret", "--name", name, "--secret-string", "old-api-key-value"))
    pending = _ok(
        aws_cli(
            "put-secret-value",
            "--secret-id",
            name,
            "--secret-string",
            "new-api-key-value",
            "--version-stages",
            "AWSPENDING",
        )
    )
    assert pending["VersionStages"] == ["AWSPENDING"]
    current = _ok(aws_cli("get-secret-value", "--secret-id", name))
    assert current["SecretString"] == "old-api-key-value"
    _ok(
        aws_cli(
            "update-secret-version-stage",
            "--secret-id",
            name,
            "--version-stage",
            "AWSCURRENT",
            "--move-to-version-id",
            str(pending["VersionId"]),
            "--remove-from-version-id",
            str(first["VersionId"]),
        )
    )
    now = _ok(aws_cli("get-secret-value", "--secret-id", name))
    assert now["SecretString"] == "new-api-key-value"
    assert sorted(now["VersionStages"]) == ["AWSCURRENT", "AWSPENDING"]
    previous = _ok(
        aws_cli("get-secret-value", "--secret-id", name, "--version-stage", "AWSPREVIOUS")
    )
    assert previous["SecretString"] == "old-api-key-value"


def get_secret(client: Any, secret_name: str) -> Any:
    """The guide's function, as written there (client passed in instead of a region)."""
    response = client.get_secret_value(SecretId=secret_name)
    return json.loads(response["SecretString"])


def test_guide_boto3_code_and_its_error_codes(boto: Boto, door: Door, name: str) -> None:
    client = boto()
    client.create_secret(Name=name, SecretString=DB)
    assert get_secret(client, name)["username"] == "app_user"
    with pytest.raises(ClientError) as missing:
        get_secret(client, name + "-missing")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    reader = door.new_key(
        f"noaccess-{name.split('/')[1]}",
        policies=[
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "secretsmanager:ListSecrets", "Resource": "*"}
                ],
            }
        ],
    )
    with pytest.raises(ClientError) as denied:
        get_secret(boto(reader), name)
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "is not authorized to perform: secretsmanager:GetSecretValue" in str(denied.value)


GUIDE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            "Resource": "arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:production/myapp/*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": "ap-southeast-1"}},
        }
    ],
}


def test_guide_iam_policy_grants_exactly_what_it_says(boto: Boto, door: Door) -> None:
    admin = boto(region="ap-southeast-1")
    suffix = uuid.uuid4().hex[:8]
    inside, outside = f"production/myapp/api-{suffix}", f"production/other/api-{suffix}"
    admin.create_secret(Name=inside, SecretString="in")
    admin.create_secret(Name=outside, SecretString="out")
    app = door.new_key(f"myapp-{suffix}", policies=[GUIDE_POLICY])
    client = boto(app, region="ap-southeast-1")
    assert client.get_secret_value(SecretId=inside)["SecretString"] == "in"
    assert client.describe_secret(SecretId=inside)["Name"] == inside

    def denied(call: Any, **kwargs: Any) -> None:
        with pytest.raises(ClientError) as err:
            call(**kwargs)
        assert err.value.response["Error"]["Code"] == "AccessDeniedException"

    denied(client.get_secret_value, SecretId=outside)
    denied(client.put_secret_value, SecretId=inside, SecretString="changed")
    denied(client.delete_secret, SecretId=inside, ForceDeleteWithoutRecovery=True)
    denied(client.list_secrets)
    # A missing secret the policy does not cover is denied, not reported missing...
    denied(client.get_secret_value, SecretId=f"production/other/absent-{suffix}")
    # ...while one it covers is simply not found.
    with pytest.raises(ClientError) as missing:
        client.get_secret_value(SecretId=f"production/myapp/absent-{suffix}")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    # Same key, another region: the condition fails.
    denied(boto(app, region="us-east-1").get_secret_value, SecretId=inside)
    assert admin.get_secret_value(SecretId=inside)["SecretString"] == "in"


def test_cli_paginates_list_secrets_and_reports_errors(aws_cli: AwsCli) -> None:
    prefix = f"cli-{uuid.uuid4().hex[:8]}/"
    for n in range(5):
        _ok(aws_cli("create-secret", "--name", f"{prefix}{n}", "--secret-string", "x"))
    listed = _ok(
        aws_cli("list-secrets", "--filters", f"Key=name,Values={prefix}", "--page-size", "2")
    )
    assert sorted(s["Name"] for s in listed["SecretList"]) == [f"{prefix}{n}" for n in range(5)]
    first = _ok(
        aws_cli(
            "list-secrets",
            "--filters",
            f"Key=name,Values={prefix}",
            "--max-items",
            "3",
            "--sort-by",
            "name",
        )
    )
    assert [s["Name"] for s in first["SecretList"]] == [f"{prefix}{n}" for n in range(3)]
    assert first["NextToken"]
    missing = aws_cli("get-secret-value", "--secret-id", prefix + "none")
    assert missing.returncode in (254, 255)  # aws-cli v2 and v1 exit codes for a service error
    assert "(ResourceNotFoundException) when calling the GetSecretValue operation" in (
        missing.stderr
    )
