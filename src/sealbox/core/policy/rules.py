"""The merged permissions of one ACL pattern, and the checks made against them.

Mirrors OpenBao's ``ACLPermissions`` and the merge loop of ``NewACL`` plus the wrapping
and parameter checks of ``AllowOperation`` (internal/vault/policy/acl.go). Capabilities
are a bitmap, as in OpenBao, so merging and testing are integer operations.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sealbox.core.policy.policy import (
    CREATE,
    DELETE,
    DENY,
    LIST,
    PATCH,
    READ,
    SCAN,
    SUDO,
    UPDATE,
    PathRules,
)
from sealbox.core.policy.values import value_allowed

_BITS = {
    name: 1 << i
    for i, name in enumerate((DENY, CREATE, READ, UPDATE, DELETE, LIST, SUDO, PATCH, SCAN))
}
_DENY_BIT = _BITS[DENY]
_NAMES_CACHE: dict[int, frozenset[str]] = {}


def _bitmap(capabilities: frozenset[str]) -> int:
    bits = 0
    for cap in capabilities:
        bits |= _BITS[cap]
    return _DENY_BIT if bits & _DENY_BIT else bits


def _names(bits: int) -> frozenset[str]:
    names = _NAMES_CACHE.get(bits)
    if names is None:
        names = frozenset(name for name, bit in _BITS.items() if bits & bit)
        _NAMES_CACHE[bits] = names
    return names


def _merge_params(
    mine: dict[str, list[Any]] | None, theirs: Mapping[str, tuple[Any, ...]] | None
) -> dict[str, list[Any]] | None:
    if not theirs:
        return mine
    if mine is None:
        return {k: list(v) for k, v in theirs.items()}
    for key, values in theirs.items():
        current = mine.get(key)
        # compat: an empty list ("any value") absorbs lists merged into it, and vice versa
        if not values or (current is not None and not current):
            mine[key] = []
        else:
            mine[key] = [*values, *(current or [])]
    return mine


def _lowest_set(a: int, b: int) -> int:
    if not a:
        return b
    if not b:
        return a
    return min(a, b)


class Permissions:
    """Everything the ACL knows about one pattern after merging every stanza for it."""

    __slots__ = ("allowed", "bits", "denied", "max_wrapping_ttl", "min_wrapping_ttl", "required")

    def __init__(self) -> None:
        self.bits = 0
        self.min_wrapping_ttl = 0
        self.max_wrapping_ttl = 0
        self.allowed: dict[str, list[Any]] | None = None
        self.denied: dict[str, list[Any]] | None = None
        self.required: list[str] = []

    @classmethod
    def from_rule(cls, rule: PathRules) -> Permissions:
        perms = cls()
        perms.bits = _bitmap(rule.capabilities)
        perms.min_wrapping_ttl = rule.min_wrapping_ttl
        perms.max_wrapping_ttl = rule.max_wrapping_ttl
        perms.allowed = _merge_params(None, rule.allowed_parameters)
        if rule.allowed_parameters is not None and perms.allowed is None:
            perms.allowed = {}
        perms.denied = _merge_params(None, rule.denied_parameters)
        if rule.denied_parameters is not None and perms.denied is None:
            perms.denied = {}
        perms.required = list(rule.required_parameters)
        return perms

    def merge(self, rule: PathRules) -> None:
        """Fold another stanza with the same pattern into this one (NewACL's loop)."""
        if self.bits & _DENY_BIT:
            return
        incoming = _bitmap(rule.capabilities)
        if incoming & _DENY_BIT:
            self.bits = _DENY_BIT
            self.allowed = self.denied = None
            return
        self.bits |= incoming
        # compat: OpenBao prefers the shortest lifetimes: lowest set min, lowest set max
        self.max_wrapping_ttl = _lowest_set(self.max_wrapping_ttl, rule.max_wrapping_ttl)
        self.min_wrapping_ttl = _lowest_set(self.min_wrapping_ttl, rule.min_wrapping_ttl)
        self.allowed = _merge_params(self.allowed, rule.allowed_parameters)
        self.denied = _merge_params(self.denied, rule.denied_parameters)
        for name in rule.required_parameters:
            if name not in self.required:
                self.required.append(name)

    def names(self) -> frozenset[str]:
        """Capability names granted (``{"deny"}`` alone when denied)."""
        return _names(self.bits)

    def wrap_ttl_allowed(self, wrap_ttl: int) -> bool:
        """OpenBao's wrapping checks; ``wrap_ttl`` 0 means the request is not wrapped."""
        low, high = self.min_wrapping_ttl, self.max_wrapping_ttl
        if high and (not wrap_ttl or wrap_ttl > high):
            return False
        if low and (not wrap_ttl or wrap_ttl < low):
            return False
        # merging can produce min > max even though one stanza cannot
        return not (low and high and high < low)

    def params_allowed(self, params: Mapping[str, Any]) -> bool:
        """required, then denied, then allowed parameters (AllowOperation's order)."""
        for name in self.required:
            if name.lower() not in params:
                return False
        if not params:
            return True
        denied = self.denied
        if denied:
            if "*" in denied:
                return False
            for key, value in params.items():
                values = denied.get(key.lower())
                if values is not None and value_allowed(value, values):
                    return False
        allowed = self.allowed
        if not allowed:
            return True
        allow_all = "*" in allowed
        if allow_all and len(allowed) == 1:
            return True
        for key, value in params.items():
            values = allowed.get(key.lower())
            if values is None:
                if not allow_all:
                    return False
            elif not value_allowed(value, values):
                return False
        return True
