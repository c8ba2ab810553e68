"""What a command needs to know before it touches a file: formats, stores, keys, rules.

Mirrors cmd/sops/main.go's option handling: the input format comes from ``--input-type`` or the
file extension, the output format from ``--output-type`` or the input format; keys given as
flags (or their ``SOPS_*`` environment variables) replace the creation rule's keys as one group;
value-selection flags override the rule's; a ``.sops.yaml`` without a matching rule is an error
(exit 1) even when keys are given, exactly as Go sops 3.11 behaves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sealbox.sops.errors import NoKeysError, SopsError
from sealbox.sops.formats import format_for_path, get_store
from sealbox.sops.record import Record
from sealbox.sops.rules import RULE_FIELDS, EncryptionRules

if TYPE_CHECKING:
    from sealbox.sops.config import Config
    from sealbox.sops.formats import Store
    from sealbox.sops.keys import KeySpec
    from sealbox.sops.keys.base import MasterKey
    from sealbox.sops.options import Options


class Formats(Record):
    """Input and output format names and their stores (a plain class: see ``record``)."""

    _fields = ("input", "output", "input_store", "output_store")
    __slots__ = _fields

    def __init__(self, input: str, output: str, input_store: Store, output_store: Store) -> None:
        self.input = input
        self.output = output
        self.input_store = input_store
        self.output_store = output_store


def file_name(ns: Options, path: str | None) -> str:
    """The name rules and formats are matched against (``--filename-override`` wins)."""
    return str(ns.filename_override or path or "")


def formats(ns: Options, path: str | None, config: Config | None) -> Formats:
    name = file_name(ns, path)
    input_format = ns.input_type or (format_for_path(name) if name else "binary")
    output_format = ns.output_type or input_format
    try:
        return Formats(
            input_format,
            output_format,
            get_store(input_format, _indent(ns, config, input_format)),
            get_store(output_format, _indent(ns, config, output_format)),
        )
    except ValueError as err:
        raise SopsError(str(err)) from err


def _indent(ns: Options, config: Config | None, store: str) -> int | None:
    if ns.indent is not None:
        return int(ns.indent)
    return config.indent(store) if config is not None else None


def load_config(ns: Options) -> Config | None:
    from sealbox.sops.config import find_config

    return find_config(ns.config)


def flag_spec(ns: Options) -> KeySpec:
    """Keys named by flags, completed from the ``SOPS_*`` environment variables."""
    from sealbox.sops.keys import KeySpec, spec_from_env

    def joined(values: list[str] | None) -> tuple[str, ...]:
        return tuple(values or ())

    return spec_from_env(
        KeySpec(
            age=joined(ns.age),
            pgp=joined(ns.pgp),
            hc_vault_transit_uri=joined(ns.hc_vault_transit),
            kms=joined(ns.kms),
            gcp_kms=joined(ns.gcp_kms),
            azure_kv=joined(ns.azure_kv),
        )
    )


class NewFileSettings(Record):
    """Keys and rules for a file being encrypted for the first time (a plain class: see
    ``record``)."""

    _fields = ("key_groups", "shamir_threshold", "rules", "mac_only_encrypted")
    __slots__ = _fields

    def __init__(
        self,
        key_groups: list[list[MasterKey]],
        shamir_threshold: int,
        rules: EncryptionRules,
        mac_only_encrypted: bool,
    ) -> None:
        self.key_groups = key_groups
        self.shamir_threshold = shamir_threshold
        self.rules = rules
        self.mac_only_encrypted = mac_only_encrypted


def new_file_settings(ns: Options, config: Config | None, name: str) -> NewFileSettings:
    """Resolve keys and rules from flags, environment and the matching creation rule."""
    from sealbox.sops.config import CreationRule
    from sealbox.sops.keys import InvalidKeyEntryError, keys_from_spec

    rule = config.rule_for(name) if config is not None else CreationRule()
    spec = flag_spec(ns)
    try:
        if not spec.is_empty():
            groups = [keys_from_spec(spec)]
        else:
            groups = [keys_from_spec(group) for group in rule.key_groups]
    except InvalidKeyEntryError as err:
        raise SopsError(str(err)) from err
    groups = [group for group in groups if group]
    if not groups:
        raise NoKeysError(
            "config file not found, or has no creation rules, and no keys provided through "
            "command line options"
        )
    flags = {name: getattr(ns, name) or "" for name in RULE_FIELDS}
    rules = EncryptionRules(**flags) if any(flags.values()) else rule.rules
    threshold = ns.shamir_secret_sharing_threshold or rule.shamir_threshold
    return NewFileSettings(
        groups, int(threshold), rules, bool(ns.mac_only_encrypted or rule.mac_only_encrypted)
    )
