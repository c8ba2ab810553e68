"""SOPS master-key sources: one module per key type, registered by its metadata name.

``KEY_TYPES`` maps the name used in a file's ``sops`` section (``age``, ``pgp``, ``hc_vault``,
``kms``, ``gcp_kms``, ``azure_kv``, ``hckms``) to the class that reads and writes those entries,
as getsops/sops ``stores/stores.go`` does per key type. Heavy dependencies (pyrage, httpx, gpg)
are imported only when a key is used, so the CLI starts fast.

What a new key type takes:

- to decrypt, re-encrypt and keep files that already hold its entries: one module with its
  ``MasterKey`` class and one line in ``_KEY_CLASSES`` below (entries of types with no module are
  kept verbatim anyway, by ``metadata.UnknownKey``); its place among the types of a key group
  is Go's order in ``metadata._TYPE_ORDER``, else after the known ones;
- to name new keys of that type, also: a ``KeySpec`` field with its ``_ENV_VARS`` and
  ``_SPEC_CONSTRUCTORS`` lines here, the flags in ``options`` (``--TYPE``, ``--add-TYPE``,
  ``--rm-TYPE``), their use in ``context.flag_spec`` and ``rekey._spec``, the ``.sops.yaml`` keys
  in ``config`` (flat rule keys) and ``keys.rule_groups`` (``key_groups`` items).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from sealbox.sops.keys.base import (
    CouldNotDecryptKeyError,
    CouldNotEncryptKeyError,
    CouldNotRetrieveKeyError,
    InvalidKeyEntryError,
    MasterKey,
    MasterKeyError,
)
from sealbox.sops.record import FrozenRecord

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

# metadata name -> (module, class): a key module is imported when its type is first used, so a
# file with only age keys never loads the PGP or Vault code (start-up time is benchmarked).
_KEY_CLASSES = {
    "age": ("sealbox.sops.keys.age", "AgeKey"),
    "pgp": ("sealbox.sops.keys.pgp", "PgpKey"),
    "hc_vault": ("sealbox.sops.keys.hc_vault", "HcVaultKey"),
    "kms": ("sealbox.sops.keys.kms", "KmsKey"),
    "gcp_kms": ("sealbox.sops.keys.gcp_kms", "GcpKmsKey"),
    "azure_kv": ("sealbox.sops.keys.azure_kv", "AzureKvKey"),
    "hckms": ("sealbox.sops.keys.hckms", "HcKmsKey"),
}


class _KeyRegistry(Mapping[str, "type[MasterKey]"]):
    """``KEY_TYPES``: a mapping whose classes are imported on first lookup."""

    def __getitem__(self, name: str) -> type[MasterKey]:
        module_name, class_name = _KEY_CLASSES[name]
        cls: type[MasterKey] = getattr(importlib.import_module(module_name), class_name)
        return cls

    def __iter__(self) -> Iterator[str]:
        return iter(_KEY_CLASSES)

    def __len__(self) -> int:
        return len(_KEY_CLASSES)


KEY_TYPES: Mapping[str, type[MasterKey]] = _KeyRegistry()


def keys_from_rule_group(item: Mapping[str, Any]) -> list[MasterKey]:
    """The keys of one ``.sops.yaml`` key_groups item (see ``rule_groups``)."""
    from sealbox.sops.keys.rule_groups import keys_from_rule_group as build

    return build(item)


class KeySpec(FrozenRecord):
    """Keys named by the user (flags, env or a ``.sops.yaml`` rule), not yet encrypted.

    Each item may itself be a comma-separated list, as Go sops's flags and rules accept.
    A plain class rather than a dataclass: see ``sealbox.sops.record``.
    """

    _fields = ("age", "pgp", "hc_vault_transit_uri", "kms", "gcp_kms", "azure_kv")
    __slots__ = _fields
    age: tuple[str, ...]
    pgp: tuple[str, ...]
    hc_vault_transit_uri: tuple[str, ...]
    kms: tuple[str, ...]
    gcp_kms: tuple[str, ...]
    azure_kv: tuple[str, ...]

    def __init__(
        self,
        age: tuple[str, ...] = (),
        pgp: tuple[str, ...] = (),
        hc_vault_transit_uri: tuple[str, ...] = (),
        kms: tuple[str, ...] = (),
        gcp_kms: tuple[str, ...] = (),
        azure_kv: tuple[str, ...] = (),
    ) -> None:
        self._set(
            age=age,
            pgp=pgp,
            hc_vault_transit_uri=hc_vault_transit_uri,
            kms=kms,
            gcp_kms=gcp_kms,
            azure_kv=azure_kv,
        )

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
    for field_name, metadata_key, constructor in _SPEC_CONSTRUCTORS:
        items = _split(getattr(spec, field_name))
        if items:
            make = getattr(KEY_TYPES[metadata_key], constructor)
            keys += [make(item) for item in items]
    return keys


# KeySpec field -> (key type, the classmethod that builds a new key from one flag value)
_SPEC_CONSTRUCTORS = (
    ("age", "age", "from_recipient"),
    ("pgp", "pgp", "from_fingerprint"),
    ("hc_vault_transit_uri", "hc_vault", "from_uri"),
    ("kms", "kms", "from_arn"),
    ("gcp_kms", "gcp_kms", "from_resource_id"),
    ("azure_kv", "azure_kv", "from_url"),
)


def key_from_metadata(metadata_key: str, entry: dict[str, Any]) -> MasterKey:
    """Load one entry of the ``sops`` section list named ``metadata_key``."""
    if metadata_key not in KEY_TYPES:
        raise InvalidKeyEntryError(f"unknown key type {metadata_key!r} in sops metadata")
    cls = KEY_TYPES[metadata_key]
    if not isinstance(entry, dict):
        raise InvalidKeyEntryError(f"{metadata_key} key entry is not a mapping")
    return cls.from_metadata(entry)
