"""IAM evaluation: predefined roles as permission sets, bindings matched against members.

A caller holds a permission on a secret when a binding of the project's policy or of the
secret's own policy gives one of the caller's members a role containing it (IAM allow policies
are a union; there are no deny bindings). Roles are Secret Manager's predefined ones and the
basic roles (owner, editor, viewer), with the permissions GCP documents for them as far as
Secret Manager and project IAM go; a role not in the table (a custom role) grants nothing here.

A binding with a ``condition`` applies only when the condition holds; the expressions
understood are CEL comparisons joined by ``&&`` or ``||`` (one kind per expression, no
parentheses): ``resource.name == / != "…"``, ``resource.name.startsWith("…")`` /
``.endsWith("…")``, ``resource.type == "…"``, ``request.time < / <= / > / >=
timestamp("…")``. Any other condition makes its binding not apply (it never grants more).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

_SM = "secretmanager."
SECRET_PERMISSIONS = (
    "secretmanager.secrets.get",
    "secretmanager.secrets.update",
    "secretmanager.secrets.delete",
    "secretmanager.secrets.getIamPolicy",
    "secretmanager.secrets.setIamPolicy",
    "secretmanager.versions.access",
    "secretmanager.versions.add",
    "secretmanager.versions.destroy",
    "secretmanager.versions.disable",
    "secretmanager.versions.enable",
    "secretmanager.versions.get",
    "secretmanager.versions.list",
)
PROJECT_PERMISSIONS = (
    "secretmanager.secrets.create",
    "secretmanager.secrets.list",
    "secretmanager.locations.get",
    "secretmanager.locations.list",
    "resourcemanager.projects.get",
    "resourcemanager.projects.getIamPolicy",
    "resourcemanager.projects.setIamPolicy",
)
_ALL_SM = frozenset(p for p in SECRET_PERMISSIONS + PROJECT_PERMISSIONS if p.startswith(_SM))
_READ_SM = frozenset(
    {
        "secretmanager.secrets.get",
        "secretmanager.secrets.list",
        "secretmanager.secrets.getIamPolicy",
        "secretmanager.versions.get",
        "secretmanager.versions.list",
        "secretmanager.locations.get",
        "secretmanager.locations.list",
    }
)
_VERSION_MANAGER = frozenset(
    _SM + "versions." + verb for verb in ("add", "enable", "disable", "destroy", "get", "list")
)
_PROJECT_READ = frozenset({"resourcemanager.projects.get", "resourcemanager.projects.getIamPolicy"})

ROLES: dict[str, frozenset[str]] = {
    "roles/secretmanager.admin": _ALL_SM,
    "roles/secretmanager.secretAccessor": frozenset({"secretmanager.versions.access"}),
    "roles/secretmanager.secretVersionAdder": frozenset({"secretmanager.versions.add"}),
    "roles/secretmanager.secretVersionManager": _VERSION_MANAGER,
    "roles/secretmanager.viewer": _READ_SM,
    "roles/owner": _ALL_SM | _PROJECT_READ | {"resourcemanager.projects.setIamPolicy"},
    "roles/editor": (_ALL_SM - {"secretmanager.secrets.setIamPolicy"}) | _PROJECT_READ,
    "roles/viewer": _READ_SM | _PROJECT_READ,
}
ALL_PERMISSIONS = frozenset(SECRET_PERMISSIONS + PROJECT_PERMISSIONS)


def holds(
    bindings: Iterable[dict[str, Any]],
    members: frozenset[str],
    permission: str,
    resource: str,
    now: datetime | None = None,
) -> bool:
    """Whether one of ``bindings`` gives one of ``members`` ``permission`` on ``resource``."""
    return permission in granted(bindings, members, resource, now)


def granted(
    bindings: Iterable[dict[str, Any]],
    members: frozenset[str],
    resource: str,
    now: datetime | None = None,
) -> set[str]:
    """Every permission ``bindings`` give ``members`` on ``resource``."""
    out: set[str] = set()
    for binding in bindings:
        perms = ROLES.get(str(binding.get("role", "")))
        if not perms or perms <= out:
            continue
        if members.isdisjoint(binding.get("members") or ()):
            continue
        condition = binding.get("condition")
        if isinstance(condition, dict) and not condition_holds(
            str(condition.get("expression", "")), resource, now or datetime.now(UTC)
        ):
            continue
        out |= perms
    return out


_STRING = r'"((?:[^"\\]|\\.)*)"'
_NAME_OP = re.compile(r"resource\.(name|type)\s*(==|!=)\s*" + _STRING)
_NAME_CALL = re.compile(r"resource\.name\.(startsWith|endsWith)\(\s*" + _STRING + r"\s*\)")
_TIME = re.compile(r"request\.time\s*(<=|>=|<|>)\s*timestamp\(\s*" + _STRING + r"\s*\)")
_RESOURCE_TYPE = "secretmanager.googleapis.com/Secret"


def condition_holds(expression: str, resource: str, now: datetime) -> bool:
    """The value of a condition in the subset above; False for anything outside it."""
    text = expression.strip()
    if "&&" in text and "||" in text:
        return False
    if "||" in text:
        return any(_term(t.strip(), resource, now) for t in text.split("||"))
    return all(_term(t.strip(), resource, now) for t in text.split("&&"))


def _term(term: str, resource: str, now: datetime) -> bool:
    found = _NAME_OP.fullmatch(term)
    if found:
        subject = resource if found.group(1) == "name" else _RESOURCE_TYPE
        return (subject == found.group(3)) == (found.group(2) == "==")
    found = _NAME_CALL.fullmatch(term)
    if found:
        method = resource.startswith if found.group(1) == "startsWith" else resource.endswith
        return method(found.group(2))
    found = _TIME.fullmatch(term)
    if found:
        try:
            moment = datetime.fromisoformat(found.group(2).replace("Z", "+00:00"))
        except ValueError:
            return False
        if moment.tzinfo is None:
            return False
        op = found.group(1)
        return {
            "<": now < moment,
            "<=": now <= moment,
            ">": now > moment,
            ">=": now >= moment,
        }[op]
    return False
