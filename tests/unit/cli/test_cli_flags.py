"""Vault's flag grammar, exit codes and usage errors, without a server."""

from __future__ import annotations

import sys
import types

import click
import pytest

from sealbox.cli.base import normalize_args
from sealbox.cli.kv import get_cmd, put_cmd
from sealbox.cli.kv_metadata import put_cmd as metadata_put_cmd
from sealbox.cli.main import main
from sealbox.cli.token import create_cmd


@pytest.mark.parametrize(
    ("command", "args", "expected"),
    [
        (get_cmd, ["-version=3", "secret/x"], ["--version=3", "--", "secret/x"]),
        (get_cmd, ["--version=3", "secret/x"], ["--version=3", "--", "secret/x"]),
        (get_cmd, ["-format", "json", "secret/x"], ["--format", "json", "--", "secret/x"]),
        (get_cmd, ["-field=password", "s/x"], ["--field=password", "--", "s/x"]),
        (put_cmd, ["s/x", "a=-b", "-c"], ["--", "s/x", "a=-b", "-c"]),
        (put_cmd, ["-", "x"], ["--", "-", "x"]),
        (create_cmd, ["-orphan=true"], ["--orphan"]),
        (create_cmd, ["-orphan=false"], []),
        (create_cmd, ["-renewable=false"], ["--no-renewable"]),
        (create_cmd, ["-policy=a", "-policy=b"], ["--policy=a", "--policy=b"]),
        (metadata_put_cmd, ["-cas-required", "s/x"], ["--cas-required", "--", "s/x"]),
        (get_cmd, ["-help"], ["--help"]),
    ],
    ids=[
        "single-dash",
        "double-dash",
        "separate-value",
        "field",
        "positional-stops-flags",
        "stdin-dash",
        "bool-true",
        "bool-false",
        "bool-false-secondary",
        "repeatable",
        "bare-bool",
        "help",
    ],
)
def test_normalize_args(command: click.Command, args: list[str], expected: list[str]) -> None:
    assert normalize_args(command, args) == expected


@pytest.mark.parametrize(
    "argv",
    [
        ["kv", "get"],
        ["kv", "get", "-nosuch=1", "x"],
        ["kv", "put", "secret/x"],
        ["write", "secret/x"],
        ["policy", "write", "only-name"],
        ["read", "-format=xml", "x"],
        ["token", "lookup", "a", "b"],
    ],
    ids=[
        "missing-arg",
        "unknown-flag",
        "no-data",
        "write-no-data",
        "policy-args",
        "bad-format",
        "too-many",
    ],
)
def test_local_errors_exit_1(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAULT_ADDR", "http://127.0.0.1:1")
    monkeypatch.setenv("VAULT_TOKEN", "t")
    assert main(argv) == 1


def test_server_errors_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VAULT_ADDR", "http://127.0.0.1:1")
    monkeypatch.setenv("VAULT_TOKEN", "t")
    assert main(["read", "secret/x"]) == 2
    assert "connection refused" in capsys.readouterr().err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["version"]) == 0
    assert "sealbox" in capsys.readouterr().out


def test_secret_values_not_echoed_on_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VAULT_ADDR", "http://127.0.0.1:1")
    assert main(["kv", "put", "-cas=notanint", "s/x", "password=hunter2"]) == 1
    captured = capsys.readouterr()
    assert "hunter2" not in captured.err + captured.out


def test_server_command_calls_run_server(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, object]] = []

    def run_server(**kwargs: object) -> int:
        calls.append(kwargs)
        return 0

    fake = types.ModuleType("sealbox.server.run")
    fake.run_server = run_server  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sealbox.server.run", fake)
    argv = ["server", "-dev", "-dev-root-token-id=root", "-dev-listen-address=127.0.0.1:9"]
    assert main([*argv, "-config=a.hcl", "-config=b.hcl", "-log-level=debug"]) == 0
    assert calls == [
        {
            "config_paths": ["a.hcl", "b.hcl"],
            "dev": True,
            "dev_root_token_id": "root",
            "dev_listen_address": "127.0.0.1:9",
            "log_level": "debug",
        }
    ]


def test_server_needs_config_or_dev() -> None:
    assert main(["server"]) == 1


def test_sops_passes_all_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []

    def sops_main(argv: list[str]) -> int:
        seen.append(argv)
        return 3

    fake = types.ModuleType("sealbox.sops.cli")
    fake.main = sops_main  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sealbox.sops.cli", fake)
    assert main(["sops", "--decrypt", "-i", "--help", "file.yaml"]) == 3
    assert seen == [["--decrypt", "-i", "--help", "file.yaml"]]
