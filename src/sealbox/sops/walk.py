"""Encrypt or decrypt every value of a tree while computing the MAC over the cleartext.

Mirrors ``Tree.Encrypt``/``Tree.Decrypt`` and ``walkBranch`` (sops.go): a depth-first walk in
file order over all documents; the associated data of a value is the path of mapping keys to it,
each followed by ``:`` (list indices are not part of it); comments are encrypted with the path of
the collection that holds them and are never hashed; ``null`` is neither encrypted nor hashed.
The MAC is SHA-512 over the canonical bytes of the cleartext values (only the encrypted ones
with ``mac_only_encrypted``, after hashing ``sha256("sops")``), upper-case hex.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from sealbox.sops.cipher import ValueCipher, is_encrypted
from sealbox.sops.errors import EncryptingTreeError, ValueDecryptError
from sealbox.sops.rules import RuleMatcher
from sealbox.sops.tree import Branch, Comment, Value
from sealbox.sops.values import to_bytes, type_name

_INT64_MAX = 2**63 - 1

if TYPE_CHECKING:
    from hashlib import sha512
else:
    try:  # the builtin module: hashlib would load OpenSSL's bindings, costing start-up time
        from _sha512 import sha512
    except ImportError:  # other Python builds (3.12 renamed it)
        from hashlib import sha512


class _Walker:
    """One pass over a tree; ``encrypting`` picks the direction."""

    def __init__(self, cipher: ValueCipher, matcher: RuleMatcher, mac_only: bool, encrypting: bool):
        self.cipher = cipher
        self.matcher = matcher
        self.mac_only = mac_only
        self.encrypting = encrypting
        self.hash = sha512()
        if mac_only:
            from hashlib import sha256

            self.hash.update(sha256(b"sops").digest())

    def items(self, items: list[Value], path: tuple[str, ...], active: tuple[str, ...]) -> None:
        """Walk the items of a list in place."""
        slot: list[str] = []
        for position, item in enumerate(items):
            if isinstance(item, Comment):
                done = self.comment(item, path, active + tuple(slot))
                items[position] = done
                slot.append(item.value if self.encrypting else done.value)
                continue
            items[position] = self.value(item, path, active + tuple(slot))
            slot.clear()

    def branch(self, branch: Branch, path: tuple[str, ...], active: tuple[str, ...]) -> None:
        """Walk the entries and comments of a mapping in place."""
        slot: list[str] = []
        entries = branch.items
        for position, item in enumerate(entries):
            if isinstance(item, Comment):
                done = self.comment(item, path, active + tuple(slot))
                entries[position] = done
                slot.append(item.value if self.encrypting else done.value)
                continue
            key, value = item
            entries[position] = (key, self.value(value, (*path, key), active + tuple(slot)))
            slot.clear()

    def value(self, value: Value, path: tuple[str, ...], active: tuple[str, ...]) -> Value:
        if isinstance(value, Branch):
            self.branch(value, path, active)
            return value
        if isinstance(value, list):
            self.items(value, path, active)
            return value
        if value is None:
            return None
        encrypt = self.matcher.should_encrypt(path, active)
        aad = ":".join(path) + ":"
        if self.encrypting:
            if isinstance(value, int) and value > _INT64_MAX:
                # compat: yaml.v3 reads 2**63..2**64-1 as uint64, which Go sops cannot walk;
                # an int tag beyond int64 would also be undecryptable there (strconv.Atoi)
                raise EncryptingTreeError(
                    "Error encrypting tree: Error walking tree: "
                    "Cannot walk value, unknown type: uint64"
                )
            plaintext = to_bytes(value)
            if not self.mac_only or encrypt:
                self.hash.update(plaintext)
            return self.cipher.seal(plaintext, type_name(value), aad) if encrypt else value
        if encrypt and isinstance(value, str):
            value = self.cipher.decrypt(value, aad)
            if isinstance(value, Comment):
                # compat: an encrypted comment written as a list item is not hashed (sops.go).
                return value
        if not self.mac_only or encrypt:
            self.hash.update(to_bytes(value))
        return value

    def comment(self, comment: Comment, path: tuple[str, ...], active: tuple[str, ...]) -> Comment:
        aad = ":".join(path) + ":"
        if not self.encrypting:
            if not is_encrypted(comment.value):
                return comment
            try:
                plain = self.cipher.decrypt(comment.value, aad)
            except ValueDecryptError:
                print("[WARN] possibly unencrypted comment kept as is", file=sys.stderr)  # noqa: T201
                return comment
            return plain if isinstance(plain, Comment) else Comment(str(plain))
        if (
            not comment.value  # compat: an empty "#" line stays as it is (aes/cipher.go isEmpty)
            or self.matcher.is_marker(comment.value)
            or not self.matcher.should_encrypt(path, active)
        ):
            return comment
        return Comment(self.cipher.encrypt(comment, aad))

    def digest(self) -> str:
        return self.hash.hexdigest().upper()


def encrypt_documents(
    documents: list[Branch], cipher: ValueCipher, matcher: RuleMatcher, mac_only: bool
) -> str:
    """Encrypt ``documents`` in place; return the MAC (upper-case hex) of their cleartext."""
    walker = _Walker(cipher, matcher, mac_only, encrypting=True)
    for document in documents:
        walker.branch(document, (), ())
    return walker.digest()


def decrypt_documents(
    documents: list[Branch], cipher: ValueCipher, matcher: RuleMatcher, mac_only: bool
) -> str:
    """Decrypt ``documents`` in place; return the MAC (upper-case hex) of their cleartext."""
    walker = _Walker(cipher, matcher, mac_only, encrypting=False)
    for document in documents:
        walker.branch(document, (), ())
    return walker.digest()
