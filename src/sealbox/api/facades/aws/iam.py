"""IAM policy evaluation for one account (IAM User Guide, "Policy evaluation logic").

Statements apply when Action/NotAction, Resource/NotResource, Principal/NotPrincipal (resource
policies only) and every Condition match. Any applicable Deny wins; else any applicable Allow
from an identity policy or the secret's resource policy allows; else the implicit deny.
Actions compare case-insensitively, resources case-sensitively, both with ``*``/``?``.
Policy variables (``${aws:username}``, ``${aws:PrincipalTag/team}``...) are substituted from the
request context; a variable the context lacks makes the statement not apply. A statement this
evaluator cannot read never grants anything (and a malformed Deny still denies).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sealbox.api.facades.aws.conditions import Context, MalformedCondition, evaluate, glob

_VARIABLE = re.compile(r"\$\{([^}]+)\}")


class Decision(Enum):
    """The outcome of an evaluation."""

    ALLOW = "allow"
    EXPLICIT_DENY = "explicit deny"
    RESOURCE_DENY = "explicit deny in the resource policy"
    IMPLICIT_DENY = "implicit deny"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: an IAM ARN and its account."""

    arn: str
    account: str


class _Unresolved(Exception):
    """A policy variable the context cannot fill."""


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _substitute(context: Context) -> Any:
    def fill(text: str) -> str:
        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in ("*", "?", "$"):
                return name  # compat: ${*} ${?} ${$} are IAM's escapes
            name, _, default = name.partition(", '")
            values = context.get(name.strip().lower())
            if values:
                return values[0]
            if default:
                return default.rstrip("'")
            raise _Unresolved(name)

        return _VARIABLE.sub(one, text)

    return fill


def _any_glob(patterns: list[Any], value: str, *, ignore_case: bool, fill: Any) -> bool:
    return any(
        isinstance(p, str) and glob(fill(p), value, ignore_case=ignore_case) for p in patterns
    )


def _principal_matches(spec: Any, who: Principal) -> bool:
    if spec == "*":
        return True
    if not isinstance(spec, dict):
        return False
    for value in _as_list(spec.get("AWS", [])):
        if not isinstance(value, str):
            continue
        if value in ("*", who.arn, who.account, f"arn:aws:iam::{who.account}:root"):
            return True
        if glob(value, who.arn):
            return True
    return False


def _applies(
    stmt: dict[str, Any], action: str, resource: str, context: Context, who: Principal | None
) -> bool:
    fill = _substitute(context)
    if "Action" in stmt:
        if not _any_glob(_as_list(stmt["Action"]), action, ignore_case=True, fill=str):
            return False
    elif "NotAction" in stmt:
        if _any_glob(_as_list(stmt["NotAction"]), action, ignore_case=True, fill=str):
            return False
    else:
        return False
    if "Resource" in stmt:
        if not _any_glob(_as_list(stmt["Resource"]), resource, ignore_case=False, fill=fill):
            return False
    elif "NotResource" in stmt:
        if _any_glob(_as_list(stmt["NotResource"]), resource, ignore_case=False, fill=fill):
            return False
    elif who is None:  # identity policies must name a resource
        return False
    if who is not None:
        if "Principal" in stmt and not _principal_matches(stmt["Principal"], who):
            return False
        if "NotPrincipal" in stmt and _principal_matches(stmt["NotPrincipal"], who):
            return False
    return "Condition" not in stmt or evaluate(stmt["Condition"], context, fill)


def statements(document: str | dict[str, Any]) -> list[dict[str, Any]]:
    """The statements of a policy document (JSON text or parsed)."""
    doc = json.loads(document) if isinstance(document, str) else document
    if not isinstance(doc, dict):
        raise ValueError("a policy document is a JSON object")
    return [s for s in _as_list(doc.get("Statement", [])) if isinstance(s, dict)]


def evaluate_policies(
    identity: list[str | dict[str, Any]],
    resource_policy: str | None,
    who: Principal,
    action: str,
    resource: str,
    context: Context,
) -> Decision:
    """The decision for ``who`` doing ``action`` on ``resource``."""
    allowed = False
    sources: list[tuple[str | dict[str, Any], Principal | None]] = [(d, None) for d in identity]
    if resource_policy:
        sources.append((resource_policy, who))
    for document, principal in sources:
        for stmt in statements(document):
            deny = stmt.get("Effect") == "Deny"
            try:
                hit = _applies(stmt, action, resource, context, principal)
            except (MalformedCondition, _Unresolved):
                hit = deny  # an unreadable Deny still denies; an unreadable Allow grants nothing
            if hit and deny:
                return Decision.RESOURCE_DENY if principal is not None else Decision.EXPLICIT_DENY
            allowed = allowed or (hit and stmt.get("Effect") == "Allow")
    return Decision.ALLOW if allowed else Decision.IMPLICIT_DENY


def denial_message(who: Principal, action: str, resource: str, decision: Decision) -> str:
    """AWS's AccessDeniedException wording."""
    reasons = {
        Decision.EXPLICIT_DENY: "with an explicit deny in an identity-based policy",
        Decision.RESOURCE_DENY: "with an explicit deny in a resource-based policy",
    }
    reason = reasons.get(decision, f"because no identity-based policy allows the {action} action")
    return (
        f"User: {who.arn} is not authorized to perform: {action} on resource: {resource} {reason}"
    )
