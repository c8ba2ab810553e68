"""The commands of the secrets-management guide, run with ``sealbox-sops`` in place of ``sops``.

Uses the guide's ``.sops.yaml`` shape (production: one age key; dev: another; ``*.enc.yaml``:
two key groups with ``shamir_threshold: 2``; first match wins) and checks every result with
Go sops, so a team can switch tools file by file.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.sops.conftest import AgeIdentity, Runner

pytestmark = pytest.mark.compat

DATABASE = "username: app\npassword: hunter2\nport: 5432\n"
CONFIG = "password: p\nsecret: s\ntoken: t\nkey: k\nhost: db.internal\nlog_level: debug\n"


@pytest.fixture
def guide(
    sops_env: dict[str, str],
    age_key: AgeIdentity,
    age_key2: AgeIdentity,
    both_keys_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    Path(".sops.yaml").write_text(
        "creation_rules:\n"
        "  - path_regex: .*/production/.*\\.(yaml|env)$\n"
        f"    age: {age_key.recipient}\n"
        "  - path_regex: .*/dev/.*\\.yaml$\n"
        f"    age: {age_key2.recipient}\n"
        "  - path_regex: .*\\.enc\\.yaml$\n"
        "    key_groups:\n"
        f"      - age: [{age_key.recipient}]\n"
        f"      - age: [{age_key2.recipient}]\n"
        "    shamir_threshold: 2\n"
    )
    for directory in ("secrets/production", "secrets/dev"):
        Path(directory).mkdir(parents=True)
    Path("secrets/production/database.yaml").write_text(DATABASE)
    Path("secrets/production/config.yaml").write_text(CONFIG)
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(both_keys_file))
    return Path.cwd()


def test_encrypt_in_place_then_decrypt_to_stdout_and_output(
    guide: Path, run_sealbox: Runner, run_go_sops: Runner, age_key: AgeIdentity
) -> None:
    path = "secrets/production/database.yaml"
    result = run_sealbox("--encrypt", "--in-place", path)
    assert result.returncode == 0, result.stderr
    text = Path(path).read_text()
    assert "hunter2" not in text
    assert age_key.recipient in text

    assert run_sealbox("--decrypt", path).stdout.decode() == DATABASE
    assert run_go_sops("--decrypt", path).stdout.decode() == DATABASE

    out = guide / "decrypted.yaml"
    result = run_sealbox("--decrypt", "--output", str(out), path)
    assert result.returncode == 0, result.stderr
    assert out.read_text() == DATABASE
    assert out.stat().st_mode & 0o077 == 0  # a new cleartext file is private


def test_encrypted_regex_encrypts_only_matching_keys(
    guide: Path, run_sealbox: Runner, run_go_sops: Runner
) -> None:
    path = "secrets/production/config.yaml"
    regex = "^(password|secret|token|key)$"
    result = run_sealbox("--encrypt", "--encrypted-regex", regex, "--in-place", path)
    assert result.returncode == 0, result.stderr
    text = Path(path).read_text()
    assert "host: db.internal" in text
    assert "log_level: debug" in text
    for key in ("password", "secret", "token", "key"):
        assert f"{key}: ENC[AES256_GCM," in text
    assert f"encrypted_regex: {regex}" in text
    assert run_go_sops("--decrypt", path).stdout.decode() == CONFIG


def test_bare_file_argument_edits(guide: Path, run_sealbox: Runner, run_go_sops: Runner) -> None:
    path = "secrets/production/database.yaml"
    assert run_sealbox("--encrypt", "--in-place", path).returncode == 0
    before = Path(path).read_text().splitlines()
    env = {**os.environ, "EDITOR": "sed -i s/5432/6543/"}
    result = run_sealbox(path, env=env)
    assert result.returncode == 0, result.stderr
    after = Path(path).read_text().splitlines()
    # Unchanged values keep their ciphertext, so the git diff shows only the edited value.
    assert after[0] == before[0]
    assert after[1] == before[1]
    assert after[2] != before[2]
    assert run_go_sops("--decrypt", path).stdout.decode() == DATABASE.replace("5432", "6543")


def test_encrypting_a_dotenv_to_stdout(
    sops_env: dict[str, str], run_sealbox: Runner, run_go_sops: Runner, age_key: AgeIdentity
) -> None:
    # No .sops.yaml here: keys come from SOPS_AGE_RECIPIENTS, as in CI.
    env = {**os.environ, "SOPS_AGE_RECIPIENTS": age_key.recipient}
    Path(".env.production").write_text("DB_PASSWORD=hunter2\nAPI_KEY=abc\n")
    result = run_sealbox("--encrypt", ".env.production", env=env)
    assert result.returncode == 0, result.stderr
    Path(".env.production.enc").write_bytes(result.stdout)
    # compat: the ".production" extension makes this a binary file for both tools.
    decrypted = run_go_sops("--decrypt", ".env.production.enc")
    assert decrypted.stdout == b"DB_PASSWORD=hunter2\nAPI_KEY=abc\n"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("secrets/production/database.yaml", ["age_key"]),
        ("secrets/dev/app.yaml", ["age_key2"]),
        ("team.enc.yaml", ["age_key", "age_key2"]),
    ],
)
def test_creation_rules_pick_the_same_keys_as_go_sops(
    guide: Path,
    run_sealbox: Runner,
    run_go_sops: Runner,
    path: str,
    expected: list[str],
    request: pytest.FixtureRequest,
) -> None:
    Path(path).write_text("a: 1\n")
    ours = run_sealbox("encrypt", path)
    theirs = run_go_sops("encrypt", path)
    assert ours.returncode == theirs.returncode == 0, ours.stderr + theirs.stderr
    for name in ("age_key", "age_key2"):
        recipient = request.getfixturevalue(name).recipient
        assert (recipient in ours.stdout.decode()) == (name in expected)
        assert (recipient in theirs.stdout.decode()) == (name in expected)
    assert (b"key_groups:" in ours.stdout) == (b"key_groups:" in theirs.stdout)


def test_no_matching_creation_rule_fails_like_go_sops_even_with_keys(
    guide: Path, run_sealbox: Runner, run_go_sops: Runner, age_key: AgeIdentity
) -> None:
    Path("other.yaml").write_text("a: 1\n")
    ours = run_sealbox("encrypt", "--age", age_key.recipient, "other.yaml")
    theirs = run_go_sops("encrypt", "--age", age_key.recipient, "other.yaml")
    assert ours.returncode == theirs.returncode == 1
    assert "no matching creation rules" in ours.stderr
