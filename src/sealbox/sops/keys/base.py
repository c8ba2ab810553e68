"""The master-key contract of the SOPS file layer, and the errors key sources raise.

A master key wraps the file's data key (or, with several key groups, one Shamir share of it)
and keeps the wrapped form in its ``enc`` field. This mirrors the ``MasterKey`` interface of
getsops/sops (``keys/keys.go``) and its ``metadata`` entries (``stores/stores.go``): one class
per key type, registered under the name its entries use in the file's ``sops`` section.

Error messages never contain key material: only key identifiers (recipients, fingerprints,
URIs) and the reason a tool gave.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar, Protocol, Self, runtime_checkable

from sealbox.goformat import rfc3339
from sealbox.sops.errors import SopsError


class MasterKeyError(SopsError):
    """Base of the key-source errors: a ``SopsError``, so its ``exit_code`` is Go sops's code."""


class CouldNotEncryptKeyError(MasterKeyError):
    """A master key could not wrap the data key.

    compat: Go sops reports "Could not generate data key" through a plain error, exit 1
    (cmd/sops/encrypt.go).
    """

    exit_code: ClassVar[int] = 1


class CouldNotDecryptKeyError(MasterKeyError):
    """One master key could not unwrap its ``enc``; others in the file may still succeed.

    compat: on its own it ends as "could not retrieve data key", so it shares code 128.
    """

    exit_code: ClassVar[int] = 128


class CouldNotRetrieveKeyError(MasterKeyError):
    """No combination of master keys yielded the data key (codes.CouldNotRetrieveKey)."""

    exit_code: ClassVar[int] = 128


class InvalidKeyEntryError(SopsError, ValueError):
    """A metadata entry or a key given by the user is malformed (unknown type, missing field).

    Usually re-raised with context (which file, which rule); when it is not (``rotate --add-…``
    with a malformed key), the CLI reports it like any other SopsError, exit 1.
    """


@runtime_checkable
class MasterKey(Protocol):
    """One key that can wrap and unwrap a data key; see getsops/sops ``keys.MasterKey``."""

    metadata_key: ClassVar[str]

    @property
    def identifier(self) -> str:
        """Recipient, fingerprint, ARN, resource id or URI: what ``--rm-*`` matches on."""
        ...

    def encrypt(self, data_key: bytes) -> None:
        """Wrap ``data_key`` with this key and remember the result as ``enc``."""
        ...

    def decrypt(self) -> bytes:
        """Unwrap ``enc``; raise CouldNotDecryptKeyError when this key cannot."""
        ...

    def to_metadata(self) -> dict[str, Any]:
        """The entry as Go sops writes it in the ``sops`` section."""
        ...

    @classmethod
    def from_metadata(cls, entry: dict[str, Any]) -> Self:
        """Load a key from its entry in the ``sops`` section."""
        ...


def now_rfc3339() -> str:
    """Current UTC time as Go's ``time.RFC3339`` (whole seconds, ``Z``): ``created_at``."""
    return rfc3339(datetime.now(UTC))


def require_str(entry: dict[str, Any], field: str, key_type: str) -> str:
    """Return ``entry[field]`` as a string or raise InvalidKeyEntryError naming the field."""
    value = entry.get(field)
    if not isinstance(value, str):
        raise InvalidKeyEntryError(f"{key_type} key entry: field {field!r} missing or not a string")
    return value


def created_at(entry: dict[str, Any], key_type: str) -> str:
    """Return ``created_at`` as an RFC 3339 string, also when a YAML loader made it a datetime."""
    value = entry.get("created_at")
    if isinstance(value, datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=UTC)
        return stamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return optional_str(entry, "created_at", key_type)


def optional_str(entry: dict[str, Any], field: str, key_type: str) -> str:
    """Return ``entry[field]`` as a string, "" when absent or null."""
    value = entry.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidKeyEntryError(f"{key_type} key entry: field {field!r} is not a string")
    return value
