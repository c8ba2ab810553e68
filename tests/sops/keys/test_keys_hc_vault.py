"""Vault Transit master keys: URI parsing, token sources, and round trips against a real
OpenBao dev server (``bao server -dev``)."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from sealbox.sops.keys import (
    CouldNotDecryptKeyError,
    CouldNotEncryptKeyError,
    InvalidKeyEntryError,
    key_from_metadata,
)
from sealbox.sops.keys.hc_vault import HcVaultKey, parse_transit_uri, vault_token


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        (
            "https://vault.example.com:8200/v1/transit/keys/keyName",
            ("https://vault.example.com:8200", "transit", "keyName"),
        ),
        ("http://127.0.0.1:8200/v1/a/b/keys/k/", ("http://127.0.0.1:8200", "a/b", "k")),
        ("https://v/v1/sops/keys/x", ("https://v", "sops", "x")),
    ],
    ids=["plain", "nested-engine", "no-port"],
)
def test_parse_transit_uri(uri: str, expected: tuple[str, str, str]) -> None:
    assert parse_transit_uri(uri) == expected


@pytest.mark.parametrize(
    "uri",
    [
        "vault.example.com:8200/v1/transit/keys/k",
        "https://vault.example.com/proxy/v1/transit/keys/k",
        "https://vault.example.com/v1/transit",
        "https://vault.example.com/transit/keys/k",
    ],
    ids=["no-scheme", "prefixed", "too-short", "no-version"],
)
def test_parse_transit_uri_rejects(uri: str) -> None:
    with pytest.raises(InvalidKeyEntryError):
        parse_transit_uri(uri)


def test_identifier_and_metadata_round_trip() -> None:
    entry = {
        "vault_address": "https://v:8200",
        "engine_path": "a/b",
        "key_name": "k",
        "created_at": "2024-01-02T03:04:05Z",
        "enc": "vault:v1:abc",
    }
    key = key_from_metadata("hc_vault", entry)
    assert key.identifier == "https://v:8200/v1/a/b/keys/k"
    assert key.to_metadata() == entry
    assert list(key.to_metadata()) == list(entry)  # Go sops's order


def test_token_file_is_used_without_env(
    isolated_key_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert vault_token() == ""
    (isolated_key_env / ".vault-token").write_text("from-file\n")
    assert vault_token() == "from-file"
    monkeypatch.setenv("VAULT_TOKEN", "from-env")
    assert vault_token() == "from-env"


def test_missing_token_is_reported() -> None:
    key = HcVaultKey.from_uri("http://127.0.0.1:1/v1/transit/keys/k")
    with pytest.raises(CouldNotEncryptKeyError, match="VAULT_TOKEN"):
        key.encrypt(b"k" * 32)


def test_unreachable_server_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAULT_TOKEN", "tok-not-shown")
    key = HcVaultKey.from_uri("http://127.0.0.1:1/v1/transit/keys/k")
    with pytest.raises(CouldNotEncryptKeyError) as caught:
        key.encrypt(b"k" * 32)
    assert "tok-not-shown" not in str(caught.value)
    key.enc = "vault:v1:abc"
    with pytest.raises(CouldNotDecryptKeyError):
        key.decrypt()


@pytest.mark.compat
def test_transit_round_trip(bao_transit: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    address, token = bao_transit
    monkeypatch.setenv("VAULT_TOKEN", token)
    data_key = secrets.token_bytes(32)
    key = HcVaultKey.from_uri(f"{address}/v1/transit/keys/sops")
    key.encrypt(data_key)
    assert key.enc.startswith("vault:v1:")
    loaded = key_from_metadata("hc_vault", key.to_metadata())
    assert loaded.decrypt() == data_key


@pytest.mark.compat
def test_transit_errors_carry_vault_reason_not_token(
    bao_transit: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    address, token = bao_transit
    monkeypatch.setenv("VAULT_TOKEN", token)
    key = HcVaultKey.from_uri(f"{address}/v1/transit/keys/sops")
    key.enc = "vault:v1:bm90IGEgY2lwaGVydGV4dA=="
    with pytest.raises(CouldNotDecryptKeyError, match="HTTP 400") as caught:
        key.decrypt()
    assert token not in str(caught.value)
    monkeypatch.setenv("VAULT_TOKEN", "wrong-token")
    with pytest.raises(CouldNotEncryptKeyError, match="HTTP 403"):
        key.encrypt(b"k" * 32)
