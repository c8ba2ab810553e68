"""The ``sops`` metadata block: internal ``Metadata`` and its serialized (plain dict) form.

Mirrors stores/stores.go ``Metadata`` and ``ToInternal``/``MetadataFromInternal``: with one key
group the per-type key lists sit at the top (``age: [...]``, ``pgp: [...]``, ...), with several
they go under ``key_groups`` plus ``shamir_threshold``; a non-empty top-level list wins over
``key_groups`` on read. Entries of key types this build does not know are kept verbatim so that
editing or rotating a file never drops them. Keys are written sorted, as Go sops 3.13 does.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Self, cast

from sealbox.goformat import parse_rfc3339, rfc3339
from sealbox.sops.errors import SopsError
from sealbox.sops.record import Record
from sealbox.sops.rules import RULE_FIELDS, EncryptionRules

if TYPE_CHECKING:
    from sealbox.sops.keys.base import MasterKey

VERSION = "3.11.0"
_SCALAR_FIELDS = frozenset(
    {
        "lastmodified",
        "mac",
        "version",
        "shamir_threshold",
        "mac_only_encrypted",
        "key_groups",
        *RULE_FIELDS,
    }
)
# compat: the per-type order Go sops uses inside a key group (stores/stores.go keygroup).
_TYPE_ORDER = ("kms", "gcp_kms", "azure_kv", "hc_vault", "age", "pgp", "hckms")


class UnknownKey:
    """A key entry of a type this build has no module for, kept as read."""

    metadata_key: ClassVar[str] = ""
    _classes: ClassVar[dict[str, type[UnknownKey]]] = {}

    def __init__(self, entry: dict[str, Any]):
        self._entry = entry

    @classmethod
    def of_type(cls, name: str) -> type[UnknownKey]:
        if name not in cls._classes:
            cls._classes[name] = type(f"UnknownKey_{name}", (cls,), {"metadata_key": name})
        return cls._classes[name]

    @classmethod
    def from_metadata(cls, entry: dict[str, Any]) -> Self:
        return cls(entry)

    @property
    def identifier(self) -> str:
        return str(next(iter(self._entry.values()), ""))

    def encrypt(self, data_key: bytes) -> None:  # noqa: ARG002 - MasterKey signature
        from sealbox.sops.keys.base import CouldNotEncryptKeyError

        raise CouldNotEncryptKeyError(f"no key source for {self.metadata_key!r} keys")

    def decrypt(self) -> bytes:
        from sealbox.sops.keys.base import CouldNotDecryptKeyError

        raise CouldNotDecryptKeyError(f"no key source for {self.metadata_key!r} keys")

    def to_metadata(self) -> dict[str, Any]:
        return dict(self._entry)


class Metadata(Record):
    """What the ``sops`` block says about a file (data key excluded).

    A plain class rather than a dataclass: see ``sealbox.sops.record``.
    """

    _fields = (
        "key_groups",
        "shamir_threshold",
        "rules",
        "mac_only_encrypted",
        "lastmodified",
        "mac",
        "version",
    )
    __slots__ = _fields

    def __init__(
        self,
        key_groups: list[list[MasterKey]],
        shamir_threshold: int = 0,
        rules: EncryptionRules | None = None,
        mac_only_encrypted: bool = False,
        lastmodified: str = "",
        mac: str = "",
        version: str = VERSION,
    ) -> None:
        self.key_groups = key_groups
        self.shamir_threshold = shamir_threshold
        self.rules = EncryptionRules() if rules is None else rules
        self.mac_only_encrypted = mac_only_encrypted
        self.lastmodified = lastmodified
        self.mac = mac
        self.version = version

    def lastmodified_aad(self) -> str:
        """The MAC's associated data: ``lastmodified`` re-formatted as RFC 3339 seconds."""
        try:
            return rfc3339(parse_rfc3339(self.lastmodified))
        except ValueError as err:
            raise SopsError("invalid lastmodified timestamp in sops metadata") from err

    def bump_version(self) -> None:
        """Record this program's version when it is newer, as ``sops edit`` does."""
        if _version_key(self.version) < _version_key(VERSION):
            self.version = VERSION

    def to_dict(self) -> dict[str, Any]:
        """The serialized metadata, keys sorted as Go sops 3.13 writes them."""
        out: dict[str, Any] = {}
        if len(self.key_groups) == 1:
            out.update(_group_to_dict(self.key_groups[0]))
        else:
            out["key_groups"] = [_group_to_dict(group) for group in self.key_groups]
            if self.shamir_threshold:
                out["shamir_threshold"] = self.shamir_threshold
        out["lastmodified"] = self.lastmodified
        out["mac"] = self.mac
        out.update(self.rules.as_metadata())
        if self.mac_only_encrypted:
            out["mac_only_encrypted"] = True
        out["version"] = self.version
        return dict(sorted(out.items()))

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Metadata:
        """Parse a serialized block; raises SopsError when it is malformed."""
        top = _group_from_dict(raw, top_level=True)
        if top:
            groups = [top]
        else:
            raw_groups = raw.get("key_groups") or []
            if not isinstance(raw_groups, list):
                raise SopsError("sops metadata: key_groups is not a list")
            groups = [_group_from_dict(g) for g in raw_groups if isinstance(g, dict)]
        groups = [g for g in groups if g]
        if not groups:
            raise SopsError("No keys found in file")
        rules = EncryptionRules(**{name: str(raw.get(name) or "") for name in RULE_FIELDS})
        lastmodified = _as_timestamp(raw.get("lastmodified"))
        try:
            parse_rfc3339(lastmodified)
        except ValueError as err:
            raise SopsError(f"invalid lastmodified timestamp {lastmodified!r}") from err
        return cls(
            key_groups=groups,
            shamir_threshold=_as_int(raw.get("shamir_threshold")),
            rules=rules,
            mac_only_encrypted=_as_bool(raw.get("mac_only_encrypted")),
            lastmodified=lastmodified,
            mac=str(raw.get("mac") or ""),
            version=str(raw.get("version") or ""),
        )


def _version_key(version: str) -> tuple[int, ...]:
    parts = []
    for part in version.split("."):
        digits = "".join(ch for ch in part if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def _as_int(value: object) -> int:
    try:
        return int(str(value or 0))
    except ValueError as err:
        raise SopsError("sops metadata: shamir_threshold is not a number") from err


def _as_bool(value: object) -> bool:
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


def _as_timestamp(value: object) -> str:
    if isinstance(value, datetime):
        return rfc3339(value)
    return "" if value is None else str(value)


def _group_to_dict(group: list[MasterKey]) -> dict[str, list[dict[str, Any]]]:
    by_type: dict[str, list[dict[str, Any]]] = {}
    for key in group:
        by_type.setdefault(key.metadata_key, []).append(key.to_metadata())
    ordered = {name: by_type.pop(name) for name in _TYPE_ORDER if name in by_type}
    ordered.update(by_type)
    return ordered


def _group_from_dict(raw: dict[str, Any], top_level: bool = False) -> list[MasterKey]:
    from sealbox.sops.keys import KEY_TYPES, InvalidKeyEntryError, key_from_metadata

    keys: list[MasterKey] = []
    for name, entries in raw.items():
        if (top_level and name in _SCALAR_FIELDS) or not isinstance(entries, list):
            continue
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            if name not in KEY_TYPES:
                keys.append(cast("MasterKey", UnknownKey.of_type(name).from_metadata(entry)))
                continue
            try:
                keys.append(key_from_metadata(name, entry))
            except InvalidKeyEntryError as err:
                raise SopsError(f"invalid {name} key in sops metadata: {err}") from err
    return keys
