"""``key=value`` parsing: files, stdin, JSON, repeated keys; values never in errors."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from sealbox.cli.args import ArgsError, parse_kv_args, split_csv


def test_plain_pairs_keep_everything_after_first_equals() -> None:
    assert parse_kv_args(["a=b", "c=d=e", "empty="]) == {"a": "b", "c": "d=e", "empty": ""}


def test_value_from_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("s3cr3t\n")
    assert parse_kv_args([f"password=@{path}"]) == {"password": "s3cr3t\n"}


def test_value_from_stdin_is_kept_verbatim() -> None:
    assert parse_kv_args(["password=-"], io.StringIO("pw\n")) == {"password": "pw\n"}


def test_escaped_at_is_literal() -> None:
    assert parse_kv_args(["email=\\@example"]) == {"email": "@example"}


def test_json_object_from_stdin_merges() -> None:
    stdin = io.StringIO('{"a": 1, "b": {"c": true}}')
    assert parse_kv_args(["-", "d=x"], stdin) == {"a": 1, "b": {"c": True}, "d": "x"}


def test_json_object_from_file(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    path.write_text('{"k": "v"}')
    assert parse_kv_args([f"@{path}"]) == {"k": "v"}


def test_repeated_keys_become_a_list() -> None:
    assert parse_kv_args(["p=a", "p=b", "p=c"]) == {"p": ["a", "b", "c"]}


def test_stdin_can_be_read_once() -> None:
    with pytest.raises(ArgsError, match="stdin already consumed"):
        parse_kv_args(["a=-", "b=-"], io.StringIO("x"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["novalue"], "format must be key=value"),
        (["-"], "must be an object"),
        (["a=@/nonexistent/file"], "error reading file"),
    ],
    ids=["no-equals", "json-not-object", "missing-file"],
)
def test_errors(args: list[str], message: str) -> None:
    with pytest.raises(ArgsError, match=message):
        parse_kv_args(args, io.StringIO("[1, 2]"))


def test_errors_never_contain_values(tmp_path: Path) -> None:
    with pytest.raises(ArgsError) as info:
        parse_kv_args(["-"], io.StringIO("{not json, password hunter2"))
    assert "hunter2" not in str(info.value)


def test_split_csv() -> None:
    assert split_csv(["1,2", "3", " 4 , "]) == ["1", "2", "3", "4"]
