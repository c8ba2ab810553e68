"""The key read body (``GET keys/:name``), shared by create, config, rotate and trim.

Mirrors openbao transit path_keys.go ``formatKeyPolicy``: symmetric and HMAC keys list each
live version's creation time (unix seconds); asymmetric keys list the public key, its name
and an RFC 3339 creation time; derived Ed25519 keys show the public key for a given context.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sealbox.engines.transit import asymmetric, gojson
from sealbox.engines.transit.common import b64encode
from sealbox.engines.transit.export import rsa_public_pem
from sealbox.engines.transit.keytypes import KeyType
from sealbox.engines.transit.policy import KDF_HKDF_SHA256, KeyEntry, Policy


def live_versions(policy: Policy) -> list[int]:
    """Versions Vault keeps in the policy (the rest are archived): min_decryption..latest."""
    low = max(policy.min_decryption_version, policy.min_available_version, 1)
    return [v for v in range(low, policy.latest_version + 1) if v in policy.keys]


def _asymmetric(policy: Policy, version: int, entry: KeyEntry, context: bytes) -> dict[str, Any]:
    kind = policy.type
    public = entry.public_key
    if kind.ecdsa:
        name = kind.curve_name
    elif kind is KeyType.ED25519:
        name = "ed25519"
        if policy.derived:
            public = ""
            if context:
                signer = asymmetric.ed25519_signer(policy, entry, version, context)
                public = b64encode(signer.public_key().public_bytes_raw())
    else:
        name = kind.wire_name
        public = rsa_public_pem(entry)
    return {
        "name": name,
        "public_key": public,
        "certificate_chain": "",
        "creation_time": _creation_time(entry),
    }


def _creation_time(entry: KeyEntry) -> str:
    # compat: a zero time falls back to the unix creation_time (formatKeyPolicy)
    if entry.created is None:
        return gojson.format_time(datetime.fromtimestamp(entry.creation_time, UTC))
    return entry.time


def describe(policy: Policy, context: bytes = b"") -> dict[str, Any]:
    """The ``data`` of a key read."""
    kind = policy.type
    data: dict[str, Any] = {
        "name": policy.name,
        "type": kind.wire_name,
        "derived": policy.derived,
        "deletion_allowed": policy.deletion_allowed,
        "min_available_version": policy.min_available_version,
        "min_decryption_version": policy.min_decryption_version,
        "min_encryption_version": policy.min_encryption_version,
        "latest_version": policy.latest_version,
        "exportable": policy.exportable,
        "allow_plaintext_backup": policy.allow_plaintext_backup,
        "supports_encryption": kind.supports_encryption,
        "supports_decryption": kind.supports_decryption,
        "supports_signing": kind.supports_signing,
        "supports_derivation": kind.supports_derivation,
        "auto_rotate_period": policy.auto_rotate_period,
        "imported_key": policy.imported,
        "soft_deleted": policy.soft_deleted,
    }
    if policy.key_size:
        data["key_size"] = policy.key_size
    if policy.backup_info is not None:
        data["backup_info"] = policy.backup_info.to_json()
    if policy.restore_info is not None:
        data["restore_info"] = policy.restore_info.to_json()
    if policy.derived:
        if policy.kdf == KDF_HKDF_SHA256:
            data["kdf"] = "hkdf_sha256"
        else:
            data["kdf"] = data["kdf_mode"] = "hmac-sha256-counter"
        data["convergent_encryption"] = policy.convergent_encryption
        if policy.convergent_encryption:
            data["convergent_encryption_version"] = policy.convergent_version
    versions = live_versions(policy)
    if kind.symmetric:
        data["keys"] = {str(v): policy.keys[v].creation_time for v in versions}
    elif kind.supports_signing:  # compat: HMAC keys have no "keys" member in OpenBao
        data["keys"] = {str(v): _asymmetric(policy, v, policy.keys[v], context) for v in versions}
    return data
