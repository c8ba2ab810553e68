"""The file-level operations every command is built from: seal and open a whole tree.

Mirrors cmd/sops/common (``EncryptTree``/``DecryptTree``) and sops.go: encrypting walks the
values, stamps ``lastmodified`` and stores the MAC encrypted with ``lastmodified`` as associated
data; opening recovers the data key from the key groups, decrypts every value while recomputing
the MAC, and compares it with the stored one (exit 51 on a mismatch unless ``--ignore-mac``).
The binary store ignores the value-selection rules, as Go sops does.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sealbox.goformat import rfc3339
from sealbox.sops.cipher import ValueCipher
from sealbox.sops.errors import MacMismatchError, SopsError, ValueDecryptError
from sealbox.sops.metadata import Metadata
from sealbox.sops.record import Record
from sealbox.sops.rules import EncryptionRules
from sealbox.sops.walk import decrypt_documents, encrypt_documents

if TYPE_CHECKING:
    from sealbox.sops.formats import Store
    from sealbox.sops.tree import Branch

DATA_KEY_SIZE = 32


class OpenedFile(Record):
    """A decrypted file: cleartext documents, its metadata, data key and IV stash.

    A plain class rather than a dataclass: see ``sealbox.sops.record``.
    """

    _fields = ("documents", "metadata", "data_key", "stash")
    __slots__ = _fields

    def __init__(
        self,
        documents: list[Branch],
        metadata: Metadata,
        data_key: bytes,
        stash: dict[tuple[str, bytes], bytes],
    ) -> None:
        self.documents = documents
        self.metadata = metadata
        self.data_key = data_key
        self.stash = stash

    def __repr__(self) -> str:
        return f"OpenedFile(documents={len(self.documents)}, metadata=..., data_key=***)"


def new_data_key() -> bytes:
    return os.urandom(DATA_KEY_SIZE)


def _matcher_rules(metadata: Metadata, binary: bool) -> EncryptionRules:
    return EncryptionRules() if binary else metadata.rules.with_default()


def seal(
    documents: list[Branch],
    metadata: Metadata,
    data_key: bytes,
    *,
    binary: bool = False,
    stash: dict[tuple[str, bytes], bytes] | None = None,
) -> dict[str, Any]:
    """Encrypt ``documents`` in place and return the serialized metadata (with a new MAC)."""
    cipher = ValueCipher(data_key, stash)
    matcher = _matcher_rules(metadata, binary).matcher()
    mac = encrypt_documents(documents, cipher, matcher, metadata.mac_only_encrypted)
    metadata.lastmodified = rfc3339(datetime.now(UTC))
    metadata.mac = cipher.encrypt(mac, metadata.lastmodified_aad())
    return metadata.to_dict()


def load_encrypted(store: Store, data: bytes) -> tuple[list[Branch], Metadata]:
    """Parse an encrypted file and its metadata (MetadataNotFoundError when there is none)."""
    documents, raw = store.load_encrypted(data)
    return documents, Metadata.from_dict(raw)


def open_documents(
    documents: list[Branch],
    metadata: Metadata,
    *,
    binary: bool = False,
    ignore_mac: bool = False,
    decryption_order: list[str] | None = None,
) -> OpenedFile:
    """Recover the data key, decrypt ``documents`` in place and verify the MAC."""
    from sealbox.sops.keygroups import decrypt_data_key

    data_key = decrypt_data_key(
        metadata.key_groups, metadata.shamir_threshold, order=decryption_order
    )
    cipher = ValueCipher(data_key)
    matcher = _matcher_rules(metadata, binary).matcher()
    mac = decrypt_documents(documents, cipher, matcher, metadata.mac_only_encrypted)
    if not ignore_mac:
        verify_mac(cipher, metadata, mac)
    return OpenedFile(documents, metadata, data_key, cipher.stash)


def verify_mac(cipher: ValueCipher, metadata: Metadata, computed: str) -> None:
    """Compare the stored MAC with ``computed``; MacMismatchError (51) otherwise."""
    if not metadata.mac:
        raise MacMismatchError("File has no MAC")
    try:
        stored = cipher.decrypt(metadata.mac, metadata.lastmodified_aad())
    except (ValueDecryptError, SopsError) as err:
        raise MacMismatchError("Failed to decrypt original mac") from err
    if stored != computed:
        raise MacMismatchError(
            "MAC mismatch. File has been tampered with or values were changed outside sops"
        )
