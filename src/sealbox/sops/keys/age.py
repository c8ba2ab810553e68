"""age master keys: the data key wrapped to one age recipient, stored ASCII-armored.

Mirrors getsops/sops ``age/keysource.go``: the entry is ``{recipient, enc}`` (no
``created_at``), ``enc`` is an armored age file (``-----BEGIN AGE ENCRYPTED FILE-----``) whose
payload is the raw data key or Shamir share. Recipients are X25519 (``age1...``) or SSH
(``ssh-ed25519``/``ssh-rsa``) public keys. The age format itself comes from ``pyrage``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Self

from sealbox.sops.keys.base import (
    CouldNotDecryptKeyError,
    CouldNotEncryptKeyError,
    InvalidKeyEntryError,
    require_str,
)
from sealbox.sops.record import Record

if TYPE_CHECKING:
    import pyrage.ssh
    import pyrage.x25519

_X25519_PREFIX = "age1"
_SSH_PREFIXES = ("ssh-ed25519 ", "ssh-rsa ")


def parse_recipient(recipient: str) -> pyrage.x25519.Recipient | pyrage.ssh.Recipient:
    """Parse an age recipient string; InvalidKeyEntryError names it when malformed."""
    import pyrage

    try:
        if recipient.startswith(_SSH_PREFIXES):
            return pyrage.ssh.Recipient.from_str(recipient)
        if recipient.startswith(_X25519_PREFIX):
            return pyrage.x25519.Recipient.from_str(recipient)
    except pyrage.RecipientError as err:
        raise InvalidKeyEntryError(f"invalid age recipient {recipient!r}") from err
    raise InvalidKeyEntryError(f"unsupported age recipient {recipient!r}")


class AgeKey(Record):
    """One age recipient and, once encrypted, the armored data key.

    A plain class rather than a dataclass: see ``sealbox.sops.record``.
    """

    metadata_key: ClassVar[str] = "age"
    _fields = ("recipient", "enc")
    _hidden = frozenset({"enc"})

    def __init__(self, recipient: str, enc: str = "") -> None:
        self.recipient = recipient
        self.enc = enc

    @classmethod
    def from_recipient(cls, recipient: str) -> Self:
        """A new key for ``recipient`` (checked now, so typos fail before encrypting)."""
        recipient = recipient.strip()
        parse_recipient(recipient)
        return cls(recipient=recipient)

    @classmethod
    def from_metadata(cls, entry: dict[str, Any]) -> Self:
        """Load ``{recipient, enc}`` from the ``sops`` section."""
        return cls(
            recipient=require_str(entry, "recipient", "age"),
            enc=require_str(entry, "enc", "age"),
        )

    @property
    def identifier(self) -> str:
        """The recipient, as Go sops's ``ToString``."""
        return self.recipient

    def encrypt(self, data_key: bytes) -> None:
        """Wrap ``data_key`` to the recipient as an armored age file."""
        import pyrage

        try:
            recipient = parse_recipient(self.recipient)
            armored = pyrage.encrypt(data_key, [recipient], armored=True)
        except (InvalidKeyEntryError, pyrage.EncryptError) as err:
            raise CouldNotEncryptKeyError(
                f"failed to encrypt the data key to age recipient {self.recipient}"
            ) from err
        self.enc = armored.decode("ascii")

    def decrypt(self) -> bytes:
        """Unwrap ``enc`` with any configured identity (see ``age_identities``)."""
        import pyrage

        from sealbox.sops.keys.age_identities import load_identities

        identities = load_identities(self.recipient)
        try:
            return bytes(pyrage.decrypt(self.enc.encode("ascii"), identities))
        except (UnicodeEncodeError, pyrage.DecryptError) as err:
            raise CouldNotDecryptKeyError(
                f"no age identity could decrypt the data key for {self.recipient}"
            ) from err

    def to_metadata(self) -> dict[str, Any]:
        """``{recipient, enc}`` in the order Go sops 3.11 writes them."""
        return {"recipient": self.recipient, "enc": self.enc}
