"""Parsing HCL and JSON policies: rules, legacy shorthand, durations, names and errors.

Error texts are the ones OpenBao 2.7 returns for the same input (internal/vault/policy/policy.go).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sealbox.core.policy import Policy, parse_policy
from sealbox.core.policy.values import glob_match
from sealbox.errors import InvalidRequest
from sealbox.goformat import parse_duration


def _only(policy: Policy) -> object:
    assert len(policy.paths) == 1
    return policy.paths[0]


def test_parse_hcl_basic_rule() -> None:
    text = 'path "secret/data/app" {\n  capabilities = ["read", "list"]\n}\n'
    policy = parse_policy("App", text)
    assert policy.name == "app"
    assert policy.raw == text
    rule = policy.paths[0]
    assert rule.path == "secret/data/app"
    assert rule.capabilities == frozenset({"read", "list"})
    assert not rule.is_prefix
    assert not rule.has_segment_wildcards


def test_parse_json_policy() -> None:
    text = '{"path": {"a/*": {"capabilities": ["read"]}, "b": {"capabilities": ["list"]}}}'
    policy = parse_policy("j", text)
    assert [(r.path, r.is_prefix) for r in policy.paths] == [("a/", True), ("b", False)]


def test_parse_json_list_form_keeps_duplicates() -> None:
    text = '{"path": [{"x": {"capabilities": ["read"]}}, {"x": {"capabilities": ["list"]}}]}'
    assert [r.capabilities for r in parse_policy("j", text).paths] == [
        frozenset({"read"}),
        frozenset({"list"}),
    ]


def test_parse_duplicate_hcl_blocks_are_kept() -> None:
    text = 'path "x" { capabilities = ["read"] }\npath "x" { capabilities = ["list"] }'
    assert len(parse_policy("d", text).paths) == 2


@pytest.mark.parametrize(
    ("pattern", "stored", "is_prefix", "segments"),
    [
        ("secret/*", "secret/", True, False),
        ("/secret/foo", "secret/foo", False, False),
        ("secret/+/bar", "secret/+/bar", False, True),
        ("secret/+/bar*", "secret/+/bar*", False, True),
        ("+/x", "+/x", False, True),
        ("+", "+", False, True),
        ("*", "", True, False),
        ("secret/a+b", "secret/a+b", False, False),
        ("secret/*/mid", "secret/*/mid", False, False),
    ],
    ids=["prefix", "slash", "plus", "plus-glob", "plus-first", "plus-only", "star", "a+b", "mid"],
)
def test_parse_pattern_kinds(pattern: str, stored: str, is_prefix: bool, segments: bool) -> None:
    rule = parse_policy("p", f'path "{pattern}" {{ capabilities = ["read"] }}').paths[0]
    assert (rule.path, rule.is_prefix, rule.has_segment_wildcards) == (stored, is_prefix, segments)


@pytest.mark.parametrize(
    ("legacy", "expected"),
    [
        ("deny", {"deny"}),
        ("read", {"read", "list"}),
        ("write", {"create", "read", "update", "delete", "list"}),
        ("sudo", {"create", "read", "update", "delete", "list", "sudo"}),
    ],
)
def test_parse_legacy_policy_shorthand(legacy: str, expected: set[str]) -> None:
    rule = parse_policy("l", f'path "x" {{ policy = "{legacy}" }}').paths[0]
    assert rule.capabilities == frozenset(expected)


def test_parse_legacy_adds_to_capabilities() -> None:
    rule = parse_policy("l", 'path "x" { policy = "read"\n capabilities = ["patch"] }').paths[0]
    assert rule.capabilities == frozenset({"patch", "read", "list"})


def test_parse_deny_drops_everything_else() -> None:
    text = 'path "x" { capabilities = ["read", "deny"]\n allowed_parameters = { "a" = [] } }'
    rule = parse_policy("d", text).paths[0]
    assert rule.capabilities == frozenset({"deny"})
    assert rule.allowed_parameters is None


def test_parse_parameters_lower_cased() -> None:
    text = """
path "x" {
  capabilities = ["update"]
  allowed_parameters = { "Name" = ["a*", 1] "*" = [] }
  denied_parameters = { "SECRET" = [] }
  required_parameters = ["Name"]
}
"""
    rule = parse_policy("p", text).paths[0]
    assert rule.allowed_parameters == {"name": ("a*", 1), "*": ()}
    assert rule.denied_parameters == {"secret": ()}
    assert rule.required_parameters == ("Name",)


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [(30, 30), ("30", 30), ("30s", 30), ("5m", 300), ("1h", 3600), ("1h30m", 5400), ("1.5h", 5400),
     ("", 0), ("500ms", 0)],
)  # fmt: skip
def test_parse_duration_forms(raw: object, seconds: int) -> None:
    assert parse_duration(raw) == seconds
    text = f'path "x" {{ capabilities = ["read"]\n min_wrapping_ttl = {raw!r} }}'.replace("'", '"')
    assert parse_policy("t", text).paths[0].min_wrapping_ttl == seconds


_FAIL = "failed to parse policy: "
_TTL = 'path "x" { capabilities = ["read"]\n min_wrapping_ttl = '
_WILDCARDS = "invalid use of wildcards ('+*' is forbidden)"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'path "x" { capabilities = ["bogus"] }',
            _FAIL + 'path "x": path "x": invalid capability "bogus"',
        ),
        ('path "x+*" { capabilities = ["read"] }', _FAIL + f'path "x+*": path "x+*": {_WILDCARDS}'),
        ('path "/a/+*" { capabilities = ["read"] }', _FAIL + f'path "/a/+*": path "a/+*": {_WILDCARDS}'),
        (
            'path "x" { capabilities = ["read"] foo = 1 }',
            _FAIL + 'path "x": 1 error occurred:\n\t* invalid key "foo" on line 1\n\n',
        ),
        (
            "bar = 1\nbaz = 2",
            _FAIL + '2 errors occurred:\n\t* invalid key "bar" on line 1\n'
            '\t* invalid key "baz" on line 2\n\n',
        ),
        ('path "x" { policy = "nope" }', _FAIL + 'path "x": path "x": invalid policy "nope"'),
        (
            _TTL + '"abc" }',
            _FAIL + 'path "x": error parsing min_wrapping_ttl: time: invalid duration "abc"',
        ),
        (
            _TTL + '"1h"\n max_wrapping_ttl = "1m" }',
            _FAIL + 'path "x": max_wrapping_ttl cannot be less than min_wrapping_ttl',
        ),
    ],
    ids=["capability", "plus-star", "plus-star-slash", "path-key", "top-keys", "legacy", "ttl",
         "ttl-order"],
)  # fmt: skip
def test_parse_errors_match_openbao(text: str, message: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_policy("bad", text)
    assert caught.value.public_message == message
    assert caught.value.status == 400


@pytest.mark.parametrize(
    "text",
    [
        'path "x" { capabilities = ["read"] ',
        'path "x" { capabilities = "read" }',
        'path "x" { allowed_parameters = { "a" = "b" } }',
        'path "x" { allowed_parameters = ["a"] }',
        'path "x" = 1',
        'path "x" "y" { capabilities = ["read"] }',
        '{"path": ',
        '{"path": {"x": {"capabilities": ["read"]}',
        'path "x" { capabilities = ["read"]\n pagination_limit = "ten" }',
        'path "x" { capabilities = ["read"]\n expiration = "not a time" }',
        'path "x" { capabilities = ["read"]\n required_parameters = [1] }',
        'path "x" { capabilities = ["read"]\n min_wrapping_ttl = true }',
        "path 'x' {}",
    ],
)
def test_parse_rejects_malformed(text: str) -> None:
    with pytest.raises(InvalidRequest, match=r"^failed to parse policy: "):
        parse_policy("bad", text)


@pytest.mark.parametrize("name", ["", "   "])
def test_parse_rejects_empty_names(name: str) -> None:
    with pytest.raises(InvalidRequest, match="policy name missing"):
        parse_policy(name, "")


def test_parse_name_trimmed_and_lower_cased() -> None:
    assert parse_policy("  My-Policy ", "").name == "my-policy"


def test_parse_empty_and_comment_only_policies() -> None:
    assert parse_policy("e", "").paths == ()
    assert parse_policy("e", "# nothing\n// here\n/* at all */").paths == ()


def test_parse_accepts_every_openbao_path_key() -> None:
    text = """
name = "ignored"
path "x" {
  comment = "why"
  capabilities = ["list", "scan"]
  mfa_methods = ["m"]
  pagination_limit = 10
  list_scan_response_keys_filter_path = "x/{{ .key }}"
  control_group = { ttl = "1h" }
}
"""
    rule = parse_policy("all", text).paths[0]
    assert rule.pagination_limit == 10
    assert rule.mfa_methods == ("m",)


def test_parse_expiration_drops_expired_paths() -> None:
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    text = (
        f'path "old" {{ capabilities = ["read"]\n expiration = "{past}" }}\n'
        f'path "new" {{ capabilities = ["read"]\n expiration = "{future}" }}\n'
    )
    assert [r.path for r in parse_policy("exp", text).paths] == ["new"]


def test_parse_marks_templated_policies() -> None:
    policy = parse_policy("t", 'path "id/{{identity.entity.id}}" { capabilities = ["read"] }')
    assert policy.templated
    assert policy.paths[0].templated


def test_parse_hcl_syntax_variants() -> None:
    text = """
/* block comment */
path "a" {
  capabilities = [
    "read", # trailing comment in a list
    "list",
  ]
  max_wrapping_ttl = 60
},
path "b" { capabilities = ["update"], min_wrapping_ttl = -0 }
path "c" { capabilities: ["read"] }
"""
    paths = parse_policy("v", text).paths
    assert [r.path for r in paths] == ["a", "b", "c"]
    assert paths[0].max_wrapping_ttl == 60


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("*", "*", True),
        ("*", "anything", False),
        ("a*", "abc", True),
        ("*c", "abc", True),
        ("*b*", "abc", True),
        ("*b*", "ac", False),
        ("abc", "abc", True),
        ("a*c", "abc", False),
        ("", "", True),
    ],
)
def test_value_globs_follow_globbed_strings_match(pattern: str, value: str, expected: bool) -> None:
    assert glob_match(pattern, value) is expected
