"""Interoperability with Go sops: each tool decrypts what the other encrypted, to the same text.

For every format, a file encrypted by sealbox and decrypted by Go sops must give exactly what Go
sops gives for its own encryption of the same cleartext (and the other way round), so both
values and their types survive the crossing. Key groups with Shamir secret sharing are checked
in both directions too.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.sops.conftest import AgeIdentity, Runner
from tests.sops.samples import SAMPLES

pytestmark = pytest.mark.compat


def _encrypt(run: Runner, path: Path, recipient: str) -> bytes:
    result = run("encrypt", "--age", recipient, str(path))
    assert result.returncode == 0, result.stderr
    return result.stdout


def _decrypt(run: Runner, path: Path, *extra: str) -> bytes:
    result = run("decrypt", *extra, str(path))
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("fmt", list(SAMPLES))
def test_sealbox_encrypted_file_decrypts_with_go_sops(
    fmt: str, run_sealbox: Runner, run_go_sops: Runner, age_key: AgeIdentity
) -> None:
    name, plain = SAMPLES[fmt]
    source = Path(name)
    source.write_bytes(plain)
    ours = Path("ours." + name)
    ours.write_bytes(_encrypt(run_sealbox, source, age_key.recipient))
    theirs = Path("theirs." + name)
    theirs.write_bytes(_encrypt(run_go_sops, source, age_key.recipient))

    assert _decrypt(run_go_sops, ours) == _decrypt(run_go_sops, theirs)
    if fmt in ("binary", "dotenv"):
        assert _decrypt(run_go_sops, ours) == plain


@pytest.mark.parametrize("fmt", list(SAMPLES))
def test_go_sops_encrypted_file_decrypts_with_sealbox(
    fmt: str, run_sealbox: Runner, run_go_sops: Runner, age_key: AgeIdentity
) -> None:
    name, plain = SAMPLES[fmt]
    source = Path(name)
    source.write_bytes(plain)
    theirs = Path("theirs." + name)
    theirs.write_bytes(_encrypt(run_go_sops, source, age_key.recipient))
    ours = Path("ours." + name)
    ours.write_bytes(_encrypt(run_sealbox, source, age_key.recipient))

    assert _decrypt(run_sealbox, theirs) == _decrypt(run_sealbox, ours)
    if fmt in ("binary", "dotenv"):
        assert _decrypt(run_sealbox, theirs) == plain
    # Byte-identical output: quoting, indentation, number and comment layout as Go's.
    assert _decrypt(run_sealbox, theirs) == _decrypt(run_go_sops, theirs)


def test_yaml_keeps_comments_unencrypted_suffix_and_multiple_documents(
    run_sealbox: Runner, age_key: AgeIdentity
) -> None:
    name, plain = SAMPLES["yaml"]
    Path(name).write_bytes(plain)
    encrypted = _encrypt(run_sealbox, Path(name), age_key.recipient).decode()
    assert "public_unencrypted: visible" in encrypted
    assert "hunter2" not in encrypted
    assert "#ENC[AES256_GCM," in encrypted  # comments are encrypted too
    assert encrypted.count("\nsops:\n") == 2  # one metadata block per document
    Path("enc.yaml").write_text(encrypted)
    decrypted = _decrypt(run_sealbox, Path("enc.yaml")).decode()
    assert "# Database settings" in decrypted
    assert "    # first\n" in decrypted
    assert "second: document" in decrypted
    assert decrypted.index("database:") < decrypted.index("public_unencrypted")


@pytest.fixture
def shamir_config(sops_env: dict[str, str], age_key: AgeIdentity, age_key2: AgeIdentity) -> Path:
    config = Path(".sops.yaml")
    config.write_text(
        "creation_rules:\n"
        "  - path_regex: .*\\.enc\\.yaml$\n"
        "    key_groups:\n"
        f"      - age: [{age_key.recipient}]\n"
        f"      - age: [{age_key2.recipient}]\n"
        "    shamir_threshold: 2\n"
    )
    return config


@pytest.mark.parametrize("encrypter", ["sealbox", "go"])
def test_shamir_key_groups_interoperate(
    encrypter: str,
    shamir_config: Path,
    run_sealbox: Runner,
    run_go_sops: Runner,
    both_keys_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(both_keys_file))
    Path("team.enc.yaml").write_text("token: abc\nn: 7\n")
    run = run_sealbox if encrypter == "sealbox" else run_go_sops
    result = run("encrypt", "--in-place", "team.enc.yaml")
    assert result.returncode == 0, result.stderr
    text = Path("team.enc.yaml").read_text()
    assert "key_groups:" in text
    assert "shamir_threshold: 2" in text
    for decrypter in (run_sealbox, run_go_sops):
        assert _decrypt(decrypter, Path("team.enc.yaml")) == b'token: abc\n"n": 7\n'


def test_shamir_with_one_group_missing_fails_with_128_in_both(
    shamir_config: Path,
    run_sealbox: Runner,
    run_go_sops: Runner,
    both_keys_file: Path,
    age_key: AgeIdentity,
) -> None:
    Path("team.enc.yaml").write_text("token: abc\n")
    env_both = {**_env(), "SOPS_AGE_KEY_FILE": str(both_keys_file)}
    assert run_sealbox("encrypt", "-i", "team.enc.yaml", env=env_both).returncode == 0
    only_one = {**_env(), "SOPS_AGE_KEY_FILE": str(age_key.key_file)}
    ours = run_sealbox("decrypt", "team.enc.yaml", env=only_one)
    theirs = run_go_sops("decrypt", "team.enc.yaml", env=only_one)
    assert ours.returncode == theirs.returncode == 128


def _env() -> dict[str, str]:
    return dict(os.environ)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["yaml", "json", "dotenv"])
def test_pgp_files_interoperate_both_ways(
    fmt: str,
    gpg_home: tuple[str, Path],
    run_sealbox: Runner,
    run_go_sops: Runner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fingerprint, home = gpg_home
    monkeypatch.setenv("GNUPGHOME", str(home))
    name, plain = SAMPLES[fmt]
    Path(name).write_bytes(plain)
    for encrypter, decrypter in ((run_sealbox, run_go_sops), (run_go_sops, run_sealbox)):
        result = encrypter("encrypt", "--pgp", fingerprint, name)
        assert result.returncode == 0, result.stderr
        assert b"-----BEGIN PGP MESSAGE-----" in result.stdout
        Path("pgp." + name).write_bytes(result.stdout)
        ours = _decrypt(decrypter, Path("pgp." + name))
        assert ours == _decrypt(encrypter, Path("pgp." + name))


def test_entries_of_key_types_without_a_module_survive_set_and_rotate(
    run_sealbox: Runner, run_go_sops: Runner, age_key: AgeIdentity
) -> None:
    Path("plain.yaml").write_text("a: 1\nb: two\n")
    encrypted = _encrypt(run_sealbox, Path("plain.yaml"), age_key.recipient).decode()
    foreign = "    future_kms:\n        - uri: future://key/1\n          enc: opaque-ciphertext\n"
    Path("f.yaml").write_text(encrypted.replace("sops:\n", "sops:\n" + foreign, 1))
    assert run_sealbox("set", "f.yaml", '["b"]', '"three"').returncode == 0
    assert foreign in Path("f.yaml").read_text()
    assert _decrypt(run_go_sops, Path("f.yaml")) == b"a: 1\nb: three\n"
