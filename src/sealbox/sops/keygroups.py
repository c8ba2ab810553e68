"""Key groups: how the data key is spread over master keys and gathered back.

Mirrors getsops/sops ``sops.go`` (``UpdateMasterKeysWithKeyServices`` and
``GetDataKeyWithKeyServices``). With one group every key wraps the whole data key and the
threshold is ignored. With N > 1 groups the data key is split with Shamir's scheme into N shares
(threshold ``shamir_threshold``, 0 meaning N) and every key of group i wraps share i; the shares
are 33 bytes (32 y-bytes then the x byte), the format of Go sops's ``shamir`` package, so files
interoperate in both directions. Decryption tries each group's keys (age and pgp first, or the
order in ``SOPS_DECRYPTION_ORDER``) and stops once enough groups yielded a share.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from sealbox.sops.keys.base import (
    CouldNotEncryptKeyError,
    CouldNotRetrieveKeyError,
    MasterKeyError,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sealbox.sops.keys.base import MasterKey

# compat: Go sops's default --decryption-order (cmd/sops/main.go).
DEFAULT_DECRYPTION_ORDER: tuple[str, ...] = ("age", "pgp")


def effective_threshold(group_count: int, threshold: int) -> int:
    """The number of groups needed: 1 for one group, else ``threshold`` (0 = all groups)."""
    if group_count <= 1:
        return 1
    return threshold or group_count


def encrypt_data_key(groups: list[list[MasterKey]], threshold: int, data_key: bytes) -> None:
    """Wrap ``data_key`` (or its Shamir shares) with every key of every group.

    Every key is tried; if any fails, CouldNotEncryptKeyError lists all failures.
    """
    if not groups or not any(groups):
        raise CouldNotEncryptKeyError("no master keys to encrypt the data key with")
    if len(groups) == 1:
        parts = [data_key]
    else:
        from sealbox import shamir

        needed = effective_threshold(len(groups), threshold)
        if not 2 <= needed <= len(groups):
            raise CouldNotEncryptKeyError(
                f"cannot split the data key into {len(groups)} key groups with shamir_threshold "
                f"{needed}: it must be between 2 and the number of groups"
            )
        parts = shamir.split(data_key, len(groups), needed)
    failures: list[str] = []
    for group, part in zip(groups, parts, strict=True):
        for key in group:
            try:
                key.encrypt(part)
            except MasterKeyError as err:
                failures.append(f"{key.identifier}: {err}")
    if failures:
        raise CouldNotEncryptKeyError(
            "Could not generate data key: " + "; ".join(failures),
        )


def decryption_order(order: Sequence[str] | None = None) -> tuple[str, ...]:
    """``order``, else ``SOPS_DECRYPTION_ORDER`` (comma separated), else age then pgp."""
    if order is not None:
        return tuple(order)
    env = os.environ.get("SOPS_DECRYPTION_ORDER", "")
    names = tuple(name.strip() for name in env.split(",") if name.strip())
    return names or DEFAULT_DECRYPTION_ORDER


def sort_keys(group: Sequence[MasterKey], order: Sequence[str]) -> list[MasterKey]:
    """Keys whose type is in ``order`` first (in that order), then the rest as stored."""
    rank = {name: index for index, name in enumerate(order)}
    return sorted(group, key=lambda key: rank.get(key.metadata_key, len(rank)))


def _failure_report(reports: list[tuple[int, bool, list[str]]], needed: int, got: int) -> str:
    lines = ["Failed to get the data key required to decrypt the SOPS file.", ""]
    for index, succeeded, key_lines in reports:
        lines.append(f"Group {index}: {'SUCCESS' if succeeded else 'FAILED'}")
        lines.extend(f"  {line}" for line in key_lines)
    lines.append("")
    if needed == 1:
        lines.append("Recovery failed because no master key was able to decrypt the file.")
    else:
        lines.append(
            f"Recovery failed because only {got} of the {needed} key groups needed "
            "(shamir_threshold) could be decrypted."
        )
    return "\n".join(lines)


def _decrypt_group(
    group: Sequence[MasterKey], key_order: Sequence[str]
) -> tuple[bytes | None, list[str]]:
    """The first share a key of ``group`` yields, and one report line per key tried."""
    key_lines: list[str] = []
    for key in sort_keys(group, key_order):
        try:
            share = key.decrypt()
        except MasterKeyError as err:
            key_lines.append(f"{key.identifier}: FAILED - {err}")
            continue
        key_lines.append(f"{key.identifier}: SUCCESS")
        return share, key_lines
    return None, key_lines


def decrypt_data_key(
    groups: list[list[MasterKey]],
    threshold: int,
    *,
    order: Sequence[str] | None = None,
) -> bytes:
    """Recover the data key; CouldNotRetrieveKeyError says which keys failed and why."""
    if not groups or not any(groups):
        raise CouldNotRetrieveKeyError("No keys found in the sops metadata")
    needed = effective_threshold(len(groups), threshold)
    key_order = decryption_order(order)
    shares: list[bytes] = []
    reports: list[tuple[int, bool, list[str]]] = []
    for index, group in enumerate(groups):
        if len(shares) >= needed:
            break
        share, key_lines = _decrypt_group(group, key_order)
        if share is not None:
            shares.append(share)
        reports.append((index, share is not None, key_lines))
    if len(shares) < needed:
        raise CouldNotRetrieveKeyError(_failure_report(reports, needed, len(shares)))
    if len(groups) == 1:
        return shares[0]
    from sealbox import shamir

    try:
        return shamir.combine(shares)
    except ValueError as err:
        raise CouldNotRetrieveKeyError(
            f"the key group shares could not be combined into the data key: {err}"
        ) from err
