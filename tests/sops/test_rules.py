"""Value-selection rules and MAC options from ``.sops.yaml``, checked against Go sops.

For each rule both tools encrypt the same file; the encrypted files must have the same shape
(the same values in clear, the same values and comments encrypted) and each tool must decrypt
the other's file.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from tests.sops.conftest import AgeIdentity, Runner

pytestmark = pytest.mark.compat

DOCUMENT = """\
# top comment
db_password: hunter2
db_host: localhost
api:
    token: abc
    url_unencrypted: https://example.invalid
    port_secret: 8080
# sops:encrypt
flagged: yes please
plain: visible
"""

RULES = {
    "default": "",
    "unencrypted_suffix": "unencrypted_suffix: _unencrypted",
    "encrypted_suffix": "encrypted_suffix: _secret",
    "encrypted_regex": "encrypted_regex: ^(db_password|token)$",
    "unencrypted_regex": "unencrypted_regex: ^(db_host|plain)$",
    "encrypted_comment_regex": "encrypted_comment_regex: sops:encrypt",
    "unencrypted_comment_regex": "unencrypted_comment_regex: sops:encrypt",
    "mac_only_encrypted": "mac_only_encrypted: true\n    encrypted_regex: ^token$",
}


def _shape(text: str) -> list[str]:
    """The file with ciphertexts and timestamps masked, and without key entries."""
    body = text.split("\nsops:\n")[0]
    body = re.sub(r"ENC\[AES256_GCM,[^\]]*type:(\w+)\]", r"ENC[\1]", body)
    return body.splitlines()


@pytest.mark.parametrize("rule", list(RULES))
def test_rules_select_the_same_values_as_go_sops(
    rule: str, sops_env: dict[str, str], run_sealbox: Runner, run_go_sops: Runner,
    age_key: AgeIdentity,
) -> None:  # fmt: skip
    extra = f"\n    {RULES[rule]}" if RULES[rule] else ""
    Path(".sops.yaml").write_text(f"creation_rules:\n  - age: {age_key.recipient}{extra}\n")
    Path("doc.yaml").write_text(DOCUMENT)
    ours = run_sealbox("encrypt", "doc.yaml")
    theirs = run_go_sops("encrypt", "doc.yaml")
    assert ours.returncode == theirs.returncode == 0, ours.stderr + theirs.stderr
    assert _shape(ours.stdout.decode()) == _shape(theirs.stdout.decode())
    Path("ours.yaml").write_bytes(ours.stdout)
    Path("theirs.yaml").write_bytes(theirs.stdout)
    for run, path in ((run_go_sops, "ours.yaml"), (run_sealbox, "theirs.yaml")):
        result = run("decrypt", path)
        assert result.returncode == 0, result.stderr
        assert result.stdout.decode().replace('"yes please"', "yes please") == DOCUMENT


def test_encrypt_reads_stdin_with_filename_override(
    sops_env: dict[str, str], run_sealbox: Runner, run_go_sops: Runner, age_key: AgeIdentity
) -> None:
    env = {**os.environ, "SOPS_AGE_RECIPIENTS": age_key.recipient}
    missing = run_sealbox("encrypt", input=b"a: 1\n", env=env)
    assert missing.returncode == 8
    result = run_sealbox("encrypt", "--filename-override", "x.yaml", input=b"a: 1\n", env=env)
    assert result.returncode == 0, result.stderr
    decrypted = run_go_sops("decrypt", "--filename-override", "x.yaml", input=result.stdout)
    assert decrypted.stdout == b"a: 1\n"


def test_indent_flag(sops_env: dict[str, str], run_sealbox: Runner, age_key: AgeIdentity) -> None:
    Path("n.yaml").write_text("a:\n    b: 1\n")
    result = run_sealbox("encrypt", "--indent", "2", "--age", age_key.recipient, "n.yaml")
    assert result.stdout.startswith(b"a:\n  b: ENC[")
