"""Cloud KMS master keys that sealbox keeps but cannot use offline.

Files encrypted for AWS KMS, GCP KMS, Azure Key Vault or HuaweiCloud KMS alongside age, PGP or
Vault keys must survive ``edit``, ``rotate`` and ``updatekeys`` with the other keys: their
entries are kept exactly as read (every field, in file order) and written back unchanged.
Encrypting or decrypting with them needs the cloud provider, so both raise errors that say so;
with several keys in a group the other keys are then tried, as Go sops does.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from sealbox.sops.keys.base import (
    CouldNotDecryptKeyError,
    CouldNotEncryptKeyError,
    InvalidKeyEntryError,
    now_rfc3339,
)
from sealbox.sops.record import Record


class OpaqueKey(Record):
    """A key entry of a type sealbox cannot use; ``entry`` is kept verbatim.

    A plain class rather than a dataclass: see ``sealbox.sops.record``.
    """

    metadata_key: ClassVar[str] = ""
    service: ClassVar[str] = ""
    # The fields that, joined by ``identifier_format``, name the key (Go sops's ``ToString``).
    identifier_fields: ClassVar[tuple[str, ...]] = ()
    identifier_format: ClassVar[str] = "{}"

    _fields = ("entry",)

    def __init__(self, entry: dict[str, Any]) -> None:
        self.entry = entry

    @classmethod
    def from_metadata(cls, entry: dict[str, Any]) -> Self:
        """Keep ``entry`` as is, after checking it names its key."""
        for name in cls.identifier_fields[:1]:
            if not isinstance(entry.get(name), str):
                raise InvalidKeyEntryError(
                    f"{cls.metadata_key} key entry: field {name!r} missing or not a string"
                )
        return cls(entry=dict(entry))

    @classmethod
    def new(cls, fields: dict[str, Any]) -> Self:
        """A new, not yet encrypted entry: ``fields`` then ``created_at`` and an empty ``enc``."""
        return cls(entry={**fields, "created_at": now_rfc3339(), "enc": ""})

    @property
    def identifier(self) -> str:
        """The key's name as Go sops prints it (ARN, resource id, URL)."""
        values = [str(self.entry.get(name) or "") for name in self.identifier_fields]
        return self.identifier_format.format(*values)

    def encrypt(self, data_key: bytes) -> None:  # noqa: ARG002 - the protocol's signature
        """Always fails: wrapping needs the cloud service."""
        raise CouldNotEncryptKeyError(
            f"{self.service} key {self.identifier}: {self.service} is not supported by sealbox "
            "offline"
        )

    def decrypt(self) -> bytes:
        """Always fails: unwrapping needs the cloud service."""
        raise CouldNotDecryptKeyError(
            f"{self.service} key {self.identifier}: {self.service} is not supported by sealbox "
            "offline"
        )

    def to_metadata(self) -> dict[str, Any]:
        """The entry exactly as it was read (a copy)."""
        return dict(self.entry)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.identifier!r})"
