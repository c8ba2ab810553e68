"""The barrier keyring: every data-encryption key by term, and which one is active.

Mirrors OpenBao's vault/keyring.go. Rotation adds a term and makes it active; older terms
stay so that values written under them still decrypt (OpenBao keeps them until an explicit
rewrap; so do we). The keyring is serialised to JSON and stored at ``core/keyring``,
encrypted by the root key. Unlike OpenBao we do not keep a copy of the root key inside the
keyring: the barrier holds it separately while unsealed, which is one copy fewer on disk.

A keyring is immutable: ``rotated()`` returns a new one, so a failed persist never leaves a
half-updated keyring in memory. Encryption counts are plain counters beside it; they are
persisted whenever the keyring is written (rotate, rekey) and are advisory.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sealbox.barrier.aes_gcm import KEY_SIZE, new_aead, new_key
from sealbox.errors import IntegrityError

_FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class Key:
    """One data-encryption key. ``value`` is secret and kept out of the repr."""

    term: int
    value: bytes = field(repr=False)
    install_time: datetime


class Keyring:
    """Keys by term plus the active term; hands out cached AES-GCM ciphers."""

    __slots__ = ("_aeads", "_keys", "active_term")

    def __init__(self, keys: dict[int, Key], active_term: int) -> None:
        if active_term not in keys:
            raise ValueError("the active term must be in the keyring")
        self._keys = dict(keys)
        self.active_term = active_term
        self._aeads = {term: new_aead(key.value) for term, key in self._keys.items()}

    def __repr__(self) -> str:
        return f"Keyring(terms={sorted(self._keys)}, active_term={self.active_term})"

    @classmethod
    def new(cls, now: datetime) -> Keyring:
        """A keyring with one fresh key, term 1."""
        return cls({1: Key(1, new_key(), now)}, 1)

    @property
    def active(self) -> Key:
        return self._keys[self.active_term]

    def aead(self, term: int) -> AESGCM | None:
        """The cipher for ``term``, or None when the term is unknown."""
        return self._aeads.get(term)

    def rotated(self, now: datetime) -> Keyring:
        """A copy with one more term, active from now."""
        term = max(self._keys) + 1
        if term > 0xFFFFFFFF:
            raise OverflowError("key term does not fit the 4-byte record header")
        return Keyring({**self._keys, term: Key(term, new_key(), now)}, term)

    def to_json(self, encryptions: dict[int, int]) -> bytes:
        """Serialise, with the encryption counts of each term (secret: encrypt before storing)."""
        keys = [
            {
                "term": key.term,
                "value": base64.b64encode(key.value).decode("ascii"),
                "install_time": key.install_time.isoformat(),
                "encryptions": encryptions.get(key.term, 0),
            }
            for key in sorted(self._keys.values(), key=lambda k: k.term)
        ]
        document = {"version": _FORMAT_VERSION, "active_term": self.active_term, "keys": keys}
        return json.dumps(document, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> tuple[Keyring, dict[int, int]]:
        """Parse ``to_json`` output; anything malformed is an ``IntegrityError``."""
        try:
            document = json.loads(data)
            keys: dict[int, Key] = {}
            counts: dict[int, int] = {}
            for entry in document["keys"]:
                term = int(entry["term"])
                value = base64.b64decode(entry["value"], validate=True)
                if len(value) != KEY_SIZE:
                    raise ValueError("bad key size")
                install_time = datetime.fromisoformat(entry["install_time"])
                if install_time.tzinfo is None:
                    raise ValueError("naive install time")
                keys[term] = Key(term, value, install_time)
                counts[term] = int(entry.get("encryptions", 0))
            return cls(keys, int(document["active_term"])), counts
        except (KeyError, TypeError, ValueError, binascii.Error) as err:
            raise IntegrityError from err
