"""Kubernetes auth roles: which service accounts in which namespaces get which tokens.

Mirrors vault-plugin-auth-kubernetes path_role.go (messages observed on ``bao`` 2.x):
``bound_service_account_names`` is required, ``bound_service_account_namespaces`` too unless a
namespace selector is given (``selector.py``; the two are ORed), ``*`` cannot be mixed with
other values; names and namespaces may be globs. ``alias_name_source`` is ``serviceaccount_uid`` (default) or ``serviceaccount_name``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from sealbox.auth.kubernetes.selector import parse_selector
from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType
from sealbox.framework.tokenutil import TokenSettings, token_fields

_PREFIX = "role/"
_LISTS = FieldType.COMMA_STRING_LIST
ROLE_FIELDS = {
    "name": FieldSchema(FieldType.STRING, "Name of the role."),
    "bound_service_account_names": FieldSchema(_LISTS, "Service account names (globs)."),
    "bound_service_account_namespaces": FieldSchema(_LISTS, "Namespaces (globs)."),
    "bound_service_account_namespace_selector": FieldSchema(
        FieldType.STRING, "Label selector (JSON or YAML) of namespaces, ORed with the names."
    ),
    "audience": FieldSchema(FieldType.STRING, "Audience the JWT must carry."),
    "alias_name_source": FieldSchema(
        FieldType.STRING, "serviceaccount_uid or serviceaccount_name."
    ),
    **token_fields(deprecated=("policies", "ttl", "max_ttl", "period", "bound_cidrs")),
}
_ALIAS_SOURCES = ("serviceaccount_uid", "serviceaccount_name")


@dataclass(slots=True)
class KubeRole:
    """One role."""

    name: str
    bound_service_account_names: list[str] = field(default_factory=list)
    bound_service_account_namespaces: list[str] = field(default_factory=list)
    audience: str = ""
    alias_name_source: str = "serviceaccount_uid"
    token: TokenSettings = field(default_factory=TokenSettings)
    bound_service_account_namespace_selector: str = ""

    def to_wire(self) -> dict[str, Any]:
        """``GET auth/kubernetes/role/:name``."""
        data: dict[str, Any] = {
            "alias_name_source": self.alias_name_source,
            "bound_service_account_names": list(self.bound_service_account_names),
            "bound_service_account_namespace_selector": (
                self.bound_service_account_namespace_selector
            ),
            # compat: null when the role binds namespaces by selector only (bao 2.x)
            "bound_service_account_namespaces": list(self.bound_service_account_namespaces) or None,
            **self.token.to_wire(),
        }
        if self.audience:
            data["audience"] = self.audience
        return data

    def allows(self, name: str, namespace: str) -> tuple[bool, bool]:
        """(name allowed, namespace allowed) for a service account."""
        return _matches(self.bound_service_account_names, name), _matches(
            self.bound_service_account_namespaces, namespace
        )


def _matches(patterns: list[str], value: str) -> bool:
    return any(p == "*" or fnmatchcase(value, p) for p in patterns)


def _bounded(values: list[str]) -> list[str]:
    cleaned = [v.strip() for v in values if v.strip()]
    if "*" in cleaned and len(cleaned) > 1:
        raise InvalidRequest('can not mix "*" with values')
    return cleaned


def updated_role(existing: KubeRole | None, name: str, d: FieldData) -> KubeRole:
    """``existing`` (or a new role) with what a write supplied, validated."""
    role = existing or KubeRole(name=name)
    if d.supplied("bound_service_account_names"):
        role.bound_service_account_names = _bounded(d.get("bound_service_account_names"))
    if d.supplied("bound_service_account_namespaces"):
        role.bound_service_account_namespaces = _bounded(d.get("bound_service_account_namespaces"))
    if d.supplied("bound_service_account_namespace_selector"):
        text = d.get("bound_service_account_namespace_selector")
        if text.strip():
            parse_selector(text)
        role.bound_service_account_namespace_selector = text if text.strip() else ""
    if d.supplied("audience"):
        role.audience = d.get("audience").strip()
    if d.supplied("alias_name_source"):
        source = d.get("alias_name_source") or "serviceaccount_uid"
        if source not in _ALIAS_SOURCES:
            raise InvalidRequest(f'invalid alias_name_source "{source}"')
        role.alias_name_source = source
    role.token = role.token.updated(d)
    if not role.bound_service_account_names:
        raise InvalidRequest('"bound_service_account_names" can not be empty')
    if (
        not role.bound_service_account_namespaces
        and not role.bound_service_account_namespace_selector
    ):
        raise InvalidRequest(
            '"bound_service_account_namespaces" can not be empty if '
            '"bound_service_account_namespace_selector" is not set'
        )
    return role
