"""The other commands: extract, set, unset, rotate, updatekeys, filestatus, exec-env, exec-file.

Results are checked with Go sops where a file is written, so a file changed by sealbox stays a
valid sops file for everyone else.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from tests.sops.conftest import AgeIdentity, Runner

pytestmark = pytest.mark.compat

PLAIN = "app:\n    db:\n        password: hunter2\n        port: 5432\n    name: demo\nitems:\n    - first\n    - second\n"


@pytest.fixture
def secret(sops_env: dict[str, str], run_sealbox: Runner, age_key: AgeIdentity) -> Path:
    Path("plain.yaml").write_text(PLAIN)
    result = run_sealbox("encrypt", "--age", age_key.recipient, "plain.yaml")
    assert result.returncode == 0, result.stderr
    path = Path("secret.yaml")
    path.write_bytes(result.stdout)
    return path


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ('["app"]["db"]["password"]', b"hunter2"),
        ("['app']['name']", b"demo"),
        ('["items"][1]', b"second"),
        ('["app"]["db"]["port"]', b"5432\n"),
        ('["app"]["db"]', b"password: hunter2\nport: 5432\n"),
    ],
)
def test_extract_matches_go_sops(
    path: str, expected: bytes, secret: Path, run_sealbox: Runner, run_go_sops: Runner
) -> None:
    ours = run_sealbox("decrypt", "--extract", path, str(secret))
    theirs = run_go_sops("decrypt", "--extract", path, str(secret))
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == theirs.stdout == expected


def test_output_type_converts_yaml_to_json(secret: Path, run_sealbox: Runner) -> None:
    result = run_sealbox("decrypt", "--output-type", "json", str(secret))
    assert json.loads(result.stdout) == {
        "app": {"db": {"password": "hunter2", "port": 5432}, "name": "demo"},
        "items": ["first", "second"],
    }


def test_set_and_unset_keep_other_ciphertexts(
    secret: Path, run_sealbox: Runner, run_go_sops: Runner
) -> None:
    before = secret.read_text().split("sops:")[0].splitlines()
    result = run_sealbox("set", str(secret), '["app"]["db"]["password"]', '"s3cret"')
    assert result.returncode == 0, result.stderr
    after = secret.read_text().split("sops:")[0].splitlines()
    changed = [a for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) == 1
    assert "password:" in changed[0]
    assert run_sealbox("set", str(secret), '["app"]["new"]', '{"k": [1, true]}').returncode == 0
    assert run_sealbox("unset", str(secret), '["app"]["name"]').returncode == 0
    decrypted = run_go_sops("decrypt", "--output-type", "json", str(secret))
    assert decrypted.returncode == 0, decrypted.stderr
    assert json.loads(decrypted.stdout)["app"] == {
        "db": {"password": "s3cret", "port": 5432},
        "new": {"k": [1, True]},
    }
    missing = run_sealbox("unset", str(secret), '["app"]["name"]')
    assert missing.returncode == 1
    assert run_sealbox("unset", "--idempotent", str(secret), '["app"]["name"]').returncode == 0


def test_legacy_set_flag(secret: Path, run_sealbox: Runner, run_go_sops: Runner) -> None:
    result = run_sealbox("--set", '["app"]["name"] "renamed"', str(secret))
    assert result.returncode == 0, result.stderr
    extracted = run_go_sops("decrypt", "--extract", '["app"]["name"]', str(secret))
    assert extracted.stdout == b"renamed"


def test_rotate_adds_and_removes_keys_with_a_new_data_key(
    secret: Path,
    run_sealbox: Runner,
    run_go_sops: Runner,
    age_key: AgeIdentity,
    age_key2: AgeIdentity,
) -> None:
    old_values = secret.read_text()
    added = run_sealbox("rotate", "-i", "--add-age", age_key2.recipient, str(secret))
    assert added.returncode == 0, added.stderr
    text = secret.read_text()
    assert age_key.recipient in text
    assert age_key2.recipient in text
    assert text.splitlines()[2] != old_values.splitlines()[2]  # values re-encrypted
    only_second = {**os.environ, "SOPS_AGE_KEY_FILE": str(age_key2.key_file)}
    assert run_go_sops("decrypt", str(secret), env=only_second).stdout.decode() == PLAIN

    removed = run_sealbox(
        "rotate", "-i", "--rm-age", age_key.recipient, str(secret), env=only_second
    )
    assert removed.returncode == 0, removed.stderr
    assert age_key.recipient not in secret.read_text()
    assert run_go_sops("decrypt", str(secret)).returncode == 128
    assert run_sealbox("-r", str(secret), env=only_second).returncode == 0


def test_updatekeys_follows_the_creation_rule_and_keeps_values(
    secret: Path,
    run_sealbox: Runner,
    run_go_sops: Runner,
    age_key2: AgeIdentity,
) -> None:
    Path(".sops.yaml").write_text(f"creation_rules:\n  - age: {age_key2.recipient}\n")
    before = secret.read_text()
    result = run_sealbox("updatekeys", "-y", str(secret))
    assert result.returncode == 0, result.stderr
    after = secret.read_text()
    assert age_key2.recipient in after
    # The data key is kept: values, lastmodified and MAC are byte-identical.
    assert after.split("sops:")[0] == before.split("sops:")[0]
    assert [line for line in after.splitlines() if "mac:" in line] == [
        line for line in before.splitlines() if "mac:" in line
    ]
    only_second = {**os.environ, "SOPS_AGE_KEY_FILE": str(age_key2.key_file)}
    assert run_go_sops("decrypt", str(secret), env=only_second).stdout.decode() == PLAIN
    again = run_sealbox("updatekeys", "-y", str(secret), env=only_second)
    assert again.returncode == 0
    assert "already up to date" in again.stderr


def test_filestatus(secret: Path, run_sealbox: Runner, run_go_sops: Runner) -> None:
    for path in (str(secret), "plain.yaml"):
        ours = run_sealbox("filestatus", path)
        theirs = run_go_sops("filestatus", path)
        assert json.loads(ours.stdout) == json.loads(theirs.stdout)
    assert json.loads(run_sealbox("filestatus", str(secret)).stdout) == {"encrypted": True}


def test_exec_env_passes_values_and_exit_status(
    sops_env: dict[str, str], run_sealbox: Runner, age_key: AgeIdentity
) -> None:
    Path("env.yaml").write_text("DB_PASSWORD: hunter2\nPORT: 5432\n")
    encrypted = run_sealbox("encrypt", "--age", age_key.recipient, "env.yaml").stdout
    Path("env.enc.yaml").write_bytes(encrypted)
    result = run_sealbox("exec-env", "env.enc.yaml", 'echo "$DB_PASSWORD:$PORT"; exit 3')
    assert result.returncode == 3
    assert result.stdout == b"hunter2:5432\n"
    pristine = run_sealbox("exec-env", "--pristine", "env.enc.yaml", 'echo "${HOME:-none}"')
    assert pristine.stdout == b"none\n"


@pytest.mark.parametrize("fifo", [True, False], ids=["fifo", "no-fifo"])
def test_exec_file_gives_the_child_a_cleartext_path(
    fifo: bool, secret: Path, run_sealbox: Runner
) -> None:
    extra = () if fifo else ("--no-fifo",)
    result = run_sealbox("exec-file", *extra, str(secret), "cat {}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode() == PLAIN


def test_edit_creates_a_new_file_from_flags(
    sops_env: dict[str, str], run_sealbox: Runner, run_go_sops: Runner, age_key: AgeIdentity
) -> None:
    editor = """sh -c 'printf "created: true\\n" > "$0"'"""
    env = {**os.environ, "EDITOR": editor}
    result = run_sealbox("edit", "--age", age_key.recipient, "new.yaml", env=env)
    assert result.returncode == 0, result.stderr
    assert Path("new.yaml").stat().st_mode & 0o077 == 0
    assert run_go_sops("decrypt", "new.yaml").stdout == b"created: true\n"


def test_set_reads_the_value_from_stdin(
    secret: Path, run_sealbox: Runner, run_go_sops: Runner
) -> None:
    result = run_sealbox(
        "set", "--value-stdin", str(secret), '["app"]["name"]', input=b'"from stdin"'
    )
    assert result.returncode == 0, result.stderr
    extracted = run_go_sops("decrypt", "--extract", '["app"]["name"]', str(secret))
    assert extracted.stdout == b"from stdin"
