"""The rotate and updatekeys commands: changing which master keys protect a file.

Mirrors cmd/sops/rotate.go and updatekeys.go. ``rotate`` makes a new data key and re-encrypts
every value (reusing IVs, which is safe because the key is new), ``--add-*`` keys join the first
key group and ``--rm-*`` keys leave every group (matched by type and identifier). ``updatekeys``
makes the key groups equal to the matching ``.sops.yaml`` rule but keeps the data key, so values,
``lastmodified`` and the MAC are untouched; it shows the change and asks unless ``-y``.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from sealbox.sops import context
from sealbox.sops.commands import encrypted_bytes, open_file, single_file
from sealbox.sops.errors import (
    ConfigError,
    ConflictingParametersError,
    KeyChangeOnMissingFileError,
    SopsError,
)
from sealbox.sops.fileio import read_input, write_atomic, write_output
from sealbox.sops.ops import load_encrypted, new_data_key, seal

if TYPE_CHECKING:
    from sealbox.sops.keys import KeySpec
    from sealbox.sops.keys.base import MasterKey
    from sealbox.sops.options import Options


_KINDS = ("age", "pgp", "hc_vault_transit", "kms", "gcp_kms", "azure_kv")


def _spec(ns: Options, verb: str) -> KeySpec:
    from sealbox.sops.keys import KeySpec

    def values(name: str) -> tuple[str, ...]:
        return tuple(ns.keys(verb, name))

    return KeySpec(
        age=values("age"),
        pgp=values("pgp"),
        hc_vault_transit_uri=values("hc_vault_transit"),
        kms=values("kms"),
        gcp_kms=values("gcp_kms"),
        azure_kv=values("azure_kv"),
    )


def _ids(keys: list[MasterKey]) -> set[tuple[str, str]]:
    return {(key.metadata_key, key.identifier) for key in keys}


def rotate(ns: Options) -> int:
    from sealbox.sops.keygroups import encrypt_data_key
    from sealbox.sops.keys import keys_from_spec

    path = single_file(ns)
    if ns.in_place and ns.output:
        raise ConflictingParametersError("Error: cannot operate on both --output and --in-place")
    destination = path if ns.in_place else ns.output
    adding_or_removing = any(ns.keys(verb, kind) for verb in ("add", "rm") for kind in _KINDS)
    if adding_or_removing and path is not None and not os.path.exists(path):  # noqa: PTH110
        raise KeyChangeOnMissingFileError(
            "You cannot add or remove keys on a file that does not exist"
        )
    opened, fmt = open_file(ns, path)
    groups = [list(group) for group in opened.metadata.key_groups]
    added = keys_from_spec(_spec(ns, "add"))
    removed = _ids(keys_from_spec(_spec(ns, "rm")))
    groups[0].extend(k for k in added if (k.metadata_key, k.identifier) not in _ids(groups[0]))
    groups = [[k for k in g if (k.metadata_key, k.identifier) not in removed] for g in groups]
    groups = [group for group in groups if group]
    if not groups:
        raise SopsError("Error: rotating would leave the file without any key")
    data_key = new_data_key()
    threshold = opened.metadata.shamir_threshold if len(groups) > 1 else 0
    encrypt_data_key(groups, threshold, data_key)
    opened.metadata.key_groups = groups
    opened.metadata.shamir_threshold = threshold
    serialized = seal(
        opened.documents,
        opened.metadata,
        data_key,
        binary=fmt.input == "binary",
        stash=opened.stash,
    )
    write_output(encrypted_bytes(fmt, opened.documents, serialized), destination)
    return 0


def updatekeys(ns: Options) -> int:
    if not ns.files:
        raise SopsError("Error: no file specified")
    for path in ns.files:
        _update_one(ns, str(path))
    return 0


def _update_one(ns: Options, path: str) -> None:
    from sealbox.sops.keygroups import decrypt_data_key, encrypt_data_key
    from sealbox.sops.keys import keys_from_spec

    config = context.load_config(ns)
    if config is None:
        raise ConfigError("config file not found, or has no creation rules")
    rule = config.rule_for(context.file_name(ns, path))
    fmt = context.formats(ns, path, config)
    documents, metadata = load_encrypted(fmt.input_store, read_input(path))
    new_groups = [keys_from_spec(spec) for spec in rule.key_groups]
    new_groups = [group for group in new_groups if group]
    if not new_groups:
        raise SopsError("Error: the matching creation rule has no keys")
    old_ids = [sorted(_ids(group)) for group in metadata.key_groups]
    new_ids = [sorted(_ids(group)) for group in new_groups]
    if old_ids == new_ids:
        print(f"File {path} already up to date", file=sys.stderr)  # noqa: T201
        return
    _show_changes(path, old_ids, new_ids)
    if not ns.yes and not _confirm():
        print("File not updated", file=sys.stderr)  # noqa: T201
        return
    data_key = decrypt_data_key(metadata.key_groups, metadata.shamir_threshold)
    wanted = ns.shamir_secret_sharing_threshold or rule.shamir_threshold
    threshold = min(wanted or metadata.shamir_threshold, len(new_groups))
    threshold = threshold if len(new_groups) > 1 else 0
    encrypt_data_key(new_groups, threshold, data_key)
    metadata.key_groups = new_groups
    metadata.shamir_threshold = threshold
    write_atomic(path, fmt.output_store.emit_encrypted(documents, metadata.to_dict()))
    print(f"File {path} synced with new keys", file=sys.stderr)  # noqa: T201


def _show_changes(
    path: str, old: list[list[tuple[str, str]]], new: list[list[tuple[str, str]]]
) -> None:
    print(f"The following changes will be made to the file's groups ({path}):", file=sys.stderr)  # noqa: T201
    for index in range(max(len(old), len(new))):
        before = set(old[index]) if index < len(old) else set()
        after = set(new[index]) if index < len(new) else set()
        print(f"Group {index + 1}", file=sys.stderr)  # noqa: T201
        for kind, ident in sorted(before | after):
            mark = (
                "+++"
                if (kind, ident) not in before
                else "---"
                if (kind, ident) not in after
                else "   "
            )
            print(f"    {mark} {ident}", file=sys.stderr)  # noqa: T201


def _confirm() -> bool:
    print("Is this okay? (y/n):", end="", file=sys.stderr, flush=True)  # noqa: T201
    answer = sys.stdin.readline().strip().lower()
    return answer in ("y", "yes")
