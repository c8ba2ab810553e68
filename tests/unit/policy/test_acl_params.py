"""Parameter constraints and wrapping-TTL bounds (acl.go AllowOperation, NewACL merging)."""

from __future__ import annotations

from typing import Any

import pytest

from sealbox.core.policy import ACL, parse_policy


def _acl(*bodies: str) -> ACL:
    texts = [f'path "x" {{\n capabilities = ["create", "read", "update", "patch", "list"]\n{b}\n}}'
             for b in bodies]  # fmt: skip
    return ACL(parse_policy(f"p{i}", t) for i, t in enumerate(texts))


@pytest.mark.parametrize(
    ("body", "params", "allowed"),
    [
        ('allowed_parameters = { "a" = [] }', {"a": "anything"}, True),
        ('allowed_parameters = { "a" = [] }', {"b": 1}, False),
        ('allowed_parameters = { "a" = [] }', {"A": 1}, True),
        ('allowed_parameters = { "a" = [] }', {}, True),
        ('allowed_parameters = { "a" = ["x", "y"] }', {"a": "y"}, True),
        ('allowed_parameters = { "a" = ["x", "y"] }', {"a": "z"}, False),
        ('allowed_parameters = { "a" = ["pre*"] }', {"a": "prefix"}, True),
        ('allowed_parameters = { "a" = ["*fix"] }', {"a": "prefix"}, True),
        ('allowed_parameters = { "a" = ["*ef*"] }', {"a": "prefix"}, True),
        ('allowed_parameters = { "a" = ["*"] }', {"a": "prefix"}, False),
        ('allowed_parameters = { "a" = [1, true] }', {"a": 1}, True),
        ('allowed_parameters = { "a" = [1] }', {"a": True}, False),
        ('allowed_parameters = { "a" = [] "*" = [] }', {"b": 1, "a": 2}, True),
        ('allowed_parameters = { "a" = ["x"] "*" = [] }', {"a": "y"}, False),
        ('allowed_parameters = { "*" = ["only"] }', {"a": "other"}, True),
        ("allowed_parameters = {}", {"a": 1}, True),
        ('denied_parameters = { "a" = [] }', {"a": 1}, False),
        ('denied_parameters = { "a" = [] }', {"b": 1}, True),
        ('denied_parameters = { "A" = [] }', {"a": 1}, False),
        ('denied_parameters = { "a" = ["bad*"] }', {"a": "badness"}, False),
        ('denied_parameters = { "a" = ["bad*"] }', {"a": "good"}, True),
        ('denied_parameters = { "*" = [] }', {"a": 1}, False),
        ('denied_parameters = { "*" = [] }', {}, True),
        ('denied_parameters = { "a" = [] }\n allowed_parameters = { "a" = [] }', {"a": 1}, False),
        ('required_parameters = ["a"]', {"a": 1}, True),
        ('required_parameters = ["a"]', {}, False),
        ('required_parameters = ["A"]', {"a": 1}, True),
        ('required_parameters = ["a"]', {"A": 1}, False),
        ('required_parameters = ["a"]\n denied_parameters = { "a" = [] }', {"a": 1}, False),
        ('allowed_parameters = { "a" = [] }', {"a": None}, True),
        ('allowed_parameters = { "a" = ["x"] }', {"a": None}, False),
        ('allowed_parameters = { "a" = ["x"] }', {"a": ["x"]}, False),
    ],
)
def test_acl_parameter_constraints(body: str, params: dict[str, Any], allowed: bool) -> None:
    acl = _acl(body)
    for operation in ("create", "update", "patch", "read"):
        assert acl.check(operation, "x", params).allowed is allowed, operation


def test_acl_parameters_ignored_for_list_and_delete() -> None:
    acl = ACL([parse_policy("p", 'path "x" { capabilities = ["list", "delete"]\n'
                                 ' required_parameters = ["a"] }')])  # fmt: skip
    assert acl.check("list", "x", {}).allowed
    assert acl.check("delete", "x", None).allowed


def test_acl_parameter_lists_merge_across_policies() -> None:
    acl = _acl('allowed_parameters = { "a" = ["x"] }', 'allowed_parameters = { "a" = ["y"] }')
    assert acl.check("update", "x", {"a": "x"}).allowed
    assert acl.check("update", "x", {"a": "y"}).allowed
    assert not acl.check("update", "x", {"a": "z"}).allowed


def test_acl_empty_parameter_list_wins_when_merging() -> None:
    for pair in (('"a" = []', '"a" = ["x"]'), ('"a" = ["x"]', '"a" = []')):
        acl = _acl(*(f"allowed_parameters = {{ {p} }}" for p in pair))
        assert acl.check("update", "x", {"a": "anything"}).allowed


def test_acl_required_parameters_merge() -> None:
    acl = _acl('required_parameters = ["a"]', 'required_parameters = ["b", "a"]')
    assert not acl.check("update", "x", {"a": 1}).allowed
    assert acl.check("update", "x", {"a": 1, "b": 2}).allowed


def test_acl_denied_parameters_merge() -> None:
    acl = _acl('denied_parameters = { "a" = ["x"] }', 'denied_parameters = { "b" = [] }')
    assert not acl.check("update", "x", {"a": "x"}).allowed
    assert not acl.check("update", "x", {"b": 0}).allowed
    assert acl.check("update", "x", {"a": "y"}).allowed


def test_acl_wrapping_bounds_reported_and_merged_to_lowest() -> None:
    acl = _acl('min_wrapping_ttl = "1m"\n max_wrapping_ttl = "1h"',
               'min_wrapping_ttl = 30\n max_wrapping_ttl = "2h"', "")  # fmt: skip
    result = acl.check("read", "x")
    assert result.allowed
    assert (result.min_wrapping_ttl, result.max_wrapping_ttl) == (30, 3600)


def test_acl_wrapping_none_when_unset() -> None:
    result = _acl("").check("read", "x")
    assert (result.min_wrapping_ttl, result.max_wrapping_ttl) == (None, None)


@pytest.mark.parametrize(
    ("body", "wrap_ttl", "allowed"),
    [
        ('min_wrapping_ttl = "1m"', 0, False),
        ('min_wrapping_ttl = "1m"', 30, False),
        ('min_wrapping_ttl = "1m"', 60, True),
        ('max_wrapping_ttl = "1m"', 0, False),
        ('max_wrapping_ttl = "1m"', 61, False),
        ('max_wrapping_ttl = "1m"', 60, True),
        ("", 0, True),
        ("", 999, True),
    ],
)
def test_acl_wrap_ttl_enforced_when_given(body: str, wrap_ttl: int, allowed: bool) -> None:
    acl = _acl(body)
    assert acl.check("read", "x", wrap_ttl=wrap_ttl).allowed is allowed
    assert acl.check("read", "x").allowed


def test_acl_merged_min_above_max_refuses_wrapping() -> None:
    acl = _acl('min_wrapping_ttl = "2h"', 'max_wrapping_ttl = "1h"')
    assert not acl.check("read", "x", wrap_ttl=5400).allowed


def test_acl_deny_merge_drops_parameters() -> None:
    acl = _acl('allowed_parameters = { "a" = [] }')
    deny = parse_policy("d", 'path "x" { capabilities = ["deny"] }')
    merged = ACL([*[parse_policy("p", 'path "x" { capabilities = ["read"] }')], deny])
    assert not merged.check("read", "x", {}).allowed
    assert acl.check("update", "x", {"a": 1}).allowed
