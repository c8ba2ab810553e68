"""age master keys: armored wrapping, identity sources and error messages (no external tools)."""

from __future__ import annotations

import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pyrage
import pytest

from sealbox.sops.keys import (
    CouldNotDecryptKeyError,
    CouldNotEncryptKeyError,
    InvalidKeyEntryError,
    key_from_metadata,
)
from sealbox.sops.keys.age import AgeKey
from sealbox.sops.keys.age_identities import default_keys_file


def _new_identity() -> tuple[str, str]:
    identity = pyrage.x25519.Identity.generate()
    return str(identity.to_public()), str(identity)


def _encrypted_key(data_key: bytes) -> tuple[AgeKey, str]:
    recipient, secret = _new_identity()
    key = AgeKey.from_recipient(recipient)
    key.encrypt(data_key)
    return key, secret


def test_encrypt_writes_armor_like_go_sops() -> None:
    key, _ = _encrypted_key(secrets.token_bytes(32))
    lines = key.enc.split("\n")
    assert lines[0] == "-----BEGIN AGE ENCRYPTED FILE-----"
    assert lines[-2] == "-----END AGE ENCRYPTED FILE-----"
    assert key.enc.endswith("\n")
    assert all(len(line) <= 64 for line in lines)


def test_decrypt_with_sops_age_key(monkeypatch: pytest.MonkeyPatch) -> None:
    data_key = secrets.token_bytes(32)
    key, secret = _encrypted_key(data_key)
    _, other = _new_identity()
    monkeypatch.setenv("SOPS_AGE_KEY", f"# a comment\n{other}\n{secret}\n")
    assert key.decrypt() == data_key


def test_decrypt_with_sops_age_key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data_key = secrets.token_bytes(33)
    key, secret = _encrypted_key(data_key)
    key_file = tmp_path / "keys.txt"
    key_file.write_text(f"# created: now\n# public key: {key.recipient}\n{secret}\n")
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(key_file))
    assert key.decrypt() == data_key


@pytest.mark.parametrize("use_xdg", [True, False], ids=["xdg-config-home", "home-config"])
def test_decrypt_with_default_keys_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_key_env: Path, use_xdg: bool
) -> None:
    data_key = secrets.token_bytes(32)
    key, secret = _encrypted_key(data_key)
    if use_xdg:
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
        expected = tmp_path / "xdg" / "sops" / "age" / "keys.txt"
    else:
        expected = isolated_key_env / ".config" / "sops" / "age" / "keys.txt"
    assert default_keys_file() == expected
    expected.parent.mkdir(parents=True)
    expected.write_text(secret + "\n")
    assert key.decrypt() == data_key


def test_decrypt_with_key_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data_key = secrets.token_bytes(32)
    key, secret = _encrypted_key(data_key)
    script = tmp_path / "print_key.py"
    # The command sees the recipient it is asked for, as with Go sops.
    script.write_text(
        "import os, sys\n"
        f"assert os.environ['SOPS_AGE_RECIPIENT'] == {key.recipient!r}\n"
        f"sys.stdout.write({secret!r})\n"
    )
    monkeypatch.setenv("SOPS_AGE_KEY_CMD", f"{sys.executable} {script}")
    assert key.decrypt() == data_key


def test_decrypt_without_identity_explains_where_to_put_one() -> None:
    key, _ = _encrypted_key(secrets.token_bytes(32))
    with pytest.raises(CouldNotDecryptKeyError, match="SOPS_AGE_KEY_FILE"):
        key.decrypt()


def test_decrypt_with_wrong_identity_names_recipient_not_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key, _ = _encrypted_key(secrets.token_bytes(32))
    _, wrong = _new_identity()
    monkeypatch.setenv("SOPS_AGE_KEY", wrong)
    with pytest.raises(CouldNotDecryptKeyError) as caught:
        key.decrypt()
    assert key.recipient in str(caught.value)
    assert wrong not in str(caught.value)
    assert wrong not in repr(caught.value)


def test_malformed_identity_is_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    key, _ = _encrypted_key(secrets.token_bytes(32))
    bogus = "AGE-SECRET-KEY-1NOTAREALKEYQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ"
    monkeypatch.setenv("SOPS_AGE_KEY", bogus)
    with pytest.raises(CouldNotDecryptKeyError) as caught:
        key.decrypt()
    assert bogus not in str(caught.value)


def test_missing_key_file_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key, _ = _encrypted_key(secrets.token_bytes(32))
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(tmp_path / "absent.txt"))
    with pytest.raises(CouldNotDecryptKeyError, match=r"absent\.txt"):
        key.decrypt()


def test_tampered_enc_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    key, secret = _encrypted_key(secrets.token_bytes(32))
    monkeypatch.setenv("SOPS_AGE_KEY", secret)
    key.enc = key.enc.replace("-----END", "AAAA\n-----END")
    with pytest.raises(CouldNotDecryptKeyError):
        key.decrypt()


@pytest.mark.parametrize(
    "recipient",
    ["age1notvalid", "npub1xyz", "", "ssh-ed25519 AAAAnotbase64"],
    ids=["bad-bech32", "unknown-prefix", "empty", "bad-ssh"],
)
def test_invalid_recipient_is_rejected(recipient: str) -> None:
    with pytest.raises(InvalidKeyEntryError):
        AgeKey.from_recipient(recipient)


def test_encrypt_to_invalid_recipient_from_metadata_fails() -> None:
    key = AgeKey(recipient="age1broken")
    with pytest.raises(CouldNotEncryptKeyError, match="age1broken"):
        key.encrypt(b"k" * 32)


def test_metadata_round_trip_keeps_go_field_order() -> None:
    key, _ = _encrypted_key(secrets.token_bytes(32))
    entry = key.to_metadata()
    assert list(entry) == ["recipient", "enc"]
    loaded = key_from_metadata("age", entry)
    assert loaded.to_metadata() == entry
    assert loaded.identifier == key.recipient


def test_metadata_without_enc_is_rejected() -> None:
    recipient, _ = _new_identity()
    with pytest.raises(InvalidKeyEntryError, match="enc"):
        key_from_metadata("age", {"recipient": recipient})


def test_repr_leaves_out_ciphertext() -> None:
    key, _ = _encrypted_key(secrets.token_bytes(32))
    assert "BEGIN AGE" not in repr(key)


def _ssh_key(directory: Path) -> tuple[str, Path]:
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen not installed")
    directory.mkdir(parents=True, exist_ok=True)
    private = directory / "id_ed25519"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", str(private)],
        check=True,
        capture_output=True,
    )
    return private.with_suffix(".pub").read_text().strip(), private


@pytest.mark.parametrize("explicit", [True, False], ids=["env-file", "default-home-key"])
def test_ssh_recipient_round_trip(
    tmp_path: Path, isolated_key_env: Path, monkeypatch: pytest.MonkeyPatch, explicit: bool
) -> None:
    directory = tmp_path / "keys" if explicit else isolated_key_env / ".ssh"
    public, private = _ssh_key(directory)
    if explicit:
        monkeypatch.setenv("SOPS_AGE_SSH_PRIVATE_KEY_FILE", str(private))
    key = AgeKey.from_recipient(public)
    data_key = secrets.token_bytes(32)
    key.encrypt(data_key)
    assert key.identifier == public
    assert key.decrypt() == data_key
