"""One error story for SOPS: every failure is a ``SopsError`` whose class carries the exit status.

Key-source errors included (``MasterKeyError``), so the CLI has a single place that prints an
error and exits with its class's code, and no command module returns a literal failure status.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
from tests.sops.conftest import AgeIdentity, Runner

import sealbox.sops
from sealbox.sops import errors
from sealbox.sops.keys import base

_PACKAGE = Path(sealbox.sops.__file__).parent
# the modules whose functions produce the process's exit status
_EXIT_MODULES = ("cli.py", "commands.py", "edit.py", "rekey.py", "execs.py", "options.py")


def _error_classes() -> list[type[BaseException]]:
    """The exception classes defined in both modules."""
    found = []
    for module in (errors, base):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__ == module.__name__:
                found.append(cls)
    return found


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda cls: cls.__name__)
def test_every_sops_error_is_a_sops_error_with_its_exit_code(cls: type[BaseException]) -> None:
    assert issubclass(cls, errors.SopsError)
    assert isinstance(cls.exit_code, int)
    assert 0 < cls.exit_code < 256


def test_key_source_errors_keep_go_sops_codes() -> None:
    assert issubclass(base.MasterKeyError, errors.SopsError)
    assert base.CouldNotRetrieveKeyError.exit_code == 128
    assert base.CouldNotDecryptKeyError.exit_code == 128
    assert base.CouldNotEncryptKeyError.exit_code == 1


class _LiteralStatus(ast.NodeVisitor):
    """Collects ``return N`` / ``sys.exit(N)`` with a non-zero integer literal."""

    def __init__(self) -> None:
        self.found: list[int] = []

    @staticmethod
    def _nonzero(node: ast.expr | None) -> bool:
        return isinstance(node, ast.Constant) and type(node.value) is int and node.value != 0

    def visit_Return(self, node: ast.Return) -> None:
        if self._nonzero(node.value):
            self.found.append(node.lineno)

    def visit_Call(self, node: ast.Call) -> None:
        name = ast.unparse(node.func)
        if name in ("sys.exit", "exit", "SystemExit") and node.args and self._nonzero(node.args[0]):
            self.found.append(node.lineno)
        self.generic_visit(node)


@pytest.mark.parametrize("name", _EXIT_MODULES)
def test_exit_statuses_come_from_error_classes_not_literals(name: str) -> None:
    visitor = _LiteralStatus()
    visitor.visit(ast.parse((_PACKAGE / name).read_text()))
    assert visitor.found == [], f"{name}: literal exit status at lines {visitor.found}"


def test_unsupported_subcommand_exits_with_its_class_code(run_sealbox: Runner) -> None:
    result = run_sealbox("publish", "x.yaml")
    assert result.returncode == errors.UnsupportedCommandError.exit_code
    assert "does not implement 'sops publish'" in result.stderr


def test_malformed_key_flag_is_a_clear_error(run_sealbox: Runner, age_key: AgeIdentity) -> None:
    Path("plain.yaml").write_text("a: 1\n")
    encrypted = run_sealbox("encrypt", "--age", age_key.recipient, "plain.yaml")
    Path("enc.yaml").write_bytes(encrypted.stdout)
    result = run_sealbox("rotate", "--add-azure-kv", "not-a-vault-url", "enc.yaml")
    assert result.returncode == base.InvalidKeyEntryError.exit_code == 1
    assert "invalid Azure Key Vault key URL" in result.stderr
    assert "unexpected" not in result.stderr


def test_missing_key_exits_128_through_the_same_path(run_sealbox: Runner) -> None:
    Path("enc.yaml").write_text(
        "a: ENC[AES256_GCM,data:AA==,iv:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,"
        "tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]\n"
        "sops:\n    age:\n        - recipient: age1nobody\n          enc: x\n"
        '    lastmodified: "2024-01-01T00:00:00Z"\n    mac: m\n    version: 3.11.0\n'
    )
    result = run_sealbox("decrypt", "enc.yaml")
    assert result.returncode == base.CouldNotRetrieveKeyError.exit_code == 128
    assert "Traceback" not in result.stderr
