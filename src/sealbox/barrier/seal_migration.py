"""Seal migration: Shamir to auto-unseal, auto-unseal to Shamir, one auto seal to another.

Mirrors OpenBao's seal migration (vault/seal_migration, ``sys/unseal`` with ``migrate``). The
configuration asks for it: a ``seal`` block on a Shamir-initialised server, or the stored
seal's block marked ``disabled = "true"``. Operators then give their keys with ``migrate``:
Shamir to auto takes the *unseal* keys, wraps the same root key with the new seal and turns
the unseal key into the recovery key (same shares and threshold, as Vault does); auto to
Shamir takes the *recovery* keys and the old seal, and the recovery key becomes the unseal
key; auto to auto re-wraps with the new seal. Each switch is one storage transaction and the
root key (so every stored value) stays the same: no data is touched.
"""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sealbox.barrier.autounseal import (
    SHAMIR,
    RecoveryConfig,
    _auto_config,
    _check_record,
    _unwrap,
    _wrap,
    read_recovery_config,
    stored_seal_type,
    verify_recovery_key,
)
from sealbox.barrier.barrier import Barrier
from sealbox.barrier.paths import (
    RECOVERY_CONFIG_PATH,
    RECOVERY_KEY_PATH,
    ROOT_KEY_PATH,
    SEAL_CONFIG_PATH,
    SEALED_ROOT_KEY_PATH,
)
from sealbox.barrier.seal import (
    SealConfig,
    _combine,
    _decrypt_root_key,
    _encrypt_root_key,
    read_seal_config,
)
from sealbox.barrier.seals.base import AutoSeal
from sealbox.errors import IntegrityError, InvalidRequest
from sealbox.logical.storage import Storage, TxOp


async def migrate_to_auto(
    physical: Storage, barrier: Barrier, unseal_key: bytes, seal: AutoSeal
) -> None:
    """Shamir to ``seal``: the unseal key becomes the recovery key; the barrier opens."""
    config = await read_seal_config(physical)
    if config is None or config.seal_type != SHAMIR:
        raise InvalidRequest("no Shamir seal to migrate from")
    root_key = await _decrypt_root_key(physical, unseal_key)
    wrapped = await _wrap(seal, root_key)
    recovery = RecoveryConfig(config.secret_shares, config.secret_threshold)
    await physical.transaction(
        [
            TxOp(SEALED_ROOT_KEY_PATH, wrapped),
            TxOp(RECOVERY_CONFIG_PATH, recovery.to_json()),
            TxOp(RECOVERY_KEY_PATH, _check_record(unseal_key)),
            TxOp(SEAL_CONFIG_PATH, _auto_config(seal).to_json()),
            TxOp(ROOT_KEY_PATH, None),
        ]
    )
    await barrier.unseal(root_key)


async def migrate_to_shamir(
    physical: Storage, barrier: Barrier, recovery_key: bytes, old_seal: AutoSeal
) -> None:
    """``old_seal`` to Shamir: the recovery key becomes the unseal key; the barrier opens."""
    root_key = await _unwrap(physical, old_seal)
    recovery = await read_recovery_config(physical)
    if recovery is None:
        raise IntegrityError
    config = SealConfig(recovery.recovery_shares, recovery.recovery_threshold)
    await physical.transaction(
        [
            TxOp(ROOT_KEY_PATH, _encrypt_root_key(recovery_key, root_key)),
            TxOp(SEAL_CONFIG_PATH, config.to_json()),
            TxOp(SEALED_ROOT_KEY_PATH, None),
            TxOp(RECOVERY_CONFIG_PATH, None),
            TxOp(RECOVERY_KEY_PATH, None),
        ]
    )
    await barrier.unseal(root_key)


async def migrate_between(
    physical: Storage, barrier: Barrier, old_seal: AutoSeal, new_seal: AutoSeal
) -> None:
    """One auto seal to another: re-wrap the same root key (recovery keys unchanged)."""
    root_key = await _unwrap(physical, old_seal)
    wrapped = await _wrap(new_seal, root_key)
    await physical.transaction(
        [
            TxOp(SEALED_ROOT_KEY_PATH, wrapped),
            TxOp(SEAL_CONFIG_PATH, _auto_config(new_seal).to_json()),
        ]
    )
    await barrier.unseal(root_key)


@dataclass(frozen=True, slots=True)
class Migration:
    """A pending seal migration: where from, where to, and which keys it takes."""

    source: str
    target: str

    @property
    def uses_recovery_keys(self) -> bool:
        return self.source != SHAMIR


async def pending_migration(
    physical: Storage, seal: AutoSeal | None, old_seal: AutoSeal | None
) -> Migration | None:
    """The migration the configuration asks for, or None (also before init)."""
    stored = await stored_seal_type(physical)
    if stored is None:
        return None
    target = seal.seal_type if seal is not None else SHAMIR
    if stored == SHAMIR and seal is not None:
        return Migration(SHAMIR, target)
    # A disabled stanza of the stored type means "migrate away from it" (to Shamir, or to the
    # enabled seal, which may be of the same type with other settings).
    if stored != SHAMIR and old_seal is not None and old_seal.seal_type == stored:
        return Migration(stored, target)
    return None


MigrateStep = Callable[[bytes], Awaitable[None]]


@dataclass(slots=True)
class MigrationProgress:
    """Collects unseal or recovery shares for a migration (``sys/unseal`` with ``migrate``).

    ``complete`` gets the combined (unseal or recovery) key once ``threshold`` distinct shares
    are in; a wrong set raises and resets the attempt, as an unseal does.
    """

    threshold: int
    complete: MigrateStep
    shares: list[bytes] = field(default_factory=list, repr=False)
    nonce: str = ""

    @property
    def progress(self) -> int:
        return len(self.shares)

    def reset(self) -> None:
        self.shares = []
        self.nonce = ""

    async def submit(self, share: bytes) -> bool:
        """Add one share; True once the migration is done (the barrier is then unsealed)."""
        if any(hmac.compare_digest(given, share) for given in self.shares):
            return False
        if not self.shares:
            self.nonce = str(uuid.uuid4())
        self.shares.append(bytes(share))
        if len(self.shares) < self.threshold:
            return False
        shares = self.shares
        self.reset()
        await self.complete(_combine(shares))
        return True


async def migration_step(
    physical: Storage,
    barrier: Barrier,
    migration: Migration,
    seal: AutoSeal | None,
    old_seal: AutoSeal | None,
) -> MigrateStep:
    """The action that finishes ``migration`` with the combined key."""

    async def to_auto(unseal_key: bytes) -> None:
        assert seal is not None  # noqa: S101 - pending_migration guarantees it
        await migrate_to_auto(physical, barrier, unseal_key, seal)

    async def from_auto(shares_key: bytes) -> None:
        assert old_seal is not None  # noqa: S101 - pending_migration guarantees it
        await verify_recovery_key(physical, shares_key)
        if seal is None:
            await migrate_to_shamir(physical, barrier, shares_key, old_seal)
        else:
            await migrate_between(physical, barrier, old_seal, seal)

    return to_auto if migration.source == SHAMIR else from_auto
