"""``read``/``write``/``list``/``delete``/``patch``/``path-help`` and the kv subcommands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.compat.cli.cli_helpers import Runner

from sealbox.client import Client

pytestmark = pytest.mark.compat


def test_write_read_values_from_file_and_stdin(
    sealbox: Runner, api: Client, kv1: str, tmp_path: Path
) -> None:
    secret_file = tmp_path / "pw.txt"
    secret_file.write_text("from-a-file")
    result = sealbox(
        "write", f"{kv1}/app", f"file_pw=@{secret_file}", "stdin_pw=-", "plain=v", stdin="piped"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Success! Data written to: {kv1}/app"
    stored = (api.read(f"{kv1}/app") or {})["data"]
    assert stored == {"file_pw": "from-a-file", "stdin_pw": "piped", "plain": "v"}
    field = sealbox("read", "-field=file_pw", f"{kv1}/app")
    assert field.stdout == "from-a-file"
    assert "from-a-file" not in sealbox("read", "-field=plain", f"{kv1}/app").stdout


def test_write_json_object_from_stdin(sealbox: Runner, api: Client, kv1: str) -> None:
    result = sealbox("write", f"{kv1}/j", "-", stdin='{"a": "b", "n": 3}')
    assert result.returncode == 0, result.stderr
    assert (api.read(f"{kv1}/j") or {})["data"] == {"a": "b", "n": 3}


def test_write_requires_data_or_force(sealbox: Runner) -> None:
    result = sealbox("write", "secret/data/nothing")
    assert result.returncode == 1
    assert "Must supply data or use -force" in result.stderr


@pytest.mark.parametrize("fmt", ["json", "yaml", "table"])
def test_read_formats(sealbox: Runner, api: Client, kv1: str, fmt: str) -> None:
    api.write(f"{kv1}/f", {"k": "v"})
    result = sealbox("read", f"-format={fmt}", f"{kv1}/f")
    assert result.returncode == 0, result.stderr
    if fmt == "json":
        assert json.loads(result.stdout)["data"] == {"k": "v"}
    elif fmt == "yaml":
        assert "data:\n  k: v" in result.stdout
    else:
        assert result.stdout.splitlines()[:2] == [
            "Key                 Value",
            "---                 -----",
        ]
        assert result.stdout.splitlines()[-1].split() == ["k", "v"]


def test_format_from_environment(sealbox: Runner, api: Client, kv1: str) -> None:
    api.write(f"{kv1}/e", {"k": "v"})
    result = sealbox("read", f"{kv1}/e", extra_env={"SEALBOX_FORMAT": "json"})
    assert json.loads(result.stdout)["data"] == {"k": "v"}


def test_read_missing_exits_2(sealbox: Runner, kv1: str) -> None:
    result = sealbox("read", f"{kv1}/missing")
    assert result.returncode == 2
    assert result.stderr.strip() == f"No value found at {kv1}/missing"


def test_list_and_delete(sealbox: Runner, api: Client, kv1: str) -> None:
    api.write(f"{kv1}/dir/a", {"x": "1"})
    api.write(f"{kv1}/b", {"x": "1"})
    listed = sealbox("list", kv1)
    assert listed.stdout.splitlines() == ["Keys", "----", "b", "dir/"]
    as_json = sealbox("list", "-format=json", kv1)
    assert json.loads(as_json.stdout) == ["b", "dir/"]
    deleted = sealbox("delete", f"{kv1}/b")
    assert deleted.stdout.strip() == f"Success! Data deleted (if it existed) at: {kv1}/b"
    assert api.read(f"{kv1}/b") is None


def test_patch_any_path(sealbox: Runner, api: Client, kv2: str) -> None:
    api.write(f"{kv2}/data/p", {"data": {"a": "1", "b": "2"}})
    result = sealbox("patch", f"{kv2}/data/p", "-", stdin='{"data": {"b": "3"}}')
    assert result.returncode == 0, result.stderr
    data = (api.read(f"{kv2}/data/p") or {})["data"]["data"]
    assert data == {"a": "1", "b": "3"}


def test_path_help(sealbox: Runner, kv2: str) -> None:
    result = sealbox("path-help", f"{kv2}/config")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


def test_kv_v1_put_get(sealbox: Runner, api: Client, kv1: str) -> None:
    put = sealbox("kv", "put", f"{kv1}/v1secret", "user=u")
    assert put.stdout.strip() == f"Success! Data written to: {kv1}/v1secret"
    got = sealbox("kv", "get", f"{kv1}/v1secret")
    assert "Secret Path" not in got.stdout
    assert "==== Data ====" in got.stdout
    assert any(line.split() == ["user", "u"] for line in got.stdout.splitlines())


def test_kv_mount_flag_and_field(sealbox: Runner, kv2: str) -> None:
    assert sealbox("kv", "put", f"-mount={kv2}", "app", "pw=x").returncode == 0
    result = sealbox("kv", "get", f"-mount={kv2}", "-field=pw", "app")
    assert result.stdout == "x"
    missing = sealbox("kv", "get", f"-mount={kv2}", "-field=nope", "app")
    assert missing.returncode == 1


def test_kv_patch_undelete_rollback(sealbox: Runner, api: Client, kv2: str) -> None:
    assert sealbox("kv", "put", f"{kv2}/s", "a=1").returncode == 0
    patched = sealbox("kv", "patch", f"{kv2}/s", "b=2")
    assert patched.returncode == 0, patched.stderr
    assert (api.read(f"{kv2}/data/s") or {})["data"]["data"] == {"a": "1", "b": "2"}
    assert sealbox("kv", "delete", "-versions=2", f"{kv2}/s").returncode == 0
    undeleted = sealbox("kv", "undelete", "-versions=2", f"{kv2}/s")
    assert undeleted.stdout.strip() == f"Success! Data written to: {kv2}/undelete/s"
    rolled = sealbox("kv", "rollback", "-version=1", f"{kv2}/s")
    assert rolled.returncode == 0, rolled.stderr
    current = (api.read(f"{kv2}/data/s") or {})["data"]
    assert current["data"] == {"a": "1"}
    assert current["metadata"]["version"] == 3


def test_kv_metadata_get_and_delete(sealbox: Runner, api: Client, kv2: str) -> None:
    api.write(f"{kv2}/data/m", {"data": {"a": "1"}})
    api.write(f"{kv2}/data/m", {"data": {"a": "2"}})
    got = sealbox("kv", "metadata", "get", f"{kv2}/m")
    assert got.returncode == 0, got.stderr
    assert "Metadata Path" in got.stdout
    assert "= Version 1 =" in got.stdout
    assert "= Version 2 =" in got.stdout
    assert any(line.split() == ["current_version", "2"] for line in got.stdout.splitlines())
    deleted = sealbox("kv", "metadata", "delete", f"{kv2}/m")
    assert deleted.returncode == 0
    assert api.read(f"{kv2}/metadata/m") is None


def test_kv_undelete_requires_versions(sealbox: Runner, kv2: str) -> None:
    result = sealbox("kv", "undelete", f"{kv2}/s")
    assert result.returncode == 1
    assert "-versions" in result.stderr


def test_kv_list_missing_exits_2(sealbox: Runner, kv2: str) -> None:
    result = sealbox("kv", "list", f"{kv2}/nothing/")
    assert result.returncode == 2
    assert "No value found at" in result.stderr
