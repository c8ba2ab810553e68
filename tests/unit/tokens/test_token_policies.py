"""Policy selection rules for new tokens (sanitising, inheritance, subsets, roles)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sealbox.auth.token.paths_create import display_name
from sealbox.auth.token.policies import PolicyRequest, sanitize_policies, select_policies
from sealbox.errors import InvalidRequest
from sealbox.logical.tokens import TokenEntry, TokenRole

_PARENT = TokenEntry(
    id_hash="p" * 64,
    accessor="a" * 24,
    policies=("default", "dev"),
    creation_time=datetime(2026, 1, 1, tzinfo=UTC),
)


@given(st.lists(st.text(max_size=6), max_size=6), st.booleans())
def test_sanitize_is_sorted_lowercase_idempotent(names: list[str], add_default: bool) -> None:
    once = sanitize_policies(names, add_default=add_default)
    assert once == sorted(set(once))
    assert sanitize_policies(once) == once
    assert all(p == p.strip().lower() and p for p in once)
    if "root" in once:
        assert once == ["root"]


@pytest.mark.parametrize(
    ("role", "requested", "no_default", "expected"),
    [
        (None, ("DEV ",), False, ["default", "dev"]),
        (None, ("response-wrapping",), False, "child policies must be subset"),
        (TokenRole(name="r", allowed_policies=("response-wrapping",)), (), False,
         'cannot assign policy "response-wrapping"'),
        (TokenRole(name="r", allowed_policies=("ops",)), (), True, ["ops"]),
        # compat: bao refuses too, because the inherited parent policies include default.
        (TokenRole(name="r", disallowed_policies=("default",)), (), False,
         'token policy "default" is disallowed'),
        (TokenRole(name="r", disallowed_policies=("default",)), ("dev",), False, ["dev"]),
        (TokenRole(name="r", disallowed_policies_glob=("de*",)), ("dev",), True,
         'token policy "dev" is disallowed'),
        (TokenRole(name="r"), (), False, ["default", "dev"]),
    ],
    ids=["trimmed", "internal", "internal-role", "role-no-default", "role-disallows-default", "role-drops-default",
         "disallowed-glob", "plain-role"],
)  # fmt: skip
def test_select_policies(
    role: TokenRole | None, requested: tuple[str, ...], no_default: bool, expected: object
) -> None:
    ask = PolicyRequest(requested, no_default, is_sudo=False)
    if isinstance(expected, str):
        with pytest.raises(InvalidRequest, match=expected):
            select_policies(_PARENT, role, ask)
        return
    assert select_policies(_PARENT, role, ask) == expected


@pytest.mark.parametrize(
    ("requested", "shown"),
    [("", "token"), ("My Name", "token-My-Name"), ("a.b@c", "token-a-b-c"), ("x!", "token-x")],
)
def test_display_name(requested: str, shown: str) -> None:
    assert display_name(requested) == shown
