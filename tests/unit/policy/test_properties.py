"""Hypothesis properties of ACL evaluation, checked against a brute-force reference model.

The model translates each pattern into a regular expression and ranks every matching
pattern with the documented priority rules (concepts/policies.mdx), so it shares no
lookup structure with the indexed ACL.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from sealbox.core.policy import ACL, parse_policy

_CAPS = ("read", "update", "list", "deny")
_segment = st.sampled_from(["a", "b", "ab", "+"])
_path_segment = st.sampled_from(["a", "b", "ab", "abc", ""])


@st.composite
def patterns(draw: st.DrawFn) -> str:
    parts = draw(st.lists(_segment, min_size=1, max_size=3))
    pattern = "/".join(parts)
    if draw(st.booleans()) and not pattern.endswith("+"):
        pattern += "*"
    return pattern


paths = (
    st.lists(_path_segment, min_size=1, max_size=4)
    .map("/".join)
    .filter(lambda p: not p.startswith("/"))
)
rules = st.lists(
    st.tuples(patterns(), st.lists(st.sampled_from(_CAPS), min_size=1, max_size=2)),
    max_size=6,
)


def _segments(pattern: str) -> bool:
    return pattern == "+" or "/+" in pattern or pattern.startswith("+/")


def _regex(pattern: str) -> re.Pattern[str]:
    prefix = pattern.endswith("*")
    body = pattern[:-1] if prefix else pattern
    if _segments(pattern):
        parts = ["[^/]*" if p == "+" else re.escape(p) for p in body.split("/")]
        source = "/".join(parts)
    else:
        source = re.escape(body)
    return re.compile(source + (".*" if prefix else ""), re.DOTALL)


def _rank(pattern: str) -> tuple[int, int, int, int, str]:
    prefix = pattern.endswith("*")
    body = pattern[:-1] if prefix else pattern
    first = pattern.index("+") if _segments(pattern) else len(body)
    return (first, 0 if prefix else 1, -body.split("/").count("+"), len(body), body)


def _model(rule_list: list[tuple[str, list[str]]], path: str) -> set[str] | None:
    """Capabilities of the winning pattern for a read of ``path`` (None: nothing matches)."""
    matching = [p for p, _ in rule_list if _regex(p).fullmatch(path)]
    if not matching:
        return None
    exact = [p for p in matching if not p.endswith("*") and not _segments(p)]
    winner = exact[0] if exact else max(matching, key=_rank)
    caps = {c for p, cs in rule_list if p == winner for c in cs}
    return {"deny"} if "deny" in caps else caps


def _list_winner(rule_list: list[tuple[str, list[str]]], path: str) -> set[str] | None:
    """Capabilities of an exact rule for ``path`` minus its trailing slash (None: no such rule)."""
    if not path.endswith("/") or any(p == path for p, _ in rule_list):
        return None  # an exact rule for the path itself wins before the trimmed one
    bare = path[:-1]
    caps = {c for p, cs in rule_list if p == bare for c in cs}
    if not caps:
        return None
    return {"deny"} if "deny" in caps else caps


def _policy_text(rule_list: list[tuple[str, list[str]]]) -> str:
    return "".join(
        f'path "{p}" {{ capabilities = [{", ".join(repr(c) for c in cs)}] }}\n'.replace("'", '"')
        for p, cs in rule_list
    )


def _acl(rule_list: list[tuple[str, list[str]]], split: int = 1) -> ACL:
    chunks = [rule_list[i::split] for i in range(split)]
    return ACL(parse_policy(f"p{i}", _policy_text(c)) for i, c in enumerate(chunks))


@settings(max_examples=300, deadline=None)
@given(rules, paths, st.integers(min_value=1, max_value=3))
def test_acl_agrees_with_reference_model(
    rule_list: list[tuple[str, list[str]]], path: str, split: int
) -> None:
    expected = _model(rule_list, path)
    result = _acl(rule_list, split).check("read", path)
    if expected is None:
        assert result.capabilities == frozenset()
    else:
        assert set(result.capabilities) == expected
    assert result.allowed is (expected is not None and "read" in expected)


@settings(max_examples=200, deadline=None)
@given(rules, paths, st.sampled_from(["read", "update", "list"]))
def test_deny_on_winning_pattern_is_never_allowed(
    rule_list: list[tuple[str, list[str]]], path: str, operation: str
) -> None:
    matching = [p for p, _ in rule_list if _regex(p).fullmatch(path)]
    for pattern in matching:
        denied = [*rule_list, (pattern, ["deny"])]
        result = _acl(denied, 2).check(operation, path)
        if _model(denied, path) != {"deny"}:
            continue
        # compat: for LIST (and for sys/capabilities, which evaluates as a LIST) OpenBao lets an
        # exact rule for the path without its trailing slash win first (acl.go AllowOperation).
        listed = _list_winner(denied, path)
        if operation != "list" or listed is None:
            assert not result.allowed
        else:
            assert result.allowed is (listed != {"deny"} and "list" in listed)
        if listed is None:
            assert _acl(denied).capabilities(path) == ["deny"]


@settings(max_examples=200, deadline=None)
@given(rules, paths, patterns(), st.lists(st.sampled_from(_CAPS), min_size=1, max_size=2))
def test_non_matching_rule_never_changes_a_decision(
    rule_list: list[tuple[str, list[str]]], path: str, extra: str, caps: list[str]
) -> None:
    if _regex(extra).fullmatch(path) or (path.endswith("/") and _regex(extra).fullmatch(path[:-1])):
        return
    before, after = _acl(rule_list), _acl([*rule_list, (extra, caps)])
    for operation in ("read", "update", "list", "create"):
        assert before.check(operation, path) == after.check(operation, path)
    assert before.capabilities(path) == after.capabilities(path)


@settings(max_examples=200, deadline=None)
@given(
    rules, paths.filter(lambda p: "+" not in p), st.lists(st.sampled_from(_CAPS[:3]), min_size=1)
)
def test_exact_rule_outranks_every_glob(
    rule_list: list[tuple[str, list[str]]], path: str, caps: list[str]
) -> None:
    acl = _acl([*rule_list, (path, caps)]) if not path.endswith("*") else None
    if acl is None:
        return
    own = {c for p, cs in [*rule_list, (path, caps)] if p == path for c in cs}
    expected = ["deny"] if "deny" in own else sorted(own)
    assert acl.capabilities(path) == expected
