"""PGP master keys through gpg: real round trips in a throwaway GNUPGHOME, and the process
boundary (the data key goes over stdin, never into gpg's arguments)."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

import pytest

from sealbox.sops.keys import (
    CouldNotDecryptKeyError,
    CouldNotEncryptKeyError,
    InvalidKeyEntryError,
    key_from_metadata,
)
from sealbox.sops.keys.pgp import PgpKey


def _fake_gpg(tmp_path: Path) -> tuple[Path, Path]:
    """A stand-in gpg that records its arguments and echoes stdin as its 'ciphertext'."""
    log = tmp_path / "argv.log"
    script = tmp_path / "fake-gpg"
    script.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        f"open({str(log)!r}, 'a').write(repr(sys.argv[1:]) + '\\n')\n"
        "sys.stdout.buffer.write(sys.stdin.buffer.read().hex().encode())\n"
    )
    script.chmod(0o755)
    return script, log


def test_data_key_never_in_process_arguments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script, log = _fake_gpg(tmp_path)
    monkeypatch.setenv("SOPS_GPG_EXEC", str(script))
    data_key = secrets.token_bytes(32)
    key = PgpKey.from_fingerprint("AAAA BBBB CCCC DDDD EEEE FFFF 0000 1111 2222 3333")
    key.encrypt(data_key)
    assert key.enc == data_key.hex()  # it went through stdin
    argv = log.read_text()
    assert data_key.hex() not in argv
    assert "--trusted-key" in argv
    assert "'-r', 'AAAABBBBCCCCDDDDEEEEFFFF0000111122223333'" in argv


def test_missing_gpg_binary_is_an_encrypt_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOPS_GPG_EXEC", str(tmp_path / "no-such-gpg"))
    key = PgpKey.from_fingerprint("ABCDEF")
    with pytest.raises(CouldNotEncryptKeyError, match="ABCDEF"):
        key.encrypt(b"k" * 32)
    key.enc = "-----BEGIN PGP MESSAGE-----"
    with pytest.raises(CouldNotDecryptKeyError, match="ABCDEF"):
        key.decrypt()


def test_fingerprint_spaces_are_removed() -> None:
    assert PgpKey.from_fingerprint(" 1234 5678 ").identifier == "12345678"


def test_created_at_is_rfc3339_utc() -> None:
    created = PgpKey.from_fingerprint("AB").created_at
    assert len(created) == 20
    assert created.endswith("Z")
    assert created[10] == "T"


def test_metadata_round_trip_keeps_go_field_order() -> None:
    entry = {"created_at": "2024-01-02T03:04:05Z", "enc": "-----BEGIN PGP MESSAGE-----", "fp": "AB"}
    key = key_from_metadata("pgp", entry)
    assert key.to_metadata() == entry
    assert list(key.to_metadata()) == ["created_at", "enc", "fp"]


def test_metadata_without_fingerprint_is_rejected() -> None:
    with pytest.raises(InvalidKeyEntryError, match="fp"):
        key_from_metadata("pgp", {"created_at": "2024-01-02T03:04:05Z", "enc": "x"})


@pytest.mark.compat
def test_gpg_round_trip(gpg_home: tuple[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    fingerprint, home = gpg_home
    monkeypatch.setenv("GNUPGHOME", str(home))
    data_key = secrets.token_bytes(32)
    key = PgpKey.from_fingerprint(fingerprint)
    key.encrypt(data_key)
    assert key.enc.startswith("-----BEGIN PGP MESSAGE-----")
    assert key.enc.endswith("-----END PGP MESSAGE-----")  # trimmed like Go sops
    loaded = key_from_metadata("pgp", key.to_metadata())
    assert loaded.decrypt() == data_key


@pytest.mark.compat
def test_gpg_unknown_fingerprint_fails_with_gpg_reason(
    gpg_home: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, home = gpg_home
    monkeypatch.setenv("GNUPGHOME", str(home))
    key = PgpKey.from_fingerprint("0" * 40)
    with pytest.raises(CouldNotEncryptKeyError, match="0000000000000000000000000000000000000000"):
        key.encrypt(b"k" * 32)


@pytest.mark.compat
def test_gpg_decrypt_without_secret_key_fails(
    gpg_home: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fingerprint, home = gpg_home
    monkeypatch.setenv("GNUPGHOME", str(home))
    key = PgpKey.from_fingerprint(fingerprint)
    key.encrypt(b"k" * 32)
    empty_home = tmp_path / "empty-gnupg"
    empty_home.mkdir(mode=0o700)
    monkeypatch.setenv("GNUPGHOME", str(empty_home))
    with pytest.raises(CouldNotDecryptKeyError, match=fingerprint):
        key.decrypt()
