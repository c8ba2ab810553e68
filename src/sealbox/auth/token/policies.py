"""Which policies a new token gets: parent subsets, role allow/deny lists, ``default``.

Mirrors the policy half of OpenBao's ``handleCreateCommon`` (internal/vault/token_store.go)
and ``policyutil.SanitizePolicies`` (sdk/helper/policyutil):

* names are trimmed and lower-cased, duplicates dropped, the result sorted; a list holding
  ``root`` collapses to ``["root"]``;
* with a role that has allowed/disallowed lists, the role decides (``default`` added unless
  the role or request opts out or the role disallows it), and the parent's policies do not
  matter;
* without policies, the token inherits its parent's;
* a caller without root/sudo may only ask for a subset of its own policies;
* ``no_default_policy`` always removes ``default`` in the end;
* ``root`` may only be granted by a root parent; internal policies cannot be assigned.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from sealbox.errors import InvalidRequest
from sealbox.logical.tokens import TokenEntry, TokenRole

# compat: nonAssignablePolicies in token_store.go.
_NON_ASSIGNABLE = ("response-wrapping", "control-group")


def sanitize_policies(policies: Iterable[str], *, add_default: bool = False) -> list[str]:
    """OpenBao's SanitizePolicies: trimmed, lower-cased, deduplicated, sorted."""
    cleaned = {p.strip().lower() for p in policies if p.strip()}
    if "root" in cleaned:
        return ["root"]
    if add_default:
        cleaned.add("default")
    return sorted(cleaned)


def _quoted(items: Iterable[str]) -> str:
    # Go's %q of a []string: ["a" "b"].
    return "[" + " ".join(f'"{item}"' for item in items) + "]"


@dataclass(frozen=True, slots=True)
class PolicyRequest:
    """What the caller asked for."""

    requested: tuple[str, ...]
    no_default_policy: bool
    is_sudo: bool


def _role_policies(role: TokenRole, parent: TokenEntry, ask: PolicyRequest) -> list[str]:
    add_default = (
        not ask.no_default_policy
        and not role.token_no_default_policy
        and "default" not in role.disallowed_policies
    )
    # compat: requested policies get "default" before the subset check, as OpenBao's error
    # message shows (["default" "z"] must be subset of ...).
    final = sanitize_policies(ask.requested, add_default=add_default) if ask.requested else []
    if role.allowed_policies:
        allowed = sanitize_policies(role.allowed_policies, add_default=add_default)
        if not final:
            final = allowed
        elif not set(final) <= set(allowed) and not _all_globbed(final, role):
            raise InvalidRequest(
                f"token policies ({_quoted(final)}) must be subset of the role's allowed "
                f"policies ({_quoted(allowed)}) or glob policies "
                f"({_quoted(role.allowed_policies_glob)})"
            )
    elif role.allowed_policies_glob:
        if not final:
            raise InvalidRequest("no policies requested and the role only has glob policies")
        if not _all_globbed(final, role):
            raise InvalidRequest(
                f"token policies ({_quoted(final)}) must match the role's allowed glob "
                f"policies ({_quoted(role.allowed_policies_glob)})"
            )
    elif not final:
        final = sanitize_policies(parent.policies, add_default=add_default)
    for policy in final:
        if policy in role.disallowed_policies or any(
            fnmatchcase(policy, pattern) for pattern in role.disallowed_policies_glob
        ):
            raise InvalidRequest(f'token policy "{policy}" is disallowed by this role')
    return final


def _all_globbed(policies: list[str], role: TokenRole) -> bool:
    allowed = set(role.allowed_policies) | {"default"}
    return all(
        p in allowed or any(fnmatchcase(p, g) for g in role.allowed_policies_glob) for p in policies
    )


def _role_governs(role: TokenRole | None) -> bool:
    return role is not None and bool(
        role.allowed_policies
        or role.disallowed_policies
        or role.allowed_policies_glob
        or role.disallowed_policies_glob
    )


def select_policies(parent: TokenEntry, role: TokenRole | None, ask: PolicyRequest) -> list[str]:
    """The policies of the token to create; raises InvalidRequest (400) when not allowed."""
    requested = sanitize_policies(ask.requested)
    add_default = False
    if role is not None and _role_governs(role):
        policies = _role_policies(role, parent, ask)
    elif not requested:
        policies = sanitize_policies(parent.policies)
    elif not ask.is_sudo:
        if not set(requested) <= set(sanitize_policies(parent.policies)):
            raise InvalidRequest("child policies must be subset of parent")
        policies = requested
        add_default = not ask.no_default_policy and "default" in parent.policies
    else:
        policies = requested
        add_default = not ask.no_default_policy
    final = sanitize_policies(policies, add_default=add_default)
    if ask.no_default_policy:
        final = [p for p in final if p != "default"]
    for policy in final:
        if policy in _NON_ASSIGNABLE:
            raise InvalidRequest(f'cannot assign policy "{policy}"')
    if "root" in final and not parent.is_root:
        raise InvalidRequest("root tokens may not be created without parent token being root")
    return final
