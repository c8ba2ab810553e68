"""Rotation functions: what a RotationLambdaARN's function name resolves to.

Built in, named like AWS's templates (aws-samples/aws-secrets-manager-rotation-lambdas):
``SecretsManagerRDSPostgreSQLRotationSingleUser`` (the user changes its own password) and
``SecretsManagerRDSPostgreSQLRotationMultiUser`` (alternating users: ``user``/``user_clone``,
created and re-passworded by the master secret named in ``masterarn``). Their steps follow the
templates, including the re-entrancy and confused-deputy checks (rotation.md §1). Operator
functions come from the configuration: a local command receiving the Lambda event JSON on
stdin (exit 0 = the step succeeded), or a webhook receiving it as a POST (2xx = succeeded).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import psycopg
from psycopg import sql

from sealbox.api.facades.aws.errors import AwsError, ResourceNotFound

SINGLE_USER = "SecretsManagerRDSPostgreSQLRotationSingleUser"
MULTI_USER = "SecretsManagerRDSPostgreSQLRotationMultiUser"
_EXCLUDE = ":/@\"'\\"
_PG_MAX_NAME = 63


class RotationFailed(Exception):
    """A step failed; the message is safe to show (never contains a secret)."""


class Client(Protocol):
    async def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]: ...


Step = Callable[[Client, dict[str, Any]], Awaitable[None]]


def function_name(lambda_arn: str) -> str:
    """``arn:aws:lambda:<region>:<acct>:function:<name>[:<qualifier>]`` -> name (or as given)."""
    parts = lambda_arn.split(":")
    if len(parts) >= 7 and parts[2] == "lambda" and parts[5] == "function":
        return parts[6]
    return lambda_arn


async def _get(client: Client, secret_id: str, **selector: str) -> dict[str, Any] | None:
    try:
        out = await client.call("GetSecretValue", {"SecretId": secret_id, **selector})
    except ResourceNotFound:
        return None
    value: dict[str, Any] = json.loads(out["SecretString"])
    return value


async def _login(secret: dict[str, Any]) -> psycopg.AsyncConnection[Any] | None:
    try:
        return await psycopg.AsyncConnection.connect(
            host=str(secret["host"]),
            port=int(secret.get("port", 5432)),
            user=str(secret["username"]),
            password=str(secret["password"]),
            dbname=str(secret.get("dbname", "postgres")),
            connect_timeout=5,
            autocommit=True,
        )
    except (psycopg.Error, KeyError, ValueError):
        return None


async def _works(secret: dict[str, Any] | None) -> bool:
    if secret is None:
        return False
    conn = await _login(secret)
    if conn is None:
        return False
    await conn.close()
    return True


async def _create(client: Client, event: dict[str, Any], alternate: bool) -> None:
    secret_id, token = event["SecretId"], event["ClientRequestToken"]
    current = await _get(client, secret_id, VersionStage="AWSCURRENT")
    if current is None:
        raise RotationFailed("the secret has no AWSCURRENT value")
    if await _get(client, secret_id, VersionId=token, VersionStage="AWSPENDING") is not None:
        return
    pending = dict(current)
    if alternate:
        pending["username"] = alternate_name(str(current["username"]))
    password = await client.call(
        "GetRandomPassword", {"PasswordLength": 32, "ExcludeCharacters": _EXCLUDE}
    )
    pending["password"] = password["RandomPassword"]
    await client.call(
        "PutSecretValue",
        {
            "SecretId": secret_id,
            "ClientRequestToken": token,
            "SecretString": json.dumps(pending),
            "VersionStages": ["AWSPENDING"],
        },
    )


def alternate_name(username: str) -> str:
    """``user`` <-> ``user_clone`` (the MultiUser template's get_alt_username)."""
    if username.endswith("_clone"):
        return username[: -len("_clone")]
    name = username + "_clone"
    if len(name) > _PG_MAX_NAME:
        raise RotationFailed("the alternate user name exceeds PostgreSQL's 63 characters")
    return name


async def _pending_pair(client: Client, event: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    secret_id, token = event["SecretId"], event["ClientRequestToken"]
    current = await _get(client, secret_id, VersionStage="AWSCURRENT")
    pending = await _get(client, secret_id, VersionId=token, VersionStage="AWSPENDING")
    if current is None or pending is None:
        raise RotationFailed("AWSCURRENT or AWSPENDING has no value")
    return current, pending


async def _set_single(client: Client, event: dict[str, Any]) -> None:
    current, pending = await _pending_pair(client, event)
    if await _works(pending):
        return
    if (current.get("username"), current.get("host")) != (
        pending.get("username"),
        pending.get("host"),
    ):
        raise RotationFailed("AWSPENDING names another user or host than AWSCURRENT")
    conn = await _login(current)
    if conn is None:
        previous = await _get(client, event["SecretId"], VersionStage="AWSPREVIOUS")
        if previous is not None and (previous.get("username"), previous.get("host")) == (
            pending.get("username"),
            pending.get("host"),
        ):
            conn = await _login({**previous, "host": current["host"]})
    if conn is None:
        raise RotationFailed("cannot log in with AWSCURRENT or AWSPREVIOUS")
    async with conn:
        await conn.execute(
            sql.SQL("ALTER USER {} WITH PASSWORD {}").format(
                sql.Identifier(str(pending["username"])), sql.Literal(str(pending["password"]))
            )
        )


async def _set_multi(client: Client, event: dict[str, Any]) -> None:
    current, pending = await _pending_pair(client, event)
    if await _works(pending):
        return
    if pending.get("username") != alternate_name(str(current.get("username"))) or pending.get(
        "host"
    ) != current.get("host"):
        raise RotationFailed("AWSPENDING is not the alternate user on the same host")
    if not await _works(current):
        raise RotationFailed("AWSCURRENT cannot log in (confused-deputy guard)")
    master = await _get(client, str(current.get("masterarn", "")), VersionStage="AWSCURRENT")
    if master is None or master.get("host") != current.get("host"):
        raise RotationFailed("the master secret is missing or on another host")
    conn = await _login({**master, "dbname": current.get("dbname", "postgres")})
    if conn is None:
        raise RotationFailed("cannot log in with the master secret")
    user, password = str(pending["username"]), str(pending["password"])
    async with conn:
        cur = await conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (user,))
        if await cur.fetchone() is None:
            await conn.execute(
                sql.SQL("CREATE ROLE {} WITH LOGIN PASSWORD {}").format(
                    sql.Identifier(user), sql.Literal(password)
                )
            )
            await conn.execute(
                sql.SQL("GRANT {} TO {}").format(
                    sql.Identifier(str(current["username"])), sql.Identifier(user)
                )
            )
        else:
            await conn.execute(
                sql.SQL("ALTER USER {} WITH PASSWORD {}").format(
                    sql.Identifier(user), sql.Literal(password)
                )
            )


async def _test(client: Client, event: dict[str, Any]) -> None:
    _, pending = await _pending_pair(client, event)
    conn = await _login(pending)
    if conn is None:
        raise RotationFailed("cannot log in with AWSPENDING")
    async with conn:
        await conn.execute("SELECT NOW()")


async def _finish(client: Client, event: dict[str, Any]) -> None:
    secret_id, token = event["SecretId"], event["ClientRequestToken"]
    described = await client.call("DescribeSecret", {"SecretId": secret_id})
    current = next(
        (v for v, s in described.get("VersionIdsToStages", {}).items() if "AWSCURRENT" in s), None
    )
    if current == token:
        return
    await client.call(
        "UpdateSecretVersionStage",
        {
            "SecretId": secret_id,
            "VersionStage": "AWSCURRENT",
            "MoveToVersionId": token,
            "RemoveFromVersionId": current,
        },
    )


async def _single(client: Client, event: dict[str, Any]) -> None:
    steps: dict[str, Step] = {
        "createSecret": lambda c, e: _create(c, e, alternate=False),
        "setSecret": _set_single,
        "testSecret": _test,
        "finishSecret": _finish,
    }
    await steps[event["Step"]](client, event)


async def _multi(client: Client, event: dict[str, Any]) -> None:
    steps: dict[str, Step] = {
        "createSecret": lambda c, e: _create(c, e, alternate=True),
        "setSecret": _set_multi,
        "testSecret": _test,
        "finishSecret": _finish,
    }
    await steps[event["Step"]](client, event)


def command_function(argv: list[str]) -> Step:
    """An operator's local command: the event JSON on stdin, exit status 0 = success."""

    async def run(client: Client, event: dict[str, Any]) -> None:
        del client
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        await proc.communicate(json.dumps(event).encode())
        if proc.returncode != 0:
            raise RotationFailed(f"rotation command exited with status {proc.returncode}")

    return run


def webhook_function(url: str) -> Step:
    """An operator's HTTPS endpoint: the event JSON POSTed, any 2xx = success."""

    async def run(client: Client, event: dict[str, Any]) -> None:
        del client
        import httpx

        try:
            async with httpx.AsyncClient(timeout=60) as http:
                response = await http.post(url, json=event)
        except httpx.HTTPError as err:
            raise RotationFailed(f"rotation webhook unreachable: {type(err).__name__}") from err
        if not response.is_success:
            raise RotationFailed(f"rotation webhook answered {response.status_code}")

    return run


BUILTIN: dict[str, Step] = {SINGLE_USER: _single, MULTI_USER: _multi}


async def run_step(step: Step, client: Client, event: dict[str, Any]) -> None:
    """One step; every failure becomes RotationFailed with a safe message."""
    try:
        await step(client, event)
    except RotationFailed:
        raise
    except AwsError as err:
        raise RotationFailed(f"{event['Step']}: {err.aws_type}: {err.public_message}") from err
    except (psycopg.Error, OSError, ValueError, KeyError) as err:
        raise RotationFailed(f"{event['Step']} failed: {type(err).__name__}") from err
