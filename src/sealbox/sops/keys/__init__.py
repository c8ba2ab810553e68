"""SOPS master-key sources: one module per key type, registered by its metadata name.

``KEY_TYPES`` maps the name used in a file's ``sops`` section (``age``, ``pgp``, ``hc_vault``,
``kms``, ``gcp_kms``, ``azure_kv``, ``hckms``) to the class that reads and writes those entries,
as getsops/sops ``stores/stores.go`` does per key type. Adding a key source is one module plus
one line here. Heavy dependencies (pyrage, httpx, gpg) are imported only when a key is used, so
the CLI starts fast.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sealbox.sops.keys.age import AgeKey
from sealbox.sops.keys.azure_kv import AzureKvKey
from sealbox.sops.keys.base import (
    CouldNotDecryptKeyError,
    CouldNotEncryptKeyError,
    CouldNotRetrieveKeyError,
    InvalidKeyEntryError,
    MasterKey,
    MasterKeyError,
)
from sealbox.sops.keys.gcp_kms import GcpKmsKey
from sealbox.sops.keys.hc_vault import HcVaultKey
from sealbox.sops.keys.hckms import HcKmsKey
from sealbox.sops.keys.kms import KmsKey
from sealbox.sops.keys.pgp import PgpKey
from sealbox.sops.keys.rule_groups import keys_from_rule_group

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "KEY_TYPES",
    "CouldNotDecryptKeyError",
    "CouldNotEncryptKeyError",
    "CouldNotRetrieveKeyError",
    "InvalidKeyEntryError",
    "KeySpec",
    "MasterKey",
    "MasterKeyError",
    "key_from_metadata",
    "keys_from_rule_group",
    "keys_from_spec",
    "spec_from_env",
]

KEY_TYPES: dict[str, type[MasterKey]] = {
    cls.metadata_key: cls
    for cls in (AgeKey, PgpKey, HcVaultKey, KmsKey, GcpKmsKey, AzureKvKey, HcKmsKey)
}


@dataclass(frozen=True)
class KeySpec:
    """Keys named by the user (flags, env or a ``.sops.yaml`` rule), not yet encrypted.

    Each item may itself be a comma-separated list, as Go sops's flags and rules accept.
    """

    age: tuple[str, ...] = ()
    pgp: tuple[str, ...] = ()
    hc_vault_transit_uri: tuple[str, ...] = ()
    kms: tuple[str, ...] = ()
    gcp_kms: tuple[str, ...] = ()
    azure_kv: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        """True when no key of any type is named."""
        return not any(
            (self.age, self.pgp, self.hc_vault_transit_uri, self.kms, self.gcp_kms, self.azure_kv)
        )


# compat: the environment variables Go sops binds to its key flags (cmd/sops/main.go).
_ENV_VARS = {
    "age": "SOPS_AGE_RECIPIENTS",
    "pgp": "SOPS_PGP_FP",
    "hc_vault_transit_uri": "SOPS_VAULT_URIS",
    "kms": "SOPS_KMS_ARN",
    "gcp_kms": "SOPS_GCP_KMS_IDS",
    "azure_kv": "SOPS_AZURE_KEYVAULT_URLS",
}


def spec_from_env(flags: KeySpec | None = None) -> KeySpec:
    """``flags`` with each empty key type filled from its environment variable, like Go sops."""
    given = flags or KeySpec()
    values: dict[str, tuple[str, ...]] = {}
    for name, variable in _ENV_VARS.items():
        current: tuple[str, ...] = getattr(given, name)
        env_value = os.environ.get(variable, "")
        values[name] = current or ((env_value,) if env_value.strip() else ())
    return KeySpec(**values)


def _split(items: Iterable[str]) -> list[str]:
    """Flatten comma-separated items, dropping blanks and duplicates (first one wins)."""
    seen: dict[str, None] = {}
    for item in items:
        for part in item.split(","):
            if part.strip():
                seen.setdefault(part.strip(), None)
    return list(seen)


def keys_from_spec(spec: KeySpec) -> list[MasterKey]:
    """New master keys for every key named in ``spec``; InvalidKeyEntryError if one is malformed."""
    keys: list[MasterKey] = []
    keys += [AgeKey.from_recipient(r) for r in _split(spec.age)]
    keys += [PgpKey.from_fingerprint(fp) for fp in _split(spec.pgp)]
    keys += [HcVaultKey.from_uri(uri) for uri in _split(spec.hc_vault_transit_uri)]
    keys += [KmsKey.from_arn(arn) for arn in _split(spec.kms)]
    keys += [GcpKmsKey.from_resource_id(rid) for rid in _split(spec.gcp_kms)]
    keys += [AzureKvKey.from_url(url) for url in _split(spec.azure_kv)]
    return keys


def key_from_metadata(metadata_key: str, entry: dict[str, Any]) -> MasterKey:
    """Load one entry of the ``sops`` section list named ``metadata_key``."""
    cls = KEY_TYPES.get(metadata_key)
    if cls is None:
        raise InvalidKeyEntryError(f"unknown key type {metadata_key!r} in sops metadata")
    if not isinstance(entry, dict):
        raise InvalidKeyEntryError(f"{metadata_key} key entry is not a mapping")
    return cls.from_metadata(entry)
