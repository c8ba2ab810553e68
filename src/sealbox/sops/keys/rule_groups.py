"""Master keys from one ``key_groups`` item of a ``.sops.yaml`` creation rule.

Mirrors getsops/sops ``config/config.go`` (``keyGroup`` and ``getKeyGroupsFromCreationRule``):
an item lists ``age``, ``pgp`` and ``hc_vault`` keys as strings, ``kms`` as
``{arn, role, context, aws_profile}``, ``gcp_kms`` as ``{resource_id}``, ``azure_keyvault`` as
``{vaultUrl, key, version}``, ``hckms`` as ``{key_id}``, and ``merge`` as nested items whose keys
join this group. Keys are deduplicated within the group, first occurrence kept, as Go sops does.
The flat keys of a rule (``age: a,b``) go through ``KeySpec`` instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sealbox.sops.keys.age import AgeKey
from sealbox.sops.keys.azure_kv import AzureKvKey
from sealbox.sops.keys.base import InvalidKeyEntryError
from sealbox.sops.keys.gcp_kms import GcpKmsKey
from sealbox.sops.keys.hc_vault import HcVaultKey
from sealbox.sops.keys.hckms import HcKmsKey
from sealbox.sops.keys.kms import KmsKey
from sealbox.sops.keys.pgp import PgpKey

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sealbox.sops.keys.base import MasterKey


def _strings(value: Any, name: str) -> list[str]:
    """A list of strings, or one comma-separated string, as a list of stripped strings."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise InvalidKeyEntryError(f".sops.yaml key group: {name} must be a list of strings")
    return [item.strip() for item in items if item.strip()]


def _mappings(value: Any, name: str) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise InvalidKeyEntryError(f".sops.yaml key group: {name} must be a list of mappings")
    return value


def _field(item: Mapping[str, Any], field: str, name: str) -> str:
    value = item.get(field)
    if not isinstance(value, str) or not value:
        raise InvalidKeyEntryError(f".sops.yaml key group: {name} entry needs {field!r}")
    return value


def _cloud_keys(item: Mapping[str, Any]) -> list[MasterKey]:
    keys: list[MasterKey] = []
    for entry in _mappings(item.get("kms"), "kms"):
        context = entry.get("context")
        keys.append(
            KmsKey.from_arn(
                _field(entry, "arn", "kms") + (f"+{entry['role']}" if entry.get("role") else ""),
                aws_profile=str(entry.get("aws_profile") or ""),
                context=context if isinstance(context, dict) else None,
            )
        )
    for entry in _mappings(item.get("gcp_kms"), "gcp_kms"):
        keys.append(GcpKmsKey.from_resource_id(_field(entry, "resource_id", "gcp_kms")))
    for entry in _mappings(item.get("azure_keyvault"), "azure_keyvault"):
        keys.append(
            AzureKvKey.new(
                {
                    "vault_url": _field(entry, "vaultUrl", "azure_keyvault"),
                    "name": _field(entry, "key", "azure_keyvault"),
                    "version": str(entry.get("version") or ""),
                }
            )
        )
    for entry in _mappings(item.get("hckms"), "hckms"):
        keys.append(HcKmsKey.new({"key_id": _field(entry, "key_id", "hckms")}))
    return keys


def keys_from_rule_group(item: Mapping[str, Any]) -> list[MasterKey]:
    """New master keys for one ``key_groups`` item (with its ``merge`` items), deduplicated."""
    if not isinstance(item, dict):
        raise InvalidKeyEntryError(".sops.yaml key group must be a mapping")
    keys: list[MasterKey] = []
    keys += [AgeKey.from_recipient(r) for r in _strings(item.get("age"), "age")]
    keys += [PgpKey.from_fingerprint(fp) for fp in _strings(item.get("pgp"), "pgp")]
    keys += [HcVaultKey.from_uri(uri) for uri in _strings(item.get("hc_vault"), "hc_vault")]
    keys += _cloud_keys(item)
    for merged in _mappings(item.get("merge"), "merge"):
        keys += keys_from_rule_group(merged)
    unique: dict[tuple[str, str], MasterKey] = {}
    for key in keys:
        unique.setdefault((key.metadata_key, key.identifier), key)
    return list(unique.values())
