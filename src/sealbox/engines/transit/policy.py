"""The transit key policy: a named key ring of versions and its settings.

Mirrors openbao sdk/helper/keysutil/policy.go (``Policy`` and ``KeyEntry``). The record is
kept in Vault's JSON layout (see ``gojson``) so that ``backup`` output restores into OpenBao
and OpenBao's backups restore here. One difference from Vault's storage: Vault moves versions
below ``min_decryption_version`` into a separate ``archive/<name>`` record; sealbox keeps
every version from ``min_available_version`` up in the one policy record and builds Vault's
``archived_keys`` list only when writing a backup (``backup.py``).

Policies are immutable once loaded: a change builds a new Policy (``dataclasses.replace``),
so a request that already holds one keeps a consistent key ring while a rotation is stored.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sealbox.engines.transit import gojson
from sealbox.engines.transit.keytypes import KeyType

KDF_HMAC_SHA256_COUNTER = 0
KDF_HKDF_SHA256 = 1
# compat: keysutil's currentConvergentVersion (lock_manager.go); older schemes are refused.
CURRENT_CONVERGENT_VERSION = 3
DEFAULT_VERSION_TEMPLATE = "vault:v{{version}}:"


@dataclass(frozen=True, slots=True)
class RSAKeyData:
    """Go's ``rsa.PrivateKey`` fields (public part only when ``d`` is None)."""

    n: int
    e: int
    d: int | None = field(default=None, repr=False)
    primes: tuple[int, ...] = field(default=(), repr=False)
    dp: int | None = field(default=None, repr=False)
    dq: int | None = field(default=None, repr=False)
    qinv: int | None = field(default=None, repr=False)

    def private_json(self) -> dict[str, Any]:
        return {
            "N": self.n,
            "E": self.e,
            "D": self.d,
            "Primes": list(self.primes),
            "Precomputed": {"Dp": self.dp, "Dq": self.dq, "Qinv": self.qinv, "CRTValues": []},
        }

    @classmethod
    def from_private_json(cls, raw: Any) -> RSAKeyData:
        if not isinstance(raw, dict):
            raise ValueError("invalid rsa_key")
        pre = raw.get("Precomputed") or {}
        primes = raw.get("Primes") or []
        if not isinstance(pre, dict) or not isinstance(primes, list):
            raise ValueError("invalid rsa_key")
        return cls(
            n=gojson.as_int(raw.get("N")),
            e=gojson.as_int(raw.get("E")),
            d=gojson.as_big(raw.get("D")),
            primes=tuple(gojson.as_int(p) for p in primes),
            dp=gojson.as_big(pre.get("Dp")),
            dq=gojson.as_big(pre.get("Dq")),
            qinv=gojson.as_big(pre.get("Qinv")),
        )


@dataclass(frozen=True, slots=True)
class KeyEntry:
    """One version of a key ring (keysutil.KeyEntry)."""

    key: bytes | None = field(default=None, repr=False)
    hmac_key: bytes | None = field(default=None, repr=False)
    # Go's RFC 3339 text, kept verbatim so a restored key reads back to the nanosecond.
    time: str = gojson.GO_ZERO_TIME
    ec_x: int | None = None
    ec_y: int | None = None
    ec_d: int | None = field(default=None, repr=False)
    rsa_key: RSAKeyData | None = field(default=None, repr=False)
    rsa_public_key: RSAKeyData | None = None
    public_key: str = ""
    convergent_version: int = 0
    creation_time: int = 0
    certificate_chain: list[str] | None = None

    @property
    def created(self) -> datetime | None:
        """The creation time (None for Go's zero time)."""
        return gojson.parse_time(self.time)

    @property
    def private_key_missing(self) -> bool:
        return self.rsa_key is None and self.ec_d is None and not self.key

    def to_json(self) -> dict[str, Any]:
        return {
            "key": gojson.b64(self.key),
            "hmac_key": gojson.b64(self.hmac_key),
            "time": self.time,
            "ec_x": self.ec_x,
            "ec_y": self.ec_y,
            "ec_d": self.ec_d,
            "rsa_key": None if self.rsa_key is None else self.rsa_key.private_json(),
            "rsa_public_key": None
            if self.rsa_public_key is None
            else {"N": self.rsa_public_key.n, "E": self.rsa_public_key.e},
            "public_key": self.public_key,
            "convergent_version": self.convergent_version,
            "creation_time": self.creation_time,
            "certificate_chain": self.certificate_chain,
            "external_key_ref": "",
        }

    @classmethod
    def from_json(cls, raw: Any) -> KeyEntry:
        if not isinstance(raw, dict):
            raise ValueError("invalid key entry")
        rsa_public = raw.get("rsa_public_key")
        if rsa_public is not None and not isinstance(rsa_public, dict):
            raise ValueError("invalid rsa_public_key")
        chain = raw.get("certificate_chain")
        return cls(
            key=gojson.unb64(raw.get("key")),
            hmac_key=gojson.unb64(raw.get("hmac_key")),
            time=_time_text(raw.get("time")),
            ec_x=gojson.as_big(raw.get("ec_x")),
            ec_y=gojson.as_big(raw.get("ec_y")),
            ec_d=gojson.as_big(raw.get("ec_d")),
            rsa_key=None
            if raw.get("rsa_key") is None
            else RSAKeyData.from_private_json(raw["rsa_key"]),
            rsa_public_key=None
            if rsa_public is None
            else RSAKeyData(gojson.as_int(rsa_public.get("N")), gojson.as_int(rsa_public.get("E"))),
            public_key=str(raw.get("public_key") or ""),
            convergent_version=gojson.as_int(raw.get("convergent_version")),
            creation_time=gojson.as_int(raw.get("creation_time")),
            certificate_chain=chain if isinstance(chain, list) else None,
        )


def _time_text(value: Any) -> str:
    """A Go time string, validated; absent means Go's zero time."""
    if value is None:
        return gojson.GO_ZERO_TIME
    gojson.parse_time(value)
    return str(value)


@dataclass(frozen=True, slots=True)
class Stamp:
    """When a backup was taken or restored, and at which latest version."""

    time: str
    version: int

    def to_json(self) -> dict[str, Any]:
        return {"time": self.time, "version": self.version}

    @classmethod
    def from_json(cls, raw: Any) -> Stamp | None:
        if raw is None:
            return None
        if not isinstance(raw, dict):
            raise ValueError("invalid backup/restore info")
        return cls(_time_text(raw.get("time")), gojson.as_int(raw.get("version")))

    @classmethod
    def at(cls, moment: datetime, version: int) -> Stamp:
        return cls(gojson.format_time(moment), version)


@dataclass(frozen=True, slots=True)
class Policy:
    """A named transit key and all its versions (keysutil.Policy)."""

    name: str
    type: KeyType
    keys: dict[int, KeyEntry] = field(default_factory=dict, repr=False)
    latest_version: int = 0
    min_decryption_version: int = 0
    min_encryption_version: int = 0
    min_available_version: int = 0
    derived: bool = False
    kdf: int = KDF_HMAC_SHA256_COUNTER
    convergent_encryption: bool = False
    convergent_version: int = 0
    exportable: bool = False
    deletion_allowed: bool = False
    allow_plaintext_backup: bool = False
    auto_rotate_period: int = 0  # seconds
    key_size: int = 0
    version_template: str = ""
    imported: bool = False
    allow_imported_key_rotation: bool = False
    soft_deleted: bool = False
    backup_info: Stamp | None = None
    restore_info: Stamp | None = None
    # Built cipher and key objects per version (never stored, not part of equality).
    cache: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def evolve(self, **changes: Any) -> Policy:
        """A copy with ``changes``."""
        return dataclasses.replace(self, **changes)

    def entry(self, version: int) -> KeyEntry | None:
        return self.keys.get(version)

    def entry_convergent_version(self, version: int) -> int:
        """keysutil ``convergentVersion``: the scheme a version's ciphertexts use (0: none)."""
        if not self.convergent_encryption:
            return 0
        scheme = self.convergent_version or 1
        entry = self.keys.get(version)
        if entry is not None and entry.convergent_version:
            scheme = entry.convergent_version
        return scheme

    def version_prefix(self, version: int) -> str:
        prefix = self.cache.get(("prefix", version))
        if prefix is None:
            template = self.version_template or DEFAULT_VERSION_TEMPLATE
            prefix = self.cache[("prefix", version)] = template.replace("{{version}}", str(version))
        return prefix

    def template_parts(self) -> tuple[str, str]:
        parts = self.cache.get("template")
        if parts is None:
            head, sep, tail = (self.version_template or DEFAULT_VERSION_TEMPLATE).partition(
                "{{version}}"
            )
            parts = self.cache["template"] = (head, tail if sep else "")
        return parts

    # ---- Vault's JSON --------------------------------------------------------------

    def to_json(self, versions: range | None = None) -> dict[str, Any]:
        """keysutil.Policy as Go marshals it; ``versions`` limits ``keys`` (for backups)."""
        wanted = (
            self.keys if versions is None else {v: self.keys[v] for v in versions if v in self.keys}
        )
        document: dict[str, Any] = {
            "name": self.name,
            "keys": {str(v): e.to_json() for v, e in sorted(wanted.items())},
            "derived": self.derived,
            "kdf": self.kdf,
            "convergent_encryption": self.convergent_encryption,
            "exportable": self.exportable,
            "min_decryption_version": self.min_decryption_version,
            "min_encryption_version": self.min_encryption_version,
            "latest_version": self.latest_version,
            "archive_version": self.latest_version,
            "archive_min_version": self.min_available_version,
            "min_available_version": self.min_available_version,
            "deletion_allowed": self.deletion_allowed,
            "convergent_version": self.convergent_version,
            "type": int(self.type),
            "backup_info": None if self.backup_info is None else self.backup_info.to_json(),
            "restore_info": None if self.restore_info is None else self.restore_info.to_json(),
            "allow_plaintext_backup": self.allow_plaintext_backup,
            "version_template": self.version_template,
            "storage_prefix": "",
            "auto_rotate_period": self.auto_rotate_period * 1_000_000_000,
            "Imported": self.imported,
            "AllowImportedKeyRotation": self.allow_imported_key_rotation,
            "soft_deleted": self.soft_deleted,
        }
        if self.key_size:
            document["key_size"] = self.key_size
        return document

    @classmethod
    def from_json(cls, raw: Any, extra_keys: dict[int, KeyEntry] | None = None) -> Policy:
        """Parse Vault's policy JSON; ``extra_keys`` fill versions missing from ``keys``.

        Raises ValueError (never echoing key material) on a malformed record.
        """
        if not isinstance(raw, dict) or not isinstance(raw.get("keys"), dict):
            raise ValueError("invalid key policy")
        try:
            kind = KeyType(gojson.as_int(raw.get("type")))
        except ValueError as err:
            raise ValueError("unsupported key type in key policy") from err
        keys = dict(extra_keys or {})
        for version, entry in raw["keys"].items():
            keys[int(version)] = KeyEntry.from_json(entry)
        period_ns = gojson.as_int(raw.get("auto_rotate_period"))
        return cls(
            name=str(raw.get("name") or ""),
            type=kind,
            keys=keys,
            latest_version=gojson.as_int(raw.get("latest_version")),
            min_decryption_version=gojson.as_int(raw.get("min_decryption_version")),
            min_encryption_version=gojson.as_int(raw.get("min_encryption_version")),
            min_available_version=gojson.as_int(raw.get("min_available_version")),
            derived=bool(raw.get("derived")),
            kdf=gojson.as_int(raw.get("kdf")),
            convergent_encryption=bool(raw.get("convergent_encryption")),
            convergent_version=gojson.as_int(raw.get("convergent_version")),
            exportable=bool(raw.get("exportable")),
            deletion_allowed=bool(raw.get("deletion_allowed")),
            allow_plaintext_backup=bool(raw.get("allow_plaintext_backup")),
            auto_rotate_period=period_ns // 1_000_000_000,
            key_size=gojson.as_int(raw.get("key_size")),
            version_template=str(raw.get("version_template") or ""),
            imported=bool(raw.get("Imported")),
            allow_imported_key_rotation=bool(raw.get("AllowImportedKeyRotation")),
            soft_deleted=bool(raw.get("soft_deleted")),
            backup_info=Stamp.from_json(raw.get("backup_info")),
            restore_info=Stamp.from_json(raw.get("restore_info")),
        )
