"""Loading, creating and changing key policies: the one place transit mutates keys.

What the path handlers share: find a key (``get``/``require``), create one on first use
(``create``, Vault's upsert in keysutil ``GetPolicy``), and apply a change to one key under its
lock (``change``), storing the new immutable Policy before anyone else sees it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sealbox.engines.transit import keygen
from sealbox.engines.transit.keytypes import KeyType
from sealbox.engines.transit.policy import KDF_HKDF_SHA256, Policy
from sealbox.engines.transit.store import PolicyStore
from sealbox.errors import InvalidRequest
from sealbox.logical import Storage

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class NewKey:
    """What a create request asks for (PolicyRequest in keysutil)."""

    name: str
    type: KeyType = KeyType.AES256_GCM96
    derived: bool = False
    convergent: bool = False
    exportable: bool = False
    allow_plaintext_backup: bool = False
    auto_rotate_period: int = 0
    key_size: int = 0


def _check_new(spec: NewKey) -> None:
    """keysutil ``GetPolicyWithLockType`` validation of a new key."""
    kind = spec.type
    if kind.symmetric:
        if spec.convergent and not spec.derived:
            raise InvalidRequest("convergent encryption requires derivation to be enabled")
    elif kind is KeyType.ED25519:
        if spec.convergent:
            raise InvalidRequest(
                f"convergent encryption not supported for keys of type {kind.wire_name}"
            )
    elif spec.derived or spec.convergent:
        raise InvalidRequest(
            "key derivation and convergent encryption not supported for keys of type "
            f"{kind.wire_name}"
        )
    if kind is KeyType.XCHACHA20_POLY1305:
        raise InvalidRequest("key type xchacha20-poly1305 is not supported by sealbox")


class Keyring:
    """The key policies of one mount."""

    def __init__(self, clock: Clock) -> None:
        self.store = PolicyStore()
        self.clock = clock

    async def get(self, storage: Storage, name: str) -> Policy | None:
        return await self.store.get(storage, name)

    async def require(
        self, storage: Storage, name: str, missing: str = "encryption key not found"
    ) -> Policy:
        policy = await self.store.get(storage, name)
        if policy is None:
            raise InvalidRequest(missing)
        return policy

    async def create(self, storage: Storage, spec: NewKey) -> tuple[Policy, bool]:
        """(policy, created?): the existing key is returned unchanged (and unchecked)."""
        async with self.store.locked(spec.name):
            existing = await self.store.get(storage, spec.name)
            if existing is not None:
                return existing, False
            _check_new(spec)
            blank = Policy(
                name=spec.name,
                type=spec.type,
                derived=spec.derived,
                kdf=KDF_HKDF_SHA256 if spec.derived else 0,
                convergent_encryption=spec.convergent,
                convergent_version=-1 if spec.convergent else 0,
                exportable=spec.exportable,
                allow_plaintext_backup=spec.allow_plaintext_backup,
                auto_rotate_period=spec.auto_rotate_period,
                key_size=spec.key_size,
            )
            policy = keygen.rotated(blank, self.clock())
            await self.store.put(storage, policy)
            return policy, True

    async def change(
        self,
        storage: Storage,
        name: str,
        apply: Callable[[Policy], Policy],
        missing: str = "key not found",
    ) -> Policy:
        """Apply ``apply`` to the stored key under its lock; returns the stored result."""
        async with self.store.locked(name):
            current = await self.require(storage, name, missing)
            updated = apply(current)
            if updated is not current:
                await self.store.put(storage, updated)
            return updated

    def rotate(self, policy: Policy) -> Policy:
        if policy.soft_deleted:
            raise InvalidRequest("refusing to use soft-deleted key")
        if policy.imported and not policy.allow_imported_key_rotation:
            raise InvalidRequest(f"imported key {policy.name} does not allow rotation within Vault")
        return keygen.rotated(policy, self.clock())
