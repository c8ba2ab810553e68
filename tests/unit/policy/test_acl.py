"""ACL matching and precedence (internal/vault/policy/acl.go), root, help and capabilities."""

from __future__ import annotations

import pytest

from sealbox.core.policy import ACL, ROOT_POLICY_NAME, Policy, parse_policy
from sealbox.core.policy.builtin import DEFAULT_POLICY
from sealbox.errors import InvalidRequest


def _acl(*texts: str) -> ACL:
    return ACL(parse_policy(f"p{i}", text) for i, text in enumerate(texts))


def _rule(pattern: str, *caps: str) -> str:
    quoted = ", ".join(f'"{c}"' for c in caps)
    return f'path "{pattern}" {{ capabilities = [{quoted}] }}\n'


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("secret/foo", "secret/foo", True),
        ("secret/foo", "secret/foo/bar", False),
        ("secret/foo", "secret/fo", False),
        ("secret/*", "secret/", True),
        ("secret/*", "secret/a/b/c", True),
        ("secret/*", "secret", False),
        ("secret/zip-*", "secret/zip-zap/zong", True),
        ("secret/+/teamb", "secret/a/teamb", True),
        ("secret/+/teamb", "secret/a/b/teamb", False),
        ("secret/+/teamb", "secret//teamb", True),
        ("secret/+/teamb", "secret/a/teamb/x", False),
        ("secret/+/team*", "secret/a/teamb/x", True),
        ("secret/+/team*", "secret/a/tea", False),
        ("secret/+/+", "secret/a/b", True),
        ("secret/+/+", "secret/a", False),
        ("+/data/x", "kv/data/x", True),
        ("+", "anything", True),
        ("+", "a/b", False),
        ("secret/+/*", "secret/a/b/c", True),
        ("secret/+/*", "secret/a", False),
        ("secret/a+b/+/c", "secret/a+b/z/c", True),
        ("secret/*/mid", "secret/*/mid", True),
        ("secret/*/mid", "secret/x/mid", False),
        ("*", "sys/mounts", True),
    ],
)
def test_acl_pattern_matching(pattern: str, path: str, matches: bool) -> None:
    acl = _acl(_rule(pattern, "read"))
    assert acl.check("read", path).allowed is matches
    assert acl.capabilities(path) == (["read"] if matches else ["deny"])


def test_acl_leading_slashes_ignored() -> None:
    acl = _acl(_rule("/a/b", "read"))
    assert acl.check("read", "//a/b").allowed


@pytest.mark.parametrize(
    ("high", "low", "path", "rule"),
    [
        ("secret/a*", "secret/+", "secret/ab", "1: first wildcard later wins"),
        ("foo/bar/+/baz", "foo/+/bar/baz", "foo/bar/bar/baz", "1: first wildcard later wins"),
        ("foo/+/bar", "foo/+/ba*", "foo/x/bar", "2: not a prefix wins"),
        ("foo/+", "foo/*", "foo/x", "2: not a prefix wins"),
        ("foo/bar/+/baz", "foo/bar/+/+", "foo/bar/x/baz", "3: fewer + segments wins"),
        ("foo/+/bar/ba*", "foo/+/bar/b*", "foo/x/bar/baz", "4: longer wins"),
        ("secret/+/x/*", "secret/+/+/foo/*", "secret/a/x/foo/b", "3/1 doc example variant"),
        ("secret/*", "secret/+/+/foo/*", "secret/a/b/foo/c", "doc example: rule 1"),
        ("secret/abc*", "secret/ab*", "secret/abcd", "longest prefix"),
    ],
    ids=lambda v: v if isinstance(v, str) and ":" in v else None,
)
def test_acl_priority_rules(high: str, low: str, path: str, rule: str) -> None:
    for texts in ((_rule(high, "read"), _rule(low, "update")),
                  (_rule(low, "update"), _rule(high, "read"))):  # fmt: skip
        acl = _acl(*texts)
        assert acl.capabilities(path) == ["read"], rule
        assert not acl.check("update", path).allowed, rule


def test_acl_priority_rule_five_lexicographic() -> None:
    # Same first-wildcard position, both prefixes, same + count and length: larger text wins.
    acl = _acl(_rule("a/+/b*", "read"), _rule("a/+/c*", "update"))
    assert acl.capabilities("a/x/b") == ["read"]
    acl = _acl(_rule("x/+/ab*", "read"), _rule("x/+/a*", "update"), _rule("x/+/*", "list"))
    assert acl.capabilities("x/q/abc") == ["read"]


def test_acl_doc_example_secret_plus_plus_foo() -> None:
    # concepts/policies.mdx: "secret/+/+/foo/*" is lower priority than "secret/*" (rule 1)
    acl = _acl(_rule("secret/+/+/foo/*", "read"), _rule("secret/*", "list"))
    assert acl.capabilities("secret/a/b/foo/c") == ["list"]


def test_acl_exact_beats_every_glob() -> None:
    acl = _acl(_rule("a/b", "read"), _rule("a/*", "update"), _rule("a/+", "delete"))
    assert acl.capabilities("a/b") == ["read"]
    assert acl.capabilities("a/c") == ["delete"]
    assert acl.capabilities("a/c/d") == ["update"]


def test_acl_only_winning_pattern_counts() -> None:
    acl = _acl(_rule("secret/*", "read"), _rule("secret/a/*", "deny"))
    assert not acl.check("read", "secret/a/x").allowed
    assert acl.check("read", "secret/b").allowed
    acl = _acl(_rule("secret/*", "deny"), _rule("secret/a/*", "read"))
    assert acl.check("read", "secret/a/x").allowed


def test_acl_same_pattern_unions_across_policies() -> None:
    acl = _acl(_rule("s/*", "read"), _rule("s/*", "list"), _rule("s/*", "create"))
    assert acl.capabilities("s/x") == ["create", "list", "read"]


def test_acl_same_pattern_in_one_policy_unions() -> None:
    acl = _acl(_rule("s/+/x", "read") + _rule("s/+/x", "update"))
    assert acl.capabilities("s/a/x") == ["read", "update"]


@pytest.mark.parametrize("order", [0, 1])
def test_acl_deny_wins_on_same_pattern(order: int) -> None:
    texts = [_rule("s/*", "read", "sudo"), _rule("s/*", "deny")]
    acl = _acl(*(texts if order == 0 else texts[::-1]))
    result = acl.check("read", "s/x")
    assert not result.allowed
    assert not result.sudo
    assert result.capabilities == frozenset({"deny"})
    assert acl.capabilities("s/x") == ["deny"]


def test_acl_list_trailing_slash_fallbacks() -> None:
    acl = _acl(_rule("d", "list"), _rule("e", "read") + _rule("e/*", "update"))
    assert acl.check("list", "d/").allowed
    assert not acl.check("read", "d/").allowed
    assert acl.capabilities("e/") == ["read"]
    glob = _acl(_rule("f/+", "list"))
    assert glob.check("list", "f/x/").allowed
    assert not glob.check("read", "f/x/").allowed


@pytest.mark.parametrize(
    ("operation", "capability"),
    [("read", "read"), ("list", "list"), ("create", "create"), ("update", "update"),
     ("delete", "delete"), ("patch", "patch"), ("scan", "scan"), ("revoke", "update"),
     ("renew", "update"), ("rollback", "update")],
)  # fmt: skip
def test_acl_operation_needs_its_capability(operation: str, capability: str) -> None:
    assert _acl(_rule("x", capability)).check(operation, "x").allowed
    others = {"read", "list", "create", "update", "delete", "patch", "scan"} - {capability}
    assert not _acl(_rule("x", *sorted(others))).check(operation, "x").allowed


def test_acl_unknown_operation_denied() -> None:
    assert not _acl(_rule("x", "read")).check("frobnicate", "x").allowed


def test_acl_help_always_allowed() -> None:
    assert _acl().check("help", "anything/at/all").allowed
    assert _acl(_rule("x", "deny")).check("help", "x").allowed


def test_acl_sudo_reported() -> None:
    acl = _acl(_rule("sys/audit", "read", "sudo"))
    result = acl.check("read", "sys/audit")
    assert result.allowed
    assert result.sudo
    assert acl.check("sudo", "sys/audit").allowed
    assert not _acl(_rule("sys/audit", "read")).check("read", "sys/audit").sudo


def test_acl_no_match_result() -> None:
    result = _acl(_rule("x", "read")).check("read", "y")
    assert (result.allowed, result.sudo, result.capabilities) == (False, False, frozenset())
    assert _acl().capabilities("y") == ["deny"]


def test_acl_empty_capabilities_mean_deny_listing() -> None:
    assert _acl(_rule("x")).capabilities("x") == ["deny"]


def test_acl_root_policy_allows_everything() -> None:
    acl = ACL([Policy(name=ROOT_POLICY_NAME, raw="")])
    result = acl.check("delete", "sys/raw/anything", {"x": 1})
    assert (result.allowed, result.sudo) == (True, True)
    assert result.capabilities == frozenset({"root"})
    assert acl.capabilities("x") == ["root"]
    assert acl.is_root


def test_acl_root_with_other_policies_refused() -> None:
    with pytest.raises(InvalidRequest, match="other policies present along with root"):
        ACL([Policy(name="root", raw=""), parse_policy("x", "")])


def test_acl_templated_paths_never_match() -> None:
    acl = _acl(_rule("identity/entity/id/{{identity.entity.id}}", "read"))
    assert acl.capabilities("identity/entity/id/{{identity.entity.id}}") == ["deny"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("auth/token/lookup-self", ["read"]),
        ("auth/token/renew-self", ["update"]),
        ("auth/token/revoke-self", ["update"]),
        ("sys/capabilities-self", ["update"]),
        ("cubbyhole/x/y", ["create", "delete", "list", "read", "update"]),
        ("sys/wrapping/wrap", ["update"]),
        ("sys/wrapping/lookup", ["update"]),
        ("sys/wrapping/unwrap", ["update"]),
        ("sys/leases/renew", ["update"]),
        ("sys/leases/lookup", ["update"]),
        ("sys/tools/hash/sha2-256", ["update"]),
        ("identity/oidc/provider/p/authorize", ["read", "update"]),
        ("secret/data/x", ["deny"]),
        ("sys/mounts", ["deny"]),
    ],
)
def test_default_policy_grants(path: str, expected: list[str]) -> None:
    acl = ACL([parse_policy("default", DEFAULT_POLICY)])
    assert acl.capabilities(path) == expected
