"""``.sops.yaml``: finding it and picking the creation rule for a file.

Mirrors config/config.go and cmd/sops/main.go (3.11): the file is found by walking up from the
current working directory (not the file's directory), at most 100 levels, unless ``--config`` or
``SOPS_CONFIG`` names it; the first creation rule whose ``path_regex`` (unanchored search)
matches the file's path relative to the config's directory wins; a config with no matching rule
is an error even when keys were given as flags. ``key_groups`` replaces the flat key fields.
KMS ``role`` is kept as ``ARN+ROLE`` (the CLI form); KMS encryption contexts are not carried.
"""

# ruff: noqa: PTH100, PTH109, PTH113, PTH118, PTH120
# (os.path on purpose: importing pathlib costs start-up time)

from __future__ import annotations

import os
import re
from typing import Any

from sealbox.sops.errors import ConfigError, NoMatchingRuleError
from sealbox.sops.keys import KeySpec
from sealbox.sops.record import FrozenRecord
from sealbox.sops.rules import RULE_FIELDS, EncryptionRules

CONFIG_NAME = ".sops.yaml"
_MAX_DEPTH = 100
_FLAT_KEYS = {
    "age": "age",
    "pgp": "pgp",
    "hc_vault_transit_uri": "hc_vault_transit_uri",
    "kms": "kms",
    "gcp_kms": "gcp_kms",
    "azure_keyvault": "azure_kv",
}


class CreationRule(FrozenRecord):
    """What a matching rule asks for: one KeySpec per key group, and value-selection rules.

    Plain classes here rather than dataclasses: see ``sealbox.sops.record``.
    """

    _fields = ("key_groups", "shamir_threshold", "rules", "mac_only_encrypted")
    __slots__ = _fields
    key_groups: tuple[KeySpec, ...]
    shamir_threshold: int
    rules: EncryptionRules
    mac_only_encrypted: bool

    def __init__(
        self,
        key_groups: tuple[KeySpec, ...] = (),
        shamir_threshold: int = 0,
        rules: EncryptionRules | None = None,
        mac_only_encrypted: bool = False,
    ) -> None:
        self._set(
            key_groups=key_groups,
            shamir_threshold=shamir_threshold,
            rules=EncryptionRules() if rules is None else rules,
            mac_only_encrypted=mac_only_encrypted,
        )


class Config(FrozenRecord):
    _fields = ("path", "creation_rules", "stores")
    __slots__ = _fields
    path: str
    creation_rules: tuple[dict[str, Any], ...]
    stores: dict[str, Any]

    def __init__(
        self, path: str, creation_rules: tuple[dict[str, Any], ...], stores: dict[str, Any]
    ) -> None:
        self._set(path=path, creation_rules=creation_rules, stores=stores)

    def indent(self, store: str) -> int | None:
        section = self.stores.get("json_binary" if store == "binary" else store)
        value = section.get("indent") if isinstance(section, dict) else None
        return int(value) if isinstance(value, int | str) and str(value).isdigit() else None

    def rule_for(self, file_path: str) -> CreationRule:
        """The first rule matching ``file_path``; NoMatchingRuleError when none does."""
        absolute = os.path.abspath(file_path)
        prefix = os.path.dirname(os.path.abspath(self.path)) + os.sep
        relative = absolute.removeprefix(prefix)
        for raw in self.creation_rules:
            pattern = raw.get("path_regex") or ""
            try:
                matched = not pattern or re.search(str(pattern), relative) is not None
            except re.error as err:
                raise ConfigError(f"invalid path_regex in {self.path}: {err}") from err
            if matched:
                return _rule(raw)
        raise NoMatchingRuleError("error loading config: no matching creation rules found")


def find_config(explicit: str | None = None) -> Config | None:
    """The config named by ``explicit``/``SOPS_CONFIG``, or the nearest ``.sops.yaml``."""
    named = explicit or os.environ.get("SOPS_CONFIG")
    if named:
        return load_config(named)
    directory = os.getcwd()
    for _ in range(_MAX_DEPTH):
        candidate = os.path.join(directory, CONFIG_NAME)
        if os.path.isfile(candidate):
            return load_config(candidate)
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    return None


def load_config(path: str) -> Config:
    from sealbox.sops.errors import SopsError
    from sealbox.sops.formats.yaml_load import load_documents
    from sealbox.sops.tree import to_plain

    try:
        with open(path, encoding="utf-8") as handle:
            documents = load_documents(handle.read())
    except (OSError, UnicodeDecodeError, SopsError) as err:
        raise ConfigError(f"error loading config file {path}: {err}") from err
    raw = to_plain(documents[0]) if documents else {}
    if not isinstance(raw, dict):
        raise ConfigError(f"error loading config file {path}: not a mapping")
    rules = raw.get("creation_rules") or []
    if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
        raise ConfigError(f"error loading config file {path}: creation_rules must be a list")
    stores = raw.get("stores") if isinstance(raw.get("stores"), dict) else {}
    return Config(path, tuple(rules), stores or {})


def _rule(raw: dict[str, Any]) -> CreationRule:
    groups_raw = raw.get("key_groups")
    if groups_raw:
        groups = tuple(_group_spec(g) for g in groups_raw if isinstance(g, dict))
    else:
        flat = KeySpec(**{field: _strings(raw.get(key)) for key, field in _FLAT_KEYS.items()})
        groups = () if flat.is_empty() else (flat,)
    rules = EncryptionRules(**{name: str(raw.get(name) or "") for name in RULE_FIELDS})
    return CreationRule(
        key_groups=groups,
        shamir_threshold=_threshold(raw.get("shamir_threshold")),
        rules=rules,
        mac_only_encrypted=bool(raw.get("mac_only_encrypted")),
    )


def _threshold(value: object) -> int:
    try:
        return int(str(value or 0))
    except ValueError as err:
        raise ConfigError("invalid shamir_threshold in .sops.yaml") from err


def _strings(value: object) -> tuple[str, ...]:
    """A comma-separated string or a list, as rule fields accept."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    return tuple(part.strip() for item in items for part in str(item).split(",") if part.strip())


def _group_spec(group: dict[str, Any]) -> KeySpec:
    kms = []
    for entry in group.get("kms") or []:
        if isinstance(entry, dict):
            arn = str(entry.get("arn", ""))
            kms.append(f"{arn}+{entry['role']}" if entry.get("role") else arn)
        else:
            kms.append(str(entry))
    gcp = [
        str(e.get("resource_id", "")) if isinstance(e, dict) else str(e)
        for e in group.get("gcp_kms") or []
    ]
    azure = [
        f"{e.get('vaultUrl', '')}/keys/{e.get('key', '')}/{e.get('version', '')}"
        if isinstance(e, dict)
        else str(e)
        for e in group.get("azure_keyvault") or []
    ]
    return KeySpec(
        age=_strings(group.get("age")),
        pgp=_strings(group.get("pgp")),
        hc_vault_transit_uri=_strings(group.get("hc_vault")),
        kms=tuple(kms),
        gcp_kms=tuple(gcp),
        azure_kv=tuple(azure),
    )
