"""Failures: tampering, bad input, wrong keys, conflicting flags. Same exit codes as Go sops.

Each case runs both tools on the same file and requires the same non-zero exit code, a message
on stderr, nothing secret in it, and the file on disk unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.sops.conftest import AgeIdentity, Runner

pytestmark = pytest.mark.compat

PUBLIC_RECIPIENT = "age19xag3s6pwe3v4qnrpc2yr6nch2r38lmup9rk2tpjskyek4r5jgmqz2kchd"
PLAIN = "user: admin\npassword: hunter2\nport: 5432\nlist:\n    - a\n    - b\n"


@pytest.fixture
def encrypted(sops_env: dict[str, str], run_sealbox: Runner, age_key: AgeIdentity) -> Path:
    Path("plain.yaml").write_text(PLAIN)
    result = run_sealbox("encrypt", "--age", age_key.recipient, "plain.yaml")
    assert result.returncode == 0, result.stderr
    path = Path("secret.yaml")
    path.write_bytes(result.stdout)
    return path


def _flip_value(text: str) -> str:
    return re.sub(
        r"(password: ENC\[AES256_GCM,data:)(.)",
        lambda m: m[1] + ("A" if m[2] != "A" else "B"),
        text,
    )


def _rename_key(text: str) -> str:
    return text.replace("password: ENC", "passwd: ENC")


def _remove_value(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith("port:")) + "\n"


def _swap_values(text: str) -> str:
    user = re.search(r"^user: (.*)$", text, re.M)
    password = re.search(r"^password: (.*)$", text, re.M)
    assert user
    assert password
    text = text.replace(user[0], "user: " + password[1])
    return text.replace(password[0], "password: " + user[1])


def _change_mac(text: str) -> str:
    return re.sub(
        r"(mac: ENC\[AES256_GCM,data:)(.)", lambda m: m[1] + ("A" if m[2] != "A" else "B"), text
    )


def _reorder_list(text: str) -> str:
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("    - ENC"))
    lines[first], lines[first + 1] = lines[first + 1], lines[first]
    return "\n".join(lines) + "\n"


def _truncate(text: str) -> str:
    return text[: len(text) // 2]


TAMPERS: dict[str, Callable[[str], str]] = {
    "changed-value": _flip_value,
    "renamed-key": _rename_key,
    "removed-value": _remove_value,
    "swapped-values": _swap_values,
    "changed-mac": _change_mac,
    "reordered-list": _reorder_list,
    "truncated": _truncate,
}


@pytest.mark.parametrize("tamper", list(TAMPERS))
def test_tampering_is_detected_with_go_sops_exit_code(
    tamper: str, encrypted: Path, run_sealbox: Runner, run_go_sops: Runner
) -> None:
    encrypted.write_text(TAMPERS[tamper](encrypted.read_text()))
    ours = run_sealbox("decrypt", str(encrypted))
    theirs = run_go_sops("decrypt", str(encrypted))
    assert theirs.returncode != 0
    assert ours.returncode == theirs.returncode, ours.stderr
    assert ours.stdout == b""
    assert "hunter2" not in ours.stderr
    assert ours.stderr.strip()


def test_ignore_mac_decrypts_a_file_with_a_removed_value(
    encrypted: Path, run_sealbox: Runner
) -> None:
    encrypted.write_text(_remove_value(encrypted.read_text()))
    result = run_sealbox("decrypt", "--ignore-mac", str(encrypted))
    assert result.returncode == 0
    assert b"hunter2" in result.stdout


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bad.yaml", "a: [1\nb: 2\n"),
        ("dup.yaml", "a: 1\na: 2\n"),
        ("bad.json", '{"a": 1,'),
        ("list.json", "[1, 2]"),
        ("empty.yaml", ""),
        ("blank.yaml", "\n# only a comment\n"),
        ("empty.json", ""),
        ("already.yaml", "a: 1\nsops: {}\n"),
        ("already.env", "A=1\nsops_mac=x\n"),
    ],
)
def test_bad_cleartext_fails_like_go_sops_and_is_left_alone(
    name: str,
    content: str,
    run_sealbox: Runner,
    run_go_sops: Runner,
    age_key: AgeIdentity,
) -> None:
    Path(name).write_text(content)
    ours = run_sealbox("encrypt", "-i", "--age", age_key.recipient, name)
    theirs = run_go_sops("encrypt", "--age", age_key.recipient, name)
    assert theirs.returncode != 0
    assert ours.returncode == theirs.returncode, ours.stderr
    assert ours.stderr.strip()
    assert Path(name).read_text() == content


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("decrypt", "missing.yaml"), 100),
        (("decrypt", "plain.yaml"), 1),
        (("decrypt", "-i", "--output", "x.yaml", "secret.yaml"), 8),
        (("decrypt", "--extract", '["nope"]', "secret.yaml"), 1),
        (("decrypt", "--decryption-order", "age,age", "secret.yaml"), 112),
        (("rotate", "--add-age", "age1x", "missing.yaml"), 49),
        (("encrypt", "--age", PUBLIC_RECIPIENT, "secret.yaml"), 203),
    ],
    ids=[
        "missing-file",
        "not-encrypted",
        "in-place-and-output",
        "extract-missing",
        "duplicate-decryption-order",
        "add-key-to-missing-file",
        "already-encrypted",
    ],
)
def test_usage_errors_match_go_sops(
    args: tuple[str, ...], code: int, encrypted: Path, run_sealbox: Runner, run_go_sops: Runner
) -> None:
    ours = run_sealbox(*args)
    theirs = run_go_sops(*args)
    assert theirs.returncode == code
    assert ours.returncode == code, ours.stderr


def test_wrong_or_missing_key_exits_128(
    encrypted: Path,
    run_sealbox: Runner,
    run_go_sops: Runner,
    age_key2: AgeIdentity,
    tmp_path: Path,
) -> None:
    import os

    wrong = {**os.environ, "SOPS_AGE_KEY_FILE": str(age_key2.key_file)}
    missing = {**os.environ, "SOPS_AGE_KEY_FILE": str(tmp_path / "nope.txt")}
    for env in (wrong, missing):
        ours = run_sealbox("decrypt", str(encrypted), env=env)
        theirs = run_go_sops("decrypt", str(encrypted), env=env)
        assert ours.returncode == theirs.returncode == 128
        assert "Failed to get the data key" in ours.stderr


def test_failed_in_place_edit_leaves_the_original_untouched(
    encrypted: Path, run_sealbox: Runner
) -> None:
    import os

    before = encrypted.read_bytes()
    broken = {**os.environ, "EDITOR": "sed -i s/^user:/user/"}  # no longer valid YAML
    result = run_sealbox("edit", str(encrypted), env=broken)
    assert result.returncode != 0
    assert encrypted.read_bytes() == before
    failing = {**os.environ, "EDITOR": "false"}
    assert run_sealbox("edit", str(encrypted), env=failing).returncode == 201
    assert encrypted.read_bytes() == before
    unchanged = {**os.environ, "EDITOR": "true"}
    assert run_sealbox("edit", str(encrypted), env=unchanged).returncode == 200
    assert encrypted.read_bytes() == before
    assert not [p for p in encrypted.parent.iterdir() if p.name.startswith(".secret")]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("c.yaml", "password: canary-s3cr3t\nnext: [1\n"),
        ("c.yaml", "password: canary-s3cr3t\npassword: canary-s3cr3t\n"),
        ("c.json", '{"password": "canary-s3cr3t", '),
        ("c.env", "PASSWORD=canary-s3cr3t\nno equals sign\n"),
        ("c.ini", "[s]\npassword = canary-s3cr3t\nno delimiter\n"),
    ],
)
def test_parse_errors_never_echo_values(
    name: str, content: str, run_sealbox: Runner, age_key: AgeIdentity
) -> None:
    Path(name).write_text(content)
    for args in (("encrypt", "--age", age_key.recipient, name), ("decrypt", name)):
        result = run_sealbox(*args)
        assert result.returncode != 0
        assert result.stderr.strip()
        assert "canary-s3cr3t" not in result.stderr
