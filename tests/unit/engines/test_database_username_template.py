"""username_template: OpenBao's functions and the PostgreSQL default, rendered locally."""

from __future__ import annotations

import re

import pytest

from sealbox.engines.database.plugins.mysql import MySQLPlugin
from sealbox.engines.database.plugins.postgresql import PostgreSQLPlugin
from sealbox.engines.database.username_template import check, render
from sealbox.errors import InvalidRequest

_FIELDS = {"DisplayName": "token", "RoleName": "app-role"}


def test_postgres_default_matches_openbaos_shape() -> None:
    template = PostgreSQLPlugin.default_username_template
    name = render(template, _FIELDS)
    assert re.fullmatch(r"v-token-app-role-[A-Za-z0-9]{20}-\d{10}", name)
    long = render(template, {"DisplayName": "x" * 40, "RoleName": "y" * 40})
    assert long.startswith("v-xxxxxxxx-yyyyyyyy-")
    assert len(long) <= 63


def test_mysql_default_is_32_characters_as_openbaos() -> None:
    # bao server -dev gave "v-token-r-q5GRIBWCzMXXYOMo4Zlm-1" for role "r"
    name = render(MySQLPlugin.default_username_template, {"DisplayName": "token", "RoleName": "r"})
    assert re.fullmatch(r"v-token-r-[A-Za-z0-9]{20}-\d", name)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        # Values observed from bao server -dev with the same template and fields.
        (
            '{{ printf "%s%s%s" .RoleName .RoleName .RoleName | truncate_sha256 12 }}',
            "app-50b69809",
        ),
        ("{{ .RoleName | sha256 | truncate 10 }}", "9a7ecdde21"),
        ("{{ .RoleName | base64 }}", "YXBwLXJvbGU="),
        ('{{ .DisplayName | uppercase | replace "O" "0" }}', "T0KEN"),
        ("plain-{{.RoleName}}-{{ (.DisplayName | lowercase) }}", "plain-app-role-token"),
        ('{{ printf "%s-%d%%" .RoleName 7 }}', "app-role-7%"),
    ],
    ids=["truncate_sha256", "sha256", "base64", "replace", "parens", "printf"],
)
def test_functions(template: str, expected: str) -> None:
    assert render(template, _FIELDS) == expected


def test_random_and_times() -> None:
    assert re.fullmatch(r"[A-Za-z0-9]{7}", render("{{random 7}}", _FIELDS))
    assert re.fullmatch(r"\d{13}", render("{{unix_time_millis}}", _FIELDS))
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", render('{{timestamp "2006-01-02"}}', _FIELDS))


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{ nosuch }}", 'function "nosuch" not defined'),
        ("{{ .Nope }}", "unknown field .Nope"),
        ('{{ printf "%s" ', "unclosed action"),
        ("{{ .RoleName | truncate_sha256 5 }}", "must be > 8"),
        ("{{ truncate }}", "wrong number of arguments"),
        ("{{ .RoleName | truncate 0 }}", "empty username"),
    ],
    ids=["function", "field", "unclosed", "sha-length", "arity", "empty"],
)
def test_bad_templates(template: str, message: str) -> None:
    with pytest.raises(InvalidRequest, match=re.escape(message)):
        check(template)
