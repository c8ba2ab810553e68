"""Vault-identical rendering: Go %v values, durations, columns, section headers, JSON, YAML."""

from __future__ import annotations

from typing import Any

import pytest

from sealbox.cli import format as fmt
from sealbox.goformat import human_duration


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "<nil>"),
        (True, "true"),
        (False, "false"),
        ("text", "text"),
        (3, "3"),
        (["a", 1, None], "[a 1 <nil>]"),
        ({"b": 1, "a": {"x": True}}, "map[a:map[x:true] b:1]"),
        ([], "[]"),
        ({}, "map[]"),
    ],
    ids=["nil", "true", "false", "str", "int", "list", "map", "empty-list", "empty-map"],
)
def test_go_value(value: Any, expected: str) -> None:
    assert fmt.go_value(value) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, "0s"),
        (59, "59s"),
        (60, "1m"),
        (90, "1m30s"),
        (3600, "1h"),
        (5400, "1h30m"),
        (3601, "1h1s"),
        (2764800, "768h"),
        (-3600, "-1h"),
    ],
)
def test_human_duration(seconds: int, expected: str) -> None:
    assert human_duration(seconds) == expected


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("ttl", True),
        ("token_ttl", True),
        ("period", True),
        ("lease_duration", True),
        ("ttl_max", True),
        ("version", False),
        ("duration_x", False),
    ],
)
def test_looks_like_duration(key: str, expected: bool) -> None:
    assert fmt.looks_like_duration(key) is expected


def test_table_pads_all_but_last_column_and_marks_empty() -> None:
    text = fmt.table(["Key", "Value"], [["password", "x"], ["empty", ""]])
    assert text.splitlines() == [
        "Key         Value",
        "---         -----",
        "password    x",
        "empty       n/a",
    ]


def test_map_table_sorts_and_humanises_durations() -> None:
    text = fmt.map_table({"ttl": 3600, "b": [1, 2], "a": None})
    assert text.splitlines()[2:] == ["a      <nil>", "b      [1 2]", "ttl    1h"]


def test_map_table_empty_is_blank() -> None:
    assert fmt.map_table({}) == ""


def test_secret_rows_refresh_interval_and_auth() -> None:
    secret = {
        "lease_duration": 2764800,
        "lease_id": "",
        "data": {"k": "v"},
        "auth": {
            "client_token": "t",
            "accessor": "a",
            "lease_duration": 0,
            "renewable": False,
            "token_policies": ["root"],
            "identity_policies": None,
            "policies": ["root"],
            "metadata": {"user": "bob"},
        },
    }
    rows = fmt.secret_rows(secret)
    assert rows[0] == ["refresh_interval", "768h"]
    assert ["token_duration", "∞"] in rows
    assert ["token_policies", '["root"]'] in rows
    assert ["identity_policies", "[]"] in rows
    assert ["token_meta_user", "bob"] in rows
    assert rows[-1] == ["k", "v"]


def test_lease_rows_when_lease_id() -> None:
    rows = fmt.secret_rows({"lease_id": "db/creds/x/1", "lease_duration": 60, "renewable": True})
    assert rows == [
        ["lease_id", "db/creds/x/1"],
        ["lease_duration", "1m"],
        ["lease_renewable", "true"],
    ]


def test_list_table_sorted() -> None:
    assert fmt.list_table(["b", "a/"]).splitlines() == ["Keys", "----", "a/", "b"]


@pytest.mark.parametrize(
    ("title", "width", "expected"),
    [
        ("Secret Path", 26, "======= Secret Path ======="),
        ("Secret Path", 13, "== Secret Path =="),
        ("Data", 17, "====== Data ======"),
    ],
)
def test_pad_equal_signs(title: str, width: int, expected: str) -> None:
    assert fmt.pad_equal_signs(title, width) == expected


def test_header_for_map_uses_longest_key() -> None:
    assert fmt.header_for_map("Metadata", {"custom_metadata": 1}) == "======= Metadata ======="


def test_secret_shape_order_drops_mirrors_and_sorts_data() -> None:
    envelope = {
        "secret/": {"type": "kv"},
        "request_id": "r",
        "lease_id": "",
        "renewable": False,
        "lease_duration": 0,
        "data": {"b": 1, "a": 2},
        "wrap_info": None,
        "warnings": None,
        "auth": None,
    }
    shaped = fmt.secret_shape(envelope)
    assert list(shaped) == [
        "request_id",
        "lease_id",
        "lease_duration",
        "renewable",
        "data",
        "warnings",
    ]
    assert list(shaped["data"]) == ["a", "b"]


def test_to_json_escapes_html_like_go() -> None:
    assert fmt.to_json({"p": "<a&b>"}) == '{\n  "p": "\\u003ca\\u0026b\\u003e"\n}'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"s": "y"}, 's: "y"'),
        ({"s": ""}, 's: ""'),
        ({"s": "2026-01-01T00:00:00Z"}, 's: "2026-01-01T00:00:00Z"'),
        ({"b": 1, "a": None}, "a: null\nb: 1"),
        ({"l": ["x"]}, "l:\n- x"),
    ],
    ids=["yaml11-bool", "empty", "timestamp", "sorted", "list"],
)
def test_to_yaml_quotes_like_go_yaml(value: Any, expected: str) -> None:
    assert fmt.to_yaml(value) == expected


def test_raw_field_auth_and_data() -> None:
    secret = {"auth": {"client_token": "tok", "lease_duration": 60}, "data": {"x": 1}}
    assert fmt.raw_field(secret, "token") == "tok"
    assert fmt.raw_field(secret, "token_duration") == 60
    assert fmt.raw_field(secret, "x") == 1
    assert fmt.raw_field({"data": {"data": {"k": "v"}}}, "data") == {"k": "v"}
    assert fmt.raw_field({"data": {}}, "missing") is None


def test_wrap_text_minimum_raggedness() -> None:
    text = (
        "* Invalid path for a versioned K/V secrets engine. See the API docs for the "
        "appropriate API endpoints to use. If using the OpenBao CLI, use 'bao kv list' for "
        "this operation."
    )
    assert fmt.wrap_text(text, 76) == [
        "* Invalid path for a versioned K/V secrets engine. See the API docs for",
        "the appropriate API endpoints to use. If using the OpenBao CLI, use 'bao kv",
        "list' for this operation.",
    ]


def test_warnings_text_block() -> None:
    text = fmt.warnings_text({"warnings": ["careful"]})
    assert text == "WARNING! The following warnings were returned from Vault:\n\n  * careful\n"
