"""RotateSecret and CancelRotateSecret, and the runner of AWS's four rotation steps.

RotateSecret stores the rotation settings, creates the AWSPENDING placeholder version (the
VersionId is the ClientRequestToken) and runs createSecret, setSecret, testSecret and
finishSecret in the background with Lambda's event JSON, as the caller (so its IAM policies and
ACLs apply to what the function does). A failed step leaves AWSPENDING where it is, is recorded
(DescribeSecret's ``LastRotationError``) and is retried by the scheduler with the same token; a
success sets LastRotatedDate and NextRotationDate and drops AWSPENDING. Scheduled rotations run
as the door's own token (``listener "aws" { token_file = ... }``; dev mode: root).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sealbox.api.facades.aws.client import DoorClient
from sealbox.api.facades.aws.context import Call
from sealbox.api.facades.aws.credentials import Identity
from sealbox.api.facades.aws.errors import AccessDenied, AwsError, InvalidRequestError
from sealbox.api.facades.aws.kvclient import KVClient
from sealbox.api.facades.aws.model import CURRENT, PENDING, SecretView, Version
from sealbox.api.facades.aws.rotators import (
    BUILTIN,
    RotationFailed,
    Step,
    command_function,
    function_name,
    run_step,
    webhook_function,
)
from sealbox.api.facades.aws.schedule import check_rules, in_window, next_after, window_end
from sealbox.api.facades.aws.values import MAX_VERSIONS
from sealbox.errors import CheckAndSetMismatch

if TYPE_CHECKING:
    from sealbox.api.facades.aws.app import AwsAPI

log = logging.getLogger("sealbox.aws.rotation")
STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")


def _epoch(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


async def rotate_secret(call: Call) -> dict[str, Any]:
    p = call.params
    api: AwsAPI = call.api
    rules = check_rules(p["RotationRules"]) if p.get("RotationRules") is not None else None
    immediately = p.get("RotateImmediately", True)
    token = p.get("ClientRequestToken") or str(uuid.uuid4())
    box: dict[str, Any] = {}

    async def change() -> tuple[str, dict[str, Any]]:
        view, _ = await call.find(p["SecretId"], "RotateSecret")
        lambda_arn = p.get("RotationLambdaARN") or (view.aws.get("rotation") or {}).get("lambda")
        call.authorize(
            "RotateSecret",
            view,
            {
                "secretsmanager:RotationLambdaARN": lambda_arn,
                "secretsmanager:RotateImmediately": immediately,
                "secretsmanager:ModifyRotationRules": rules is not None,
            },
        )
        call.require_not_deleted(view)
        if not lambda_arn:
            raise InvalidRequestError(
                "You tried to enable rotation on a secret that doesn't already have a Lambda "
                "function ARN configured and you didn't include such an ARN as a parameter in "
                "this call."
            )
        api.rotations.function(lambda_arn)  # unknown function: refused before any change
        pending, current = view.by_stage(PENDING), view.by_stage(CURRENT)
        if pending is not None and pending is not current and pending.version_id != token:
            raise InvalidRequestError(
                "A previous rotation isn't complete. That rotation will be reattempted."
            )
        before = view.aws.get("rotation")
        box["before"] = None if before is None else dict(before)
        rotation = dict(before or {})
        rotation.update(enabled=True, token=token if immediately else None)
        rotation["lambda"] = lambda_arn
        if rules is not None:
            rotation["rules"] = rules
        if rules is not None or not rotation.get("next"):
            # The schedule changes with new rules only: a rotation started by the scheduler
            # (or by hand) keeps the window it runs in, which retries are held to.
            base = datetime.fromtimestamp(rotation.get("last_rotated") or time.time(), UTC)
            rotation["next"] = _epoch(next_after(rotation.get("rules") or {}, base))
        view.aws["rotation"] = rotation
        box["view"] = view
        body: dict[str, Any] = {"key_extra": view.key_extra(), "expect_version": view.kv_version}
        if immediately and view.by_id(token) is None:
            _placeholder(view, token, body)
        return view.name, body

    await call.kv.mutate(change)
    view: SecretView = box["view"]
    out: dict[str, Any] = {"ARN": call.arn(view), "Name": view.name}
    if immediately:
        api.rotations.start(call.identity, call.region, call.arn(view), token)
        out["VersionId"] = token
    else:
        lambda_arn = str(view.aws["rotation"]["lambda"])
        await api.rotations.test(call, view.name, lambda_arn, box["before"])
    return out


def _placeholder(view: SecretView, token: str, body: dict[str, Any]) -> None:
    """AWSPENDING on a new version without a value (the createSecret step fills it)."""
    new = Version(view.kv_version + 1, token, [], time.time(), "none", True)
    view.versions.append(new)
    view.move_stage(PENDING, new)
    body.update(
        data={},
        new_version_extra={"aws": new.to_extra()},
        version_extra={k: v for k, v in view.changed_versions().items() if int(k) != new.number},
        key_extra=view.key_extra(),
        max_versions=max(MAX_VERSIONS, view.max_versions),
    )


async def cancel_rotate_secret(call: Call) -> dict[str, Any]:
    box: dict[str, Any] = {}

    async def change() -> tuple[str, dict[str, Any]]:
        view, _ = await call.find(call.params["SecretId"], "CancelRotateSecret")
        call.authorize("CancelRotateSecret", view)
        call.require_not_deleted(view)
        rotation = dict(view.aws.get("rotation") or {})
        if not rotation.get("lambda"):
            raise InvalidRequestError(
                "You tried to cancel rotation on a secret that doesn't have rotation configured."
            )
        rotation["enabled"] = False
        rotation.pop("next", None)
        rotation.pop("token", None)
        view.aws["rotation"] = rotation
        box["view"] = view
        return view.name, {"key_extra": view.key_extra(), "expect_version": view.kv_version}

    await call.kv.mutate(change)
    view: SecretView = box["view"]
    out: dict[str, Any] = {"ARN": call.arn(view), "Name": view.name}
    pending = view.by_stage(PENDING)
    if pending is not None:
        out["VersionId"] = pending.version_id
    return out


class Rotations:
    """Runs rotations in the background and on schedule."""

    def __init__(self, api: AwsAPI) -> None:
        self.api = api
        self._tasks: dict[str, asyncio.Task[None]] = {}
        #: Epoch seconds now; tests move it to open or close rotation windows.
        self.clock: Callable[[], float] = time.time

    def function(self, lambda_arn: str) -> Step:
        name = function_name(lambda_arn)
        if name in BUILTIN:
            return BUILTIN[name]
        argv = self.api.config.rotation_commands.get(name)
        if argv:
            return command_function(list(argv))
        url = self.api.config.rotation_webhooks.get(name)
        if url:
            return webhook_function(url)
        raise AccessDenied(
            "Secrets Manager cannot invoke the specified Lambda function. Ensure that the "
            "function policy grants access to the principal secretsmanager.amazonaws.com."
        )

    def start(self, identity: Identity, region: str, arn: str, token: str) -> None:
        """Run the four steps for ``arn`` in the background (one rotation per secret)."""
        running = self._tasks.get(arn)
        if running is not None and not running.done():
            return
        task = asyncio.get_running_loop().create_task(self._rotate(identity, region, arn, token))
        self._tasks[arn] = task
        task.add_done_callback(lambda _: self._tasks.pop(arn, None))

    async def test(
        self, call: Call, name: str, lambda_arn: str, before: dict[str, Any] | None
    ) -> None:
        """RotateImmediately=false: only the function's testSecret step, as AWS does.

        For the test AWSPENDING is put beside AWSCURRENT (a state AWS allows), so the step
        reads the current value as the pending one, and is removed again afterwards; no version
        is written. A failed test undoes the rotation settings (``before``) and answers
        InvalidRequestException with the step's safe message.
        """
        from sealbox.api.facades.aws.app import OPERATIONS

        kv = KVClient(self.api.core, self.api.config.mount, call.identity.token, call.address)
        found = await kv.read(name, with_data=False)
        current = None if found is None else found[0].by_stage(CURRENT)
        error = ""
        if current is None or current.encoding == "none":
            error = "the secret has no AWSCURRENT value to test the rotation function with"
        else:
            client = DoorClient(
                self.api.core, self.api.config, OPERATIONS, call.identity, call.region
            )
            client.api = self.api
            await _relabel(kv, name, current.version_id, restore=False, before=None)
            event = {
                "Step": "testSecret",
                "SecretId": call.arn(found[0]) if found else name,
                "ClientRequestToken": current.version_id,
                "RotationToken": str(uuid.uuid4()),
            }
            try:
                await run_step(self.function(lambda_arn), client, event)
            except RotationFailed as err:
                error = str(err)
            except AwsError as err:
                error = f"{err.aws_type}: {err.public_message}"
            except Exception as err:  # noqa: BLE001 - the label must come off whatever happened
                log.error("rotation test failed unexpectedly: %s", type(err).__name__)
                error = f"internal error ({type(err).__name__})"
        await _relabel(kv, name, None, restore=bool(error), before=before)
        if error:
            raise InvalidRequestError(f"The rotation function's testSecret step failed: {error}")

    async def wait(self) -> None:
        """Let running rotations finish (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)

    async def _rotate(self, identity: Identity, region: str, arn: str, token: str) -> None:
        api = self.api
        from sealbox.api.facades.aws.app import OPERATIONS

        client = DoorClient(api.core, api.config, OPERATIONS, identity, region)
        client.api = api
        error = ""
        try:
            described = await client.call("DescribeSecret", {"SecretId": arn})
            step = self.function(str(described.get("RotationLambdaARN", "")))
            for name in STEPS:
                event = {
                    "Step": name,
                    "SecretId": arn,
                    "ClientRequestToken": token,
                    "RotationToken": str(uuid.uuid4()),
                }
                await run_step(step, client, event)
        except RotationFailed as err:
            error = str(err)
        except AwsError as err:
            error = f"{err.aws_type}: {err.public_message}"
        except Exception as err:  # noqa: BLE001 - a background worker records every failure
            log.error("rotation failed unexpectedly: %s", type(err).__name__)
            error = f"internal error ({type(err).__name__})"
        await self._record(identity, arn, error)

    async def _record(self, identity: Identity, arn: str, error: str) -> None:
        """Store the outcome; on success drop AWSPENDING from the (now current) version."""
        kv = KVClient(self.api.core, self.api.config.mount, identity.token, "")
        name = arn.split(":secret:", 1)[1].rsplit("-", 1)[0]
        for _ in range(8):
            found = await kv.read(name, with_data=False)
            if found is None:
                return
            view = found[0]
            rotation = dict(view.aws.get("rotation") or {})
            now = time.time()
            if error:
                rotation["failure"] = error
                # Retried with back-off: 1, 2, 4 ... minutes, at most a day apart.
                failures = int(rotation.get("failures", 0)) + 1
                rotation["failures"] = failures
                rotation["retry_at"] = now + min(60.0 * 2 ** (failures - 1), 86400.0)
                log.warning("rotation of a secret failed: %s", error.split(":")[0])
            else:
                for done in ("failure", "token", "failures", "retry_at"):
                    rotation.pop(done, None)
                rotation["last_rotated"] = now
                rotation["next"] = _epoch(
                    next_after(rotation.get("rules") or {}, datetime.fromtimestamp(now, UTC))
                )
                pending = view.by_stage(PENDING)
                if pending is not None and CURRENT in pending.stages:
                    view.move_stage(PENDING, None)
            view.aws["rotation"] = rotation
            body = {
                "key_extra": view.key_extra(),
                "version_extra": view.changed_versions(),
                "expect_version": view.kv_version,
            }
            try:
                await kv.write(view.name, body)
                return
            except CheckAndSetMismatch:
                continue

    async def run_due(self) -> None:
        """Start every rotation whose window is open, or that failed and must be retried.

        A scheduled rotation, and the retries of any failed one on a schedule, run only
        while the window that opened at ``next`` lasts (``RotationRules.Duration``); once it
        has passed unused, the rotation waits for the next window.
        """
        from sealbox.api.facades.aws.app import OPERATIONS

        token = self.api.config.door_token()
        if not token:
            return
        identity = Identity("", "sealbox-rotation", "user", token, (), 0.0)
        kv = KVClient(self.api.core, self.api.config.mount, token, "")
        now = self.clock()
        moment = datetime.fromtimestamp(now, UTC)
        for view in await kv.list_all():
            rotation = view.aws.get("rotation") or {}
            if not rotation.get("enabled") or view.deleted_date is not None:
                continue
            rules: dict[str, Any] = rotation.get("rules") or {}
            start = rotation.get("next")
            opened = datetime.fromtimestamp(float(start), UTC) if start else None
            retrying = bool(rotation.get("failure") and rotation.get("token"))
            if retrying and float(rotation.get("retry_at", 0)) > now:
                continue
            if not retrying and (opened is None or opened > moment):
                continue
            if opened is not None and not in_window(rules, opened, moment):
                if moment >= window_end(rules, opened):
                    await self._next_window(kv, view.name, rules, moment)
                continue
            region = view.aws.get("region") or "us-east-1"
            arn = _arn(self.api, view, region)
            if retrying:
                self.start(identity, region, arn, str(rotation["token"]))
                continue
            client = DoorClient(self.api.core, self.api.config, OPERATIONS, identity, region)
            client.api = self.api
            try:
                await client.call("RotateSecret", {"SecretId": arn})
            except AwsError as err:
                log.warning("scheduled rotation could not start: %s", err.aws_type)

    async def _next_window(
        self, kv: KVClient, name: str, rules: dict[str, Any], moment: datetime
    ) -> None:
        """A window passed unused: the rotation (or its retry) waits for the next one."""
        for _ in range(8):
            found = await kv.read(name, with_data=False)
            if found is None:
                return
            view = found[0]
            rotation = dict(view.aws.get("rotation") or {})
            rotation["next"] = _epoch(next_after(rules, moment))
            view.aws["rotation"] = rotation
            try:
                await kv.write(
                    view.name, {"key_extra": view.key_extra(), "expect_version": view.kv_version}
                )
                return
            except CheckAndSetMismatch:
                continue


async def _relabel(
    kv: KVClient, name: str, pending_on: str | None, *, restore: bool, before: dict[str, Any] | None
) -> None:
    """Put AWSPENDING on version ``pending_on`` (None: remove it); ``restore``: also put the
    rotation settings back to ``before`` (None: no rotation configured)."""

    async def change() -> tuple[str, dict[str, Any]] | None:
        found = await kv.read(name, with_data=False)
        if found is None:
            return None
        view = found[0]
        view.move_stage(PENDING, view.by_id(pending_on) if pending_on else None)
        if restore:
            if before is None:
                view.aws.pop("rotation", None)
            else:
                view.aws["rotation"] = before
        return view.name, {
            "key_extra": view.key_extra(),
            "version_extra": view.changed_versions(),
            "expect_version": view.kv_version,
        }

    await kv.mutate(change)


def _arn(api: AwsAPI, view: SecretView, region: str) -> str:
    from sealbox.api.facades.aws.arn import secret_arn
    from sealbox.api.facades.aws.context import derived_suffix

    suffix = view.aws.get("suffix") or derived_suffix(view.name, view.created_time)
    return secret_arn(region, api.config.account_id, view.name, suffix)
