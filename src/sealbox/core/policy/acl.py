"""ACL evaluation: which capabilities a set of policies grants on a request path.

Mirrors OpenBao's internal/vault/policy/acl.go (``NewACL``, ``AllowOperation``,
``CheckAllowedFromNonExactPaths``, ``Capabilities``):

* Rules with the same pattern (from one or several policies) merge: capabilities are
  unioned, ``deny`` wipes the rest, wrapping TTLs take the lowest set value, parameter
  lists are merged (an empty list, meaning "any value", wins).
* Lookup order: exact rule; for list, the exact rule without a trailing ``/``; then the
  best of the longest prefix rule and every matching ``+`` rule; for list on a path ending
  in ``/``, that search again without the ``/``. Only the winning rule counts.
* Priority among non-exact matches (the later wins): first ``+``/``*`` position further
  right, not a prefix, fewer ``+`` segments, longer, lexicographically larger.
* ``help`` is always allowed; a policy named ``root`` allows everything.

Speed: exact rules live in a dict; prefix rules in a dict probed once per distinct
prefix length (longest first); ``+`` rules are indexed by the literal text before their
first ``+``, so a lookup only looks at rules that can match.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sealbox.core.policy.builtin import ROOT_POLICY_NAME
from sealbox.core.policy.policy import (
    CREATE,
    DELETE,
    DENY,
    LIST,
    PATCH,
    READ,
    ROOT_CAPABILITY,
    SCAN,
    SUDO,
    UPDATE,
    PathRules,
    Policy,
)
from sealbox.core.policy.rules import Permissions
from sealbox.errors import InvalidRequest

# compat: revoke, renew and rollback are checked against "update" (acl.go AllowOperation)
_OPERATION_CAPABILITY = {
    READ: READ,
    LIST: LIST,
    UPDATE: UPDATE,
    DELETE: DELETE,
    CREATE: CREATE,
    PATCH: PATCH,
    SCAN: SCAN,
    SUDO: SUDO,
    "revoke": UPDATE,
    "renew": UPDATE,
    "rollback": UPDATE,
}
_LIST_LIKE = frozenset({LIST, SCAN})


@dataclass(frozen=True, slots=True)
class ACLResult:
    """The decision for one request. TTLs are seconds; None when the rule sets none."""

    allowed: bool
    sudo: bool = False
    capabilities: frozenset[str] = frozenset()
    min_wrapping_ttl: int | None = None
    max_wrapping_ttl: int | None = None


_DENIED = ACLResult(allowed=False)
_ROOT = ACLResult(allowed=True, sudo=True, capabilities=frozenset({ROOT_CAPABILITY}))


@dataclass(frozen=True, slots=True)
class _Wildcard:
    """A ``+`` rule, pre-split. ``rank`` sorts it among other non-exact matches."""

    parts: tuple[str, ...]
    is_prefix: bool
    rank: tuple[int, int, int, int, str]
    perms: Permissions

    def matches(self, path_parts: list[str]) -> bool:
        count = len(self.parts)
        if len(path_parts) < count or (not self.is_prefix and len(path_parts) != count):
            return False
        last = count - 1
        for i, part in enumerate(self.parts):
            got = path_parts[i]
            if part in ("+", got):
                continue
            if not (self.is_prefix and i == last and got.startswith(part)):
                return False
        return True


def _rank(
    first_wildcard: int, is_prefix: bool, plus: int, text: str
) -> tuple[int, int, int, int, str]:
    return (first_wildcard, 0 if is_prefix else 1, -plus, len(text), text)


class ACL:
    """The compiled access rules of a token's policies."""

    def __init__(self, policies: Iterable[Policy], *, now: datetime | None = None) -> None:
        items = list(policies)
        self.is_root = any(p.name == ROOT_POLICY_NAME for p in items)
        if self.is_root and len(items) != 1:
            raise InvalidRequest("other policies present along with root")
        moment = now or datetime.now(UTC)
        exact: dict[str, Permissions] = {}
        prefix: dict[str, Permissions] = {}
        plus: dict[str, Permissions] = {}
        for policy in items:
            for rule in policy.paths:
                if rule.templated or (rule.expiration is not None and rule.expiration <= moment):
                    continue
                table = plus if rule.has_segment_wildcards else prefix if rule.is_prefix else exact
                _merge_into(table, rule)
        self._exact = exact
        self._prefix = prefix
        self._prefix_lengths = sorted({len(k) for k in prefix}, reverse=True)
        self._plus: dict[str, list[_Wildcard]] = {}
        for pattern, perms in plus.items():
            is_prefix = pattern.endswith("*")
            body = pattern[:-1] if is_prefix else pattern
            parts = tuple(body.split("/"))
            first = pattern.index("+")
            rank = _rank(first, is_prefix, parts.count("+"), body)
            self._plus.setdefault(pattern[:first], []).append(
                _Wildcard(parts, is_prefix, rank, perms)
            )
        self._plus_lengths = sorted({len(k) for k in self._plus}, reverse=True)

    def _non_exact(self, path: str) -> Permissions | None:
        best: Permissions | None = None
        best_rank: tuple[int, int, int, int, str] | None = None
        for length in self._prefix_lengths:
            if length <= len(path) and (found := self._prefix.get(path[:length])) is not None:
                best, best_rank = found, _rank(length, True, 0, path[:length])
                break
        if not self._plus:
            return best
        path_parts = path.split("/")
        for length in self._plus_lengths:
            if length > len(path):
                continue
            for rule in self._plus.get(path[:length], ()):
                if (best_rank is None or rule.rank > best_rank) and rule.matches(path_parts):
                    best, best_rank = rule.perms, rule.rank
        return best

    def _lookup(self, path: str, list_like: bool) -> Permissions | None:
        path = path.lstrip("/")
        found = self._exact.get(path)
        if found is not None:
            return found
        if list_like and (found := self._exact.get(path.removesuffix("/"))) is not None:
            return found
        found = self._non_exact(path)
        if found is None and list_like and path.endswith("/"):
            found = self._non_exact(path[:-1])
        return found

    def check(
        self,
        capability: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        wrap_ttl: int | None = None,
    ) -> ACLResult:
        """Decide one request: ``capability`` is an operation name (read, create, ...).

        Parameter constraints apply to read, create, update and patch (as in OpenBao).
        Wrapping bounds are reported in the result; pass ``wrap_ttl`` (seconds, 0 for an
        unwrapped request) to have them enforced here exactly as OpenBao does, where a
        rule with a min or max wrapping TTL refuses unwrapped requests.
        """
        if self.is_root:
            return _ROOT
        if capability == "help":
            return ACLResult(allowed=True)
        perms = self._lookup(path, capability in _LIST_LIKE)
        if perms is None:
            return _DENIED
        names = perms.names()
        needed = _OPERATION_CAPABILITY.get(capability)
        allowed = needed is not None and needed in names
        if allowed and wrap_ttl is not None:
            allowed = perms.wrap_ttl_allowed(wrap_ttl)
        if allowed and capability in (READ, CREATE, UPDATE, PATCH):
            allowed = perms.params_allowed(params or {})
        return ACLResult(
            allowed=allowed,
            sudo=SUDO in names,
            capabilities=names,
            min_wrapping_ttl=perms.min_wrapping_ttl or None,
            max_wrapping_ttl=perms.max_wrapping_ttl or None,
        )

    def capabilities(self, path: str) -> list[str]:
        """Sorted capability names on ``path`` (``["deny"]`` if none, ``["root"]`` for root)."""
        if self.is_root:
            return [ROOT_CAPABILITY]
        # compat: Capabilities() evaluates as a list request so the "/" fallbacks apply
        perms = self._lookup(path, True)
        names = perms.names() if perms is not None else frozenset()
        if not names or DENY in names:
            return [DENY]
        return sorted(names)


def _merge_into(table: dict[str, Permissions], rule: PathRules) -> None:
    existing = table.get(rule.path)
    if existing is None:
        table[rule.path] = Permissions.from_rule(rule)
    else:
        existing.merge(rule)
