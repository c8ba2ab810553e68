"""TagResource, UntagResource, the resource-policy operations and GetRandomPassword."""

from __future__ import annotations

import json
import secrets
import string
import time
from typing import Any

from sealbox.api.facades.aws.context import Call
from sealbox.api.facades.aws.errors import InvalidParameter, MalformedPolicy, PublicPolicy
from sealbox.api.facades.aws.iam import statements
from sealbox.api.facades.aws.tags import check_tags, merge_tags

_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"


async def _change_meta(call: Call, action: str, extra: dict[str, Any], edit: Any) -> Any:
    box: dict[str, Any] = {}

    async def change() -> tuple[str, dict[str, Any]]:
        view, _ = await call.find(call.params["SecretId"], action)
        call.authorize(action, view, extra)
        edit(view)
        if action in ("TagResource", "UntagResource"):
            # A tag change may not take away the caller's own right to make it (tag-based
            # policies): checked again against the secret as it would be afterwards.
            call.authorize(action, view, extra)
        view.aws["last_changed"] = time.time()
        box["view"] = view
        call.materialise(view)
        return view.name, {"key_extra": view.key_extra(), "expect_version": view.kv_version}

    await call.kv.mutate(change)
    return box["view"]


async def tag_resource(call: Call) -> dict[str, Any]:
    tags = check_tags(call.params["Tags"])
    extra = {
        "aws:TagKeys": [t["Key"] for t in tags],
        **{f"aws:RequestTag/{t['Key']}": t["Value"] for t in tags},
    }

    def edit(view: Any) -> None:
        view.aws["tags"] = merge_tags(view.aws.get("tags", []), tags)

    await _change_meta(call, "TagResource", extra, edit)
    return {}


async def untag_resource(call: Call) -> dict[str, Any]:
    keys = call.params["TagKeys"]
    if not all(isinstance(k, str) for k in keys):
        raise InvalidParameter("TagKeys must be strings.")

    def edit(view: Any) -> None:
        view.aws["tags"] = [t for t in view.aws.get("tags", []) if t["Key"] not in keys]
        if not view.aws["tags"]:
            del view.aws["tags"]

    await _change_meta(call, "UntagResource", {"aws:TagKeys": list(keys)}, edit)
    return {}


def _parsed_policy(text: str) -> list[dict[str, Any]]:
    try:
        doc = json.loads(text)
        found = statements(doc)
    except ValueError as err:
        raise MalformedPolicy("This resource policy contains a syntax error.") from err
    if not found:
        raise MalformedPolicy("This resource policy contains a syntax error.")
    for stmt in found:
        if stmt.get("Effect") not in ("Allow", "Deny"):
            raise MalformedPolicy("This resource policy contains an unsupported Effect.")
        if "Action" not in stmt and "NotAction" not in stmt:
            raise MalformedPolicy("This resource policy contains a statement without Action.")
        if "Principal" not in stmt and "NotPrincipal" not in stmt:
            raise MalformedPolicy("This resource policy contains a statement without Principal.")
    return found


def _is_public(found: list[dict[str, Any]]) -> bool:
    """An Allow to every principal without a condition (AWS's BlockPublicPolicy check)."""
    for stmt in found:
        principal = stmt.get("Principal")
        everyone = principal == "*" or (
            isinstance(principal, dict) and "*" in _as_list(principal.get("AWS"))
        )
        if stmt.get("Effect") == "Allow" and everyone and not stmt.get("Condition"):
            return True
    return False


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


async def get_resource_policy(call: Call) -> dict[str, Any]:
    view, _ = await call.find(call.params["SecretId"], "GetResourcePolicy")
    call.authorize("GetResourcePolicy", view)
    out: dict[str, Any] = {"ARN": call.arn(view), "Name": view.name}
    if view.aws.get("policy"):
        out["ResourcePolicy"] = view.aws["policy"]
    return out


async def put_resource_policy(call: Call) -> dict[str, Any]:
    text: str = call.params["ResourcePolicy"]
    block = bool(call.params.get("BlockPublicPolicy"))
    found = _parsed_policy(text)
    if block and _is_public(found):
        raise PublicPolicy()

    def edit(view: Any) -> None:
        view.aws["policy"] = text

    view = await _change_meta(
        call, "PutResourcePolicy", {"secretsmanager:BlockPublicPolicy": block}, edit
    )
    return {"ARN": call.arn(view), "Name": view.name}


async def delete_resource_policy(call: Call) -> dict[str, Any]:
    def edit(view: Any) -> None:
        view.aws.pop("policy", None)

    view = await _change_meta(call, "DeleteResourcePolicy", {}, edit)
    return {"ARN": call.arn(view), "Name": view.name}


async def validate_resource_policy(call: Call) -> dict[str, Any]:
    text: str = call.params["ResourcePolicy"]
    if call.params.get("SecretId"):
        view, _ = await call.find(call.params["SecretId"], "ValidateResourcePolicy")
        call.authorize("ValidateResourcePolicy", view)
    else:
        call.authorize("ValidateResourcePolicy", None)
    try:
        found = _parsed_policy(text)
    except MalformedPolicy as err:
        return {
            "PolicyValidationPassed": False,
            "ValidationErrors": [{"CheckName": "SYNTAX", "ErrorMessage": err.public_message}],
        }
    errors = []
    if _is_public(found):
        errors.append(
            {"CheckName": "PUBLIC_POLICY", "ErrorMessage": "The policy grants public access."}
        )
    return {"PolicyValidationPassed": not errors, "ValidationErrors": errors}


def random_password(params: dict[str, Any]) -> str:
    """AWS's GetRandomPassword rules (defaults: 32 characters, every class, no space)."""
    classes = []
    for flag, chars in (
        ("ExcludeLowercase", string.ascii_lowercase),
        ("ExcludeUppercase", string.ascii_uppercase),
        ("ExcludeNumbers", string.digits),
        ("ExcludePunctuation", _PUNCTUATION),
    ):
        if not params.get(flag):
            classes.append(chars)
    if params.get("IncludeSpace"):
        classes.append(" ")
    excluded = set(params.get("ExcludeCharacters") or "")
    classes = [
        kept for kept in ("".join(c for c in cls if c not in excluded) for cls in classes) if kept
    ]
    length = int(params.get("PasswordLength") or 32)
    if not classes:
        raise InvalidParameter("The password has no characters to choose from.")
    require_each = params.get("RequireEachIncludedType", True)
    if require_each and length < len(classes):
        raise InvalidParameter(
            "The password length is too short to include every required character type."
        )
    alphabet = "".join(classes)
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(length))
        if not require_each or all(any(c in cls for c in password) for cls in classes):
            return password


async def replication(call: Call) -> dict[str, Any]:
    """ReplicateSecretToRegions, RemoveRegionsFromReplication, StopReplicationToReplica."""
    from sealbox.api.facades.aws.errors import InvalidRequestError

    del call
    raise InvalidRequestError("sealbox serves one region: replication is not supported.")


async def get_random_password(call: Call) -> dict[str, Any]:
    call.authorize("GetRandomPassword", None)
    return {"RandomPassword": random_password(call.params)}
