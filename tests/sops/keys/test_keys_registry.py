"""The key registry: metadata entries to key objects, user-given keys to new keys, and the
cloud KMS entries that are kept intact but cannot be used offline."""

from __future__ import annotations

from typing import Any

import pyrage
import pytest

from sealbox.sops.keys import (
    KEY_TYPES,
    CouldNotDecryptKeyError,
    CouldNotEncryptKeyError,
    InvalidKeyEntryError,
    KeySpec,
    key_from_metadata,
    keys_from_spec,
    spec_from_env,
)

_KMS_ENTRY: dict[str, Any] = {
    "arn": "arn:aws:kms:us-east-1:123456789012:key/1234abcd",
    "role": "arn:aws:iam::123456789012:role/sops",
    "context": {"env": "prod"},
    "created_at": "2024-01-02T03:04:05Z",
    "enc": "AQICAHh...",
    "aws_profile": "",
}
_OPAQUE_ENTRIES: list[tuple[str, dict[str, Any], str]] = [
    ("kms", _KMS_ENTRY, _KMS_ENTRY["arn"]),
    (
        "gcp_kms",
        {
            "resource_id": "projects/p/locations/global/keyRings/r/cryptoKeys/k",
            "created_at": "2024-01-02T03:04:05Z",
            "enc": "CiQA...",
        },
        "projects/p/locations/global/keyRings/r/cryptoKeys/k",
    ),
    (
        "azure_kv",
        {
            "vault_url": "https://v.vault.azure.net",
            "name": "sops",
            "version": "abc123",
            "created_at": "2024-01-02T03:04:05Z",
            "enc": "xyz",
        },
        "https://v.vault.azure.net/keys/sops/abc123",
    ),
    (
        "hckms",
        {"key_id": "cn-north-4:0000-1111", "created_at": "2024-01-02T03:04:05Z", "enc": "e"},
        "cn-north-4:0000-1111",
    ),
]


def test_registry_names_every_go_sops_key_type() -> None:
    assert set(KEY_TYPES) == {"age", "pgp", "hc_vault", "kms", "gcp_kms", "azure_kv", "hckms"}
    assert all(cls.metadata_key == name for name, cls in KEY_TYPES.items())


@pytest.mark.parametrize(
    ("metadata_key", "entry", "identifier"), _OPAQUE_ENTRIES, ids=[e[0] for e in _OPAQUE_ENTRIES]
)
def test_opaque_entries_are_kept_intact(
    metadata_key: str, entry: dict[str, Any], identifier: str
) -> None:
    key = key_from_metadata(metadata_key, entry)
    assert key.identifier == identifier
    assert key.to_metadata() == entry
    assert list(key.to_metadata()) == list(entry)
    with pytest.raises(CouldNotDecryptKeyError, match="not supported"):
        key.decrypt()
    with pytest.raises(CouldNotEncryptKeyError, match="not supported"):
        key.encrypt(b"k" * 32)
    assert key.to_metadata() == entry  # a failed encrypt changes nothing


def test_opaque_entry_without_its_name_is_rejected() -> None:
    with pytest.raises(InvalidKeyEntryError, match="arn"):
        key_from_metadata("kms", {"enc": "x"})


@pytest.mark.parametrize(
    ("metadata_key", "entry"),
    [("nope", {}), ("age", ["not", "a", "mapping"])],
    ids=["unknown-type", "not-a-mapping"],
)
def test_bad_metadata_is_rejected(metadata_key: str, entry: Any) -> None:
    with pytest.raises(InvalidKeyEntryError):
        key_from_metadata(metadata_key, entry)


def test_keys_from_spec_builds_each_type_and_splits_commas() -> None:
    first = str(pyrage.x25519.Identity.generate().to_public())
    second = str(pyrage.x25519.Identity.generate().to_public())
    spec = KeySpec(
        age=(f"{first}, {second}", first),
        pgp=("AAAA BBBB",),
        hc_vault_transit_uri=("https://vault.example.com:8200/v1/transit/keys/k",),
        kms=("arn:aws:kms:eu-west-1:1:key/a+arn:aws:iam::1:role/r",),
        gcp_kms=("projects/p/locations/l/keyRings/r/cryptoKeys/k",),
        azure_kv=("https://v.vault.azure.net/keys/name/ver",),
    )
    keys = keys_from_spec(spec)
    assert [(k.metadata_key, k.identifier) for k in keys] == [
        ("age", first),
        ("age", second),
        ("pgp", "AAAABBBB"),
        ("hc_vault", "https://vault.example.com:8200/v1/transit/keys/k"),
        ("kms", "arn:aws:kms:eu-west-1:1:key/a"),
        ("gcp_kms", "projects/p/locations/l/keyRings/r/cryptoKeys/k"),
        ("azure_kv", "https://v.vault.azure.net/keys/name/ver"),
    ]
    kms_entry = keys[4].to_metadata()
    assert list(kms_entry) == ["arn", "role", "created_at", "enc", "aws_profile"]
    assert kms_entry["role"] == "arn:aws:iam::1:role/r"
    azure_entry = keys[6].to_metadata()
    assert (azure_entry["vault_url"], azure_entry["name"], azure_entry["version"]) == (
        "https://v.vault.azure.net",
        "name",
        "ver",
    )


@pytest.mark.parametrize(
    "spec",
    [
        KeySpec(age=("age1bad",)),
        KeySpec(hc_vault_transit_uri=("vault.example.com/v1/transit/keys/k",)),
        KeySpec(azure_kv=("http://v.vault.azure.net/secrets/x",)),
    ],
    ids=["age", "vault-no-scheme", "azure-not-a-key-url"],
)
def test_keys_from_spec_rejects_malformed_keys(spec: KeySpec) -> None:
    with pytest.raises(InvalidKeyEntryError):
        keys_from_spec(spec)


def test_spec_from_env_fills_only_missing_types(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOPS_AGE_RECIPIENTS", "age1fromenv")
    monkeypatch.setenv("SOPS_PGP_FP", "FROMENV")
    monkeypatch.setenv("SOPS_VAULT_URIS", "https://v:8200/v1/transit/keys/k")
    spec = spec_from_env(KeySpec(pgp=("FROMFLAG",)))
    assert spec.age == ("age1fromenv",)
    assert spec.pgp == ("FROMFLAG",)
    assert spec.hc_vault_transit_uri == ("https://v:8200/v1/transit/keys/k",)
    assert spec.kms == ()
    assert not spec.is_empty()
    assert KeySpec().is_empty()


def test_spec_from_env_without_variables_is_empty() -> None:
    assert spec_from_env().is_empty()
