"""Command-line parsing: Go sops's flag forms, the legacy form, and usage errors (in-process)."""

from __future__ import annotations

import pytest

from sealbox.sops.cli import main
from sealbox.sops.options import UsageError, parse


def test_long_short_and_equals_forms() -> None:
    options = parse(
        ["-d", "--output=out.yaml", "--age", "a1", "-a", "a2,a3", "--indent", "2", "f.yaml"]
    )
    assert options.decrypt
    assert options.output == "out.yaml"
    assert options.age == ["a1", "a2,a3"]
    assert options.indent == 2
    assert options.files == ["f.yaml"]


def test_flags_may_follow_positionals_and_double_dash_ends_flags() -> None:
    options = parse(["f.yaml", "--in-place", "--", "--not-a-flag"])
    assert options.in_place
    assert options.files == ["f.yaml", "--not-a-flag"]


def test_add_and_rm_key_flags() -> None:
    options = parse(["--add-age", "x", "--rm-pgp", "FP", "--add-hc-vault-transit", "u"])
    assert options.add_age == ["x"]
    assert options.rm_pgp == ["FP"]
    assert options.add_hc_vault_transit == ["u"]


@pytest.mark.parametrize(
    "args",
    [["--bogus"], ["--output"], ["--indent", "x"], ["--input-type", "toml"]],
    ids=["unknown", "missing-value", "bad-int", "bad-format"],
)
def test_usage_errors(args: list[str]) -> None:
    with pytest.raises(UsageError):
        parse(args)


def test_main_reports_usage_errors_with_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["decrypt", "--bogus", "f.yaml"]) == 1
    assert "flag provided but not defined" in capsys.readouterr().err


def test_unsupported_subcommands_are_not_edited_as_files(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["publish", "f.yaml"]) == 1
    assert "does not implement" in capsys.readouterr().err


def test_version(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["--version"]) == 0
    assert capsysbinary.readouterr().out.startswith(b"sops 3.11.0")
