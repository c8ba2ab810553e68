"""``format_policy``: canonical HCL like ``bao policy fmt`` (hashicorp/hcl v1 printer)."""

from __future__ import annotations

import pytest

from sealbox.core.policy import DEFAULT_POLICY, format_policy, parse_policy
from sealbox.errors import InvalidRequest

_MESSY = """# top comment
path "secret/*" { capabilities = ["read","list"] }
path "/x/+/y" {
capabilities=["create"]
    # inner
 allowed_parameters = { "A" = []
 "bb" = ["x", 1] }
  min_wrapping_ttl = "1h"
max_wrapping_ttl = 7200
}
path "z" { policy = "read" } // trailing
"""

_CANONICAL = """# top comment
path "secret/*" {
  capabilities = ["read", "list"]
}

path "/x/+/y" {
  capabilities = ["create"]

  # inner
  allowed_parameters = {
    "A"  = []
    "bb" = ["x", 1]
  }

  min_wrapping_ttl = "1h"
  max_wrapping_ttl = 7200
}

path "z" {
  policy = "read"
} // trailing
"""


def test_fmt_canonical_layout() -> None:
    assert format_policy(_MESSY) == _CANONICAL


def test_fmt_is_idempotent() -> None:
    assert format_policy(_CANONICAL) == _CANONICAL
    once = format_policy(DEFAULT_POLICY)
    assert format_policy(once) == once


def test_fmt_aligns_consecutive_assignments() -> None:
    text = (
        'path "a" {\ncapabilities=["create"]\nmin_wrapping_ttl = 1\nrequired_parameters = ["x"]\n}'
    )
    assert format_policy(text) == (
        'path "a" {\n'
        '  capabilities        = ["create"]\n'
        "  min_wrapping_ttl    = 1\n"
        '  required_parameters = ["x"]\n'
        "}\n"
    )


def test_fmt_empty_block_and_top_level_assignment() -> None:
    assert format_policy('name = "x"\npath "b" {}') == 'name = "x"\n\npath "b" {}\n'


def test_fmt_json_becomes_hcl() -> None:
    text = '{"path": {"a": {"capabilities": ["read"]}}}'
    assert format_policy(text) == 'path "a" {\n  capabilities = ["read"]\n}\n'


def test_fmt_preserves_meaning() -> None:
    before = parse_policy("x", _MESSY)
    after = parse_policy("x", format_policy(_MESSY))
    assert before.paths == after.paths


def test_fmt_empty_input() -> None:
    assert format_policy("") == ""


@pytest.mark.parametrize("text", ['path "x" { capabilities = ["bogus"] }', 'path "x" {'])
def test_fmt_rejects_invalid_policies(text: str) -> None:
    with pytest.raises(InvalidRequest, match="failed to parse policy"):
        format_policy(text)
