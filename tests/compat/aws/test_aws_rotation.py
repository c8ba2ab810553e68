"""Rotation with the built-in PostgreSQL functions against a real PostgreSQL server.

Waiting for the background rotation polls DescribeSecret until it reports an outcome (never a
timed assertion: the deadline only stops a hung test).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

import psycopg
import pytest
from botocore.exceptions import ClientError
from psycopg import sql
from tests.compat.aws.conftest import Boto
from tests.postgres_server import PostgresServer

pytestmark = [pytest.mark.compat, pytest.mark.slow]

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"
SINGLE = LAMBDA + "SecretsManagerRDSPostgreSQLRotationSingleUser"
MULTI = LAMBDA + "SecretsManagerRDSPostgreSQLRotationMultiUser"


def _make_user(pg: PostgresServer, user: str, password: str) -> None:
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} WITH LOGIN PASSWORD {}").format(
                sql.Identifier(user), sql.Literal(password)
            )
        )


def _can_login(pg: PostgresServer, user: str, password: str) -> bool:
    try:
        with psycopg.connect(
            host=pg.host,
            port=pg.port,
            user=user,
            password=password,
            dbname="postgres",
            connect_timeout=5,
        ):
            return True
    except psycopg.OperationalError:
        return False


def _rotation_error(described: dict[str, Any]) -> str | None:
    for item in described.get("ExternalSecretRotationMetadata", []):
        if item["Key"] == "LastRotationError":
            return str(item["Value"])
    return None


def _wait_outcome(client: Any, name: str, after: float = 0.0) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        described: dict[str, Any] = client.describe_secret(SecretId=name)
        if _rotation_error(described):
            return described
        done = described.get("LastRotatedDate")
        if (
            done
            and done.timestamp() > after
            and not any(
                "AWSPENDING" in s and "AWSCURRENT" not in s
                for s in described["VersionIdsToStages"].values()
            )
        ):
            return described
        time.sleep(0.2)
    raise AssertionError("rotation did not finish")


def test_single_user_rotation_changes_the_password(boto: Boto, postgres: PostgresServer) -> None:
    user = f"app_{uuid.uuid4().hex[:8]}"
    _make_user(postgres, user, "initial-pw")
    name = f"db/{user}"
    secret = {
        "engine": "postgres",
        "host": postgres.host,
        "port": postgres.port,
        "username": user,
        "password": "initial-pw",
        "dbname": "postgres",
    }
    c = boto()
    first = c.create_secret(Name=name, SecretString=json.dumps(secret))["VersionId"]
    token = c.rotate_secret(
        SecretId=name, RotationLambdaARN=SINGLE, RotationRules={"AutomaticallyAfterDays": 30}
    )["VersionId"]
    described = _wait_outcome(c, name)
    assert _rotation_error(described) is None
    assert described["VersionIdsToStages"] == {first: ["AWSPREVIOUS"], token: ["AWSCURRENT"]}
    new = json.loads(c.get_secret_value(SecretId=name)["SecretString"])
    assert new["username"] == user
    assert new["password"] != "initial-pw"
    assert _can_login(postgres, user, new["password"])
    assert not _can_login(postgres, user, "initial-pw")
    assert described["NextRotationDate"] > described["LastRotatedDate"]


def test_failed_rotation_leaves_pending_and_blocks_the_next(boto: Boto) -> None:
    name = f"db/unreachable-{uuid.uuid4().hex[:8]}"
    secret = {
        "engine": "postgres",
        "host": "127.0.0.1",
        "port": 1,
        "username": "u",
        "password": "p",
    }
    c = boto()
    c.create_secret(Name=name, SecretString=json.dumps(secret))
    token = c.rotate_secret(SecretId=name, RotationLambdaARN=SINGLE)["VersionId"]
    described = _wait_outcome(c, name)
    assert _rotation_error(described) == "cannot log in with AWSCURRENT or AWSPREVIOUS"
    assert "AWSPENDING" in described["VersionIdsToStages"][token]
    assert json.loads(c.get_secret_value(SecretId=name)["SecretString"])["password"] == "p"
    with pytest.raises(ClientError) as err:
        c.rotate_secret(SecretId=name)
    assert err.value.response["Error"]["Code"] == "InvalidRequestException"


def test_alternating_users_never_deny_current_logins(boto: Boto, postgres: PostgresServer) -> None:
    user = f"svc_{uuid.uuid4().hex[:8]}"
    _make_user(postgres, user, "first-pw")
    c = boto()
    master = {
        "engine": "postgres",
        "host": postgres.host,
        "port": postgres.port,
        "username": "postgres",
        "password": "postgres",
    }
    master_arn = c.create_secret(Name=f"db/master-{user}", SecretString=json.dumps(master))["ARN"]
    name = f"db/{user}"
    c.create_secret(
        Name=name,
        SecretString=json.dumps(
            {
                **master,
                "username": user,
                "password": "first-pw",
                "dbname": "postgres",
                "masterarn": master_arn,
            }
        ),
    )
    failures: list[str] = []
    logins = [0]
    stop = threading.Event()

    def client_loop() -> None:
        reader = boto()
        while not stop.is_set():
            cur = json.loads(reader.get_secret_value(SecretId=name)["SecretString"])
            if _can_login(postgres, cur["username"], cur["password"]):
                logins[0] += 1
            else:
                failures.append(cur["username"])

    worker = threading.Thread(target=client_loop)
    worker.start()
    try:
        seen = []
        for _ in range(3):
            started = time.time()
            c.rotate_secret(SecretId=name, RotationLambdaARN=MULTI)
            described = _wait_outcome(c, name, after=started - 1)
            assert _rotation_error(described) is None
            seen.append(json.loads(c.get_secret_value(SecretId=name)["SecretString"])["username"])
    finally:
        stop.set()
        worker.join()
    assert seen == [user + "_clone", user, user + "_clone"]
    assert failures == []
    assert logins[0] > 0
    previous = json.loads(
        c.get_secret_value(SecretId=name, VersionStage="AWSPREVIOUS")["SecretString"]
    )
    assert _can_login(postgres, previous["username"], previous["password"])


def test_rotate_not_immediately_only_tests_the_login(boto: Boto, postgres: PostgresServer) -> None:
    """RotateImmediately=false runs testSecret alone: it logs in with the current credentials
    (nothing changes in PostgreSQL or the versions); a secret whose login fails is refused."""
    user = f"lazy_{uuid.uuid4().hex[:8]}"
    _make_user(postgres, user, "lazy-pw")
    secret = {
        "engine": "postgres",
        "host": postgres.host,
        "port": postgres.port,
        "username": user,
        "password": "lazy-pw",
        "dbname": "postgres",
    }
    c = boto()
    name = f"db/{user}"
    first = c.create_secret(Name=name, SecretString=json.dumps(secret))["VersionId"]
    out = c.rotate_secret(
        SecretId=name,
        RotationLambdaARN=SINGLE,
        RotationRules={"ScheduleExpression": "cron(0 4 ? * SUN *)", "Duration": "3h"},
        RotateImmediately=False,
    )
    assert "VersionId" not in out
    described = c.describe_secret(SecretId=name)
    assert described["RotationEnabled"] is True
    assert described["RotationRules"]["Duration"] == "3h"
    assert described["VersionIdsToStages"] == {first: ["AWSCURRENT"]}
    assert "LastRotatedDate" not in described
    assert described["NextRotationDate"].weekday() == 6  # Sunday
    assert _can_login(postgres, user, "lazy-pw")

    wrong = f"{name}-wrong"
    c.create_secret(Name=wrong, SecretString=json.dumps({**secret, "password": "nope"}))
    with pytest.raises(ClientError) as err:
        c.rotate_secret(SecretId=wrong, RotationLambdaARN=SINGLE, RotateImmediately=False)
    assert err.value.response["Error"]["Code"] == "InvalidRequestException"
    assert "testSecret" in err.value.response["Error"]["Message"]
    assert "nope" not in err.value.response["Error"]["Message"]
    assert "RotationLambdaARN" not in c.describe_secret(SecretId=wrong)
