"""The AWS door's background work, in process: scheduled rotations (a due one runs on the next
tick, a failed one is retried with the same token, one not yet due is left alone) and the end
of a recovery window (the KV engine's sweep, run as the core's periodic runner runs it)."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

from sealbox.api.facades.aws import server as aws
from sealbox.api.facades.aws.app import OPERATIONS, AwsAPI
from sealbox.api.facades.aws.client import DoorClient
from sealbox.api.facades.aws.credentials import Identity
from sealbox.api.facades.aws.kvclient import KVClient
from sealbox.core.core import Core
from sealbox.server.run import _setup_dev
from sealbox.storage.inmem import InMemoryStorage

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"


async def _door(tmp: Path, fail_marker: Path) -> tuple[AwsAPI, DoorClient]:
    core = Core(InMemoryStorage())
    _, root = await _setup_dev(core, "root")
    await aws.setup_dev(core, root)
    script = tmp / "rotator.py"
    script.write_text(
        "import json, pathlib, sys\n"
        "event = json.load(sys.stdin)\n"
        f"sys.exit(1 if pathlib.Path({str(fail_marker)!r}).exists() else 0)\n"
    )
    options = {"rotation_function": {"ok": {"command": [sys.executable, str(script)]}}}
    api = AwsAPI(core, aws.door_config(options, tls=False, token=root))
    identity = Identity("", "root", "user", root, (), 0.0)
    client = DoorClient(core, api.config, OPERATIONS, identity, "us-east-1")
    client.api = api
    return api, client


async def _make_due(api: AwsAPI, name: str) -> None:
    kv = KVClient(api.core, api.config.mount, api.config.door_token(), "")
    found = await kv.read(name, with_data=False)
    assert found is not None
    view = found[0]
    view.aws["rotation"]["next"] = time.time() - 1
    await kv.write(name, {"key_extra": view.key_extra(), "expect_version": view.kv_version})


async def _retry_now(api: AwsAPI, name: str) -> None:
    kv = KVClient(api.core, api.config.mount, api.config.door_token(), "")
    found = await kv.read(name, with_data=False)
    assert found is not None
    view = found[0]
    assert view.aws["rotation"]["failures"] == 1
    view.aws["rotation"]["retry_at"] = time.time() - 1
    await kv.write(name, {"key_extra": view.key_extra(), "expect_version": view.kv_version})


def test_scheduler_rotates_due_secrets_and_retries_failures(tmp_path: Path) -> None:
    fail = tmp_path / "fail"

    async def scenario() -> dict[str, Any]:
        api, client = await _door(tmp_path, fail)
        for name in ("due", "later"):
            await client.call("CreateSecret", {"Name": name, "SecretString": "v"})
            await client.call(
                "RotateSecret",
                {
                    "SecretId": name,
                    "RotationLambdaARN": LAMBDA + "ok",
                    "RotateImmediately": False,
                    "RotationRules": {"AutomaticallyAfterDays": 1},
                },
            )
        await _make_due(api, "due")
        fail.write_text("x")
        await api.periodic()
        await api.rotations.wait()
        failed = await client.call("DescribeSecret", {"SecretId": "due"})
        fail.unlink()
        await api.periodic()  # not yet: the retry waits for its back-off
        await api.rotations.wait()
        assert "ExternalSecretRotationMetadata" in await client.call(
            "DescribeSecret", {"SecretId": "due"}
        )
        await _retry_now(api, "due")
        await api.periodic()  # the failed rotation is retried with the same token
        await api.rotations.wait()
        return {
            "failed": failed,
            "due": await client.call("DescribeSecret", {"SecretId": "due"}),
            "later": await client.call("DescribeSecret", {"SecretId": "later"}),
        }

    out = asyncio.run(scenario())
    failed, due, later = out["failed"], out["due"], out["later"]
    assert failed["ExternalSecretRotationMetadata"][0]["Value"] == (
        "rotation command exited with status 1"
    )
    pending = [v for v, s in failed["VersionIdsToStages"].items() if "AWSPENDING" in s]
    assert len(pending) == 1
    assert "ExternalSecretRotationMetadata" not in due
    assert due["LastRotatedDate"] > 0
    assert due["NextRotationDate"] > time.time() + 86400 - 60
    assert "LastRotatedDate" not in later
    # The rotation function did not move the labels, so the retried placeholder stays pending.
    assert "AWSPENDING" in due["VersionIdsToStages"][pending[0]]


def test_recovery_window_really_ends_in_deletion(tmp_path: Path) -> None:
    """DeleteSecret with a window: gone for both doors once it passes, swept from storage."""
    from datetime import UTC, datetime, timedelta

    from sealbox.api.facades.aws.errors import ResourceNotFound
    from sealbox.errors import NotFound
    from sealbox.logical import Operation, Request

    async def scenario() -> None:
        api, client = await _door(tmp_path, tmp_path / "unused")
        await client.call("CreateSecret", {"Name": "old/app", "SecretString": "v"})
        await client.call("CreateSecret", {"Name": "kept", "SecretString": "v"})
        await client.call("DeleteSecret", {"SecretId": "old/app", "RecoveryWindowInDays": 7})
        route = api.core.mounts.router.get("secret/")  # type: ignore[attr-defined]
        assert route is not None
        kv = route.backend
        kv.clock = lambda: datetime.now(UTC) + timedelta(days=6)
        await kv.periodic()  # what the core's periodic runner calls every minute
        assert (await client.call("DescribeSecret", {"SecretId": "old/app"}))["DeletedDate"]
        kv.clock = lambda: datetime.now(UTC) + timedelta(days=7, minutes=1)
        await kv.periodic()
        try:
            await client.call("DescribeSecret", {"SecretId": "old/app"})
            raise AssertionError("the secret outlived its recovery window")
        except ResourceNotFound:
            pass
        token = api.config.door_token()
        try:
            await api.core.handle(
                Request(Operation.READ, "secret/data/old/app", client_token=token)
            )
            raise AssertionError("the KV key outlived the recovery window")
        except NotFound:
            pass
        storage = kv.config.storage
        assert await storage.list("metadata/") == ["kept"]
        assert len(await storage.list("versions/")) == 1  # only "kept"'s versions remain

    asyncio.run(scenario())


def test_webhook_rotation_function_receives_lambdas_events(tmp_path: Path) -> None:
    """A rotation function registered as a webhook gets every step's event as a POST."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    events: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            event = json.loads(self.rfile.read(length))
            events.append(event)
            self.send_response(500 if event["Step"] == "finishSecret" else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            del args

    http = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{http.server_address[1]}/rotate"

    async def scenario() -> dict[str, Any]:
        core = Core(InMemoryStorage())
        _, root = await _setup_dev(core, "root")
        await aws.setup_dev(core, root)
        options = {"rotation_function": {"hook": {"url": url}}}
        api = AwsAPI(core, aws.door_config(options, tls=False, token=root))
        client = DoorClient(
            core, api.config, OPERATIONS, Identity("", "root", "user", root, (), 0.0), "us-east-1"
        )
        client.api = api
        created = await client.call("CreateSecret", {"Name": "hooked", "SecretString": "v"})
        out = await client.call(
            "RotateSecret", {"SecretId": "hooked", "RotationLambdaARN": LAMBDA + "hook"}
        )
        await api.rotations.wait()
        described = await client.call("DescribeSecret", {"SecretId": "hooked"})
        return {"arn": created["ARN"], "token": out["VersionId"], "described": described}

    try:
        out = asyncio.run(scenario())
    finally:
        http.shutdown()
    assert [e["Step"] for e in events] == [
        "createSecret",
        "setSecret",
        "testSecret",
        "finishSecret",
    ]
    assert {(e["SecretId"], e["ClientRequestToken"]) for e in events} == {
        (out["arn"], out["token"])
    }
    failure = out["described"]["ExternalSecretRotationMetadata"][0]["Value"]
    assert failure == "rotation webhook answered 500"


def test_rotation_placeholder_is_filled_by_put_secret_value(tmp_path: Path) -> None:
    """What a Lambda's createSecret relies on: the AWSPENDING placeholder has no value until
    PutSecretValue with the rotation's token stores one into the same VersionId."""
    from sealbox.api.facades.aws.errors import ResourceNotFound

    async def scenario() -> None:
        api, client = await _door(tmp_path, tmp_path / "unused")
        first = await client.call("CreateSecret", {"Name": "p", "SecretString": "v1"})
        token = (
            await client.call("RotateSecret", {"SecretId": "p", "RotationLambdaARN": LAMBDA + "ok"})
        )["VersionId"]
        await api.rotations.wait()
        try:
            await client.call(
                "GetSecretValue",
                {"SecretId": "p", "VersionId": token, "VersionStage": "AWSPENDING"},
            )
            raise AssertionError("the placeholder has no value")
        except ResourceNotFound:
            pass
        put = await client.call(
            "PutSecretValue",
            {
                "SecretId": "p",
                "ClientRequestToken": token,
                "SecretString": "v2",
                "VersionStages": ["AWSPENDING"],
            },
        )
        assert (put["VersionId"], put["VersionStages"]) == (token, ["AWSPENDING"])
        pending = await client.call(
            "GetSecretValue", {"SecretId": "p", "VersionStage": "AWSPENDING"}
        )
        assert (pending["VersionId"], pending["SecretString"]) == (token, "v2")
        stages = (await client.call("DescribeSecret", {"SecretId": "p"}))["VersionIdsToStages"]
        assert stages == {first["VersionId"]: ["AWSCURRENT"], token: ["AWSPENDING"]}
        cancelled = await client.call("CancelRotateSecret", {"SecretId": "p"})
        assert cancelled["VersionId"] == token

    asyncio.run(scenario())


def test_scheduled_rotation_runs_only_inside_its_window(tmp_path: Path) -> None:
    """RotationRules.Duration: a window that passed unused waits for the next one; a failed
    rotation is retried only while a window is open."""
    from datetime import UTC, datetime

    fail = tmp_path / "fail"
    rules = {"ScheduleExpression": "cron(0 8 * * ? *)", "Duration": "2h"}

    async def scenario() -> dict[str, Any]:
        api, client = await _door(tmp_path, fail)
        await client.call("CreateSecret", {"Name": "w", "SecretString": "v"})
        await client.call(
            "RotateSecret",
            {
                "SecretId": "w",
                "RotationLambdaARN": LAMBDA + "ok",
                "RotateImmediately": False,
                "RotationRules": rules,
            },
        )
        first = (await client.call("DescribeSecret", {"SecretId": "w"}))["NextRotationDate"]
        opens = datetime.fromtimestamp(first, UTC)
        assert (opens.hour, opens.minute) == (8, 0)
        # Two hours and a minute later the window has closed: nothing runs, the next opens
        # the following day at 08:00.
        api.rotations.clock = lambda: first + 2 * 3600 + 60
        await api.periodic()
        await api.rotations.wait()
        missed = await client.call("DescribeSecret", {"SecretId": "w"})
        second = missed["NextRotationDate"]
        # Inside the next window it fails, and the retry is held to that window.
        fail.write_text("x")
        api.rotations.clock = lambda: second + 1800
        await api.periodic()
        await api.rotations.wait()
        failed = await client.call("DescribeSecret", {"SecretId": "w"})
        fail.unlink()
        api.rotations.clock = lambda: second + 2 * 3600 + 1  # back-off over, window closed
        await api.periodic()
        await api.rotations.wait()
        held = await client.call("DescribeSecret", {"SecretId": "w"})
        api.rotations.clock = lambda: held["NextRotationDate"] + 60
        await api.periodic()
        await api.rotations.wait()
        done = await client.call("DescribeSecret", {"SecretId": "w"})
        return {"first": first, "missed": missed, "failed": failed, "held": held, "done": done}

    out = asyncio.run(scenario())
    missed, failed, held, done = out["missed"], out["failed"], out["held"], out["done"]
    assert "LastRotatedDate" not in missed
    assert missed["NextRotationDate"] == out["first"] + 86400
    assert "LastRotatedDate" not in failed
    assert failed["ExternalSecretRotationMetadata"][0]["Value"] == (
        "rotation command exited with status 1"
    )
    assert "LastRotatedDate" not in held  # no retry outside the window
    assert held["NextRotationDate"] == missed["NextRotationDate"] + 86400
    assert "ExternalSecretRotationMetadata" not in done
    assert done["LastRotatedDate"] > 0
    assert done["RotationRules"]["Duration"] == "2h"


def test_rotate_not_immediately_runs_only_test_secret(tmp_path: Path) -> None:
    """RotateImmediately=false: the function sees one testSecret event naming AWSCURRENT's
    version (labelled AWSPENDING for the test), no version is made, and a failed test undoes
    the settings with InvalidRequestException."""
    import json

    from sealbox.api.facades.aws.errors import InvalidRequestError

    log = tmp_path / "events.jsonl"
    fail = tmp_path / "fail"
    script = tmp_path / "record.py"
    script.write_text(
        "import json, pathlib, sys\n"
        "event = json.load(sys.stdin)\n"
        f"pathlib.Path({str(log)!r}).open('a').write(json.dumps(event) + '\\n')\n"
        f"sys.exit(1 if pathlib.Path({str(fail)!r}).exists() else 0)\n"
    )

    async def scenario() -> dict[str, Any]:
        core = Core(InMemoryStorage())
        _, root = await _setup_dev(core, "root")
        await aws.setup_dev(core, root)
        options = {"rotation_function": {"rec": {"command": [sys.executable, str(script)]}}}
        api = AwsAPI(core, aws.door_config(options, tls=False, token=root))
        client = DoorClient(
            core, api.config, OPERATIONS, Identity("", "root", "user", root, (), 0.0), "us-east-1"
        )
        client.api = api
        created = await client.call("CreateSecret", {"Name": "t", "SecretString": "v"})
        out = await client.call(
            "RotateSecret",
            {
                "SecretId": "t",
                "RotationLambdaARN": LAMBDA + "rec",
                "RotateImmediately": False,
                "RotationRules": {"AutomaticallyAfterDays": 7},
            },
        )
        await api.rotations.wait()
        tested = await client.call("DescribeSecret", {"SecretId": "t"})
        await client.call("CreateSecret", {"Name": "f", "SecretString": "v"})
        fail.write_text("x")
        try:
            await client.call(
                "RotateSecret",
                {"SecretId": "f", "RotationLambdaARN": LAMBDA + "rec", "RotateImmediately": False},
            )
            raise AssertionError("a failed test must refuse the rotation settings")
        except InvalidRequestError as err:
            refused = err.public_message
        undone = await client.call("DescribeSecret", {"SecretId": "f"})
        return {
            "created": created,
            "out": out,
            "tested": tested,
            "refused": refused,
            "undone": undone,
        }

    out = asyncio.run(scenario())
    events = [json.loads(line) for line in log.read_text().splitlines()]
    first = out["created"]["VersionId"]
    assert [e["Step"] for e in events] == ["testSecret", "testSecret"]
    assert events[0]["ClientRequestToken"] == first
    assert events[0]["SecretId"] == out["created"]["ARN"]
    assert "VersionId" not in out["out"]
    tested = out["tested"]
    assert tested["RotationEnabled"] is True
    assert tested["VersionIdsToStages"] == {first: ["AWSCURRENT"]}  # the test label is gone
    assert "LastRotatedDate" not in tested
    assert tested["NextRotationDate"] > time.time() + 7 * 86400 - 60
    assert out["refused"] == (
        "The rotation function's testSecret step failed: rotation command exited with status 1"
    )
    undone = out["undone"]
    assert "RotationEnabled" not in undone or undone["RotationEnabled"] is False
    assert "RotationLambdaARN" not in undone
    assert list(undone["VersionIdsToStages"].values()) == [["AWSCURRENT"]]
