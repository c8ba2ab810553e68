"""Password policy parsing (HCL and JSON, repeated rule blocks) and generation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sealbox.core.password_policies import parse_policy
from sealbox.errors import InvalidRequest
from sealbox.framework.password_policy import CharsetRule, PasswordPolicy

_TWO_RULES = """
length = 12
rule "charset" {
  charset = "abc"
  min-chars = 2
}
rule "charset" {
  charset = "0123456789"
  min-chars = 3
}
"""


def test_repeated_rule_blocks_all_count() -> None:
    policy = parse_policy(_TWO_RULES)
    assert policy == PasswordPolicy(12, (CharsetRule("abc", 2), CharsetRule("0123456789", 3)))
    for _ in range(50):
        password = policy.generate()
        assert len(password) == 12
        assert sum(c in "abc" for c in password) >= 2
        assert sum(c.isdigit() for c in password) >= 3
        assert set(password) <= set("abc0123456789")


def test_json_form() -> None:
    policy = parse_policy(
        '{"length": 10, "rule": [{"charset": {"charset": "xyz", "min-chars": 1}}]}'
    )
    assert policy == PasswordPolicy(10, (CharsetRule("xyz", 1),))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("length = 10", "no charset specified"),
        ('length = 2\nrule "charset" {\n charset = "ab"\n min-chars = 3\n}', "require at least 3"),
        ('length = 200\nrule "charset" {\n charset = "a"\n}', "between 4 and 100"),
        ('length = 10\nrule "bogus" {\n x = 1\n}', "unrecognized rule type bogus"),
        ("garbage {{", "unable to decode"),
    ],
    ids=["no-charset", "too-short", "too-long", "unknown-rule", "syntax"],
)
def test_invalid_policies(text: str, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        parse_policy(text)


@given(
    st.lists(
        st.tuples(st.text(alphabet="abcdefXYZ0123-!", min_size=1, max_size=6), st.integers(0, 3)),
        min_size=1,
        max_size=4,
    ),
    st.integers(4, 40),
)
def test_generated_passwords_satisfy_every_rule(rules: list[tuple[str, int]], length: int) -> None:
    policy = PasswordPolicy(length, tuple(CharsetRule(c, n) for c, n in rules))
    if sum(n for _, n in rules) > length:
        with pytest.raises(InvalidRequest):
            policy.validate()
        return
    policy.validate()
    password = policy.generate()
    assert len(password) == length
    assert set(password) <= set(policy.charset())
    for charset, minimum in rules:
        assert sum(c in charset for c in password) >= minimum
