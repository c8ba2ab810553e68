"""What the core asks of the seal: which keys an unseal takes, and the seal-status fields.

Keeps the seal decisions out of the core: ``seal_progress`` picks Shamir unseal or a pending
migration, ``check_unseal_request`` refuses shares that cannot help (and says why),
``status_fields`` fills ``sys/seal-status``'s type, t, n, migration and recovery members.
"""

from __future__ import annotations

from dataclasses import dataclass

from sealbox.barrier.autounseal import SHAMIR, quorum, stored_seal_type
from sealbox.barrier.barrier import Barrier
from sealbox.barrier.seal import UnsealProgress, read_seal_config
from sealbox.barrier.seal_migration import MigrationProgress, migration_step, pending_migration
from sealbox.barrier.seals.config import SealSetup
from sealbox.errors import InvalidRequest
from sealbox.logical.storage import Storage

Progress = UnsealProgress | MigrationProgress


async def seal_progress(physical: Storage, barrier: Barrier, setup: SealSetup) -> Progress:
    """The collector of operator shares: a migration's when one is pending, else Shamir's."""
    migration = await pending_migration(physical, setup.seal, setup.old_seal)
    if migration is None:
        return UnsealProgress(physical, barrier)
    threshold, _ = await quorum(physical)
    step = await migration_step(physical, barrier, migration, setup.seal, setup.old_seal)
    return MigrationProgress(threshold, step)


async def check_unseal_request(
    physical: Storage, progress: Progress, migrate: bool, setup: SealSetup
) -> None:
    """Refuse a share that cannot help: wrong ``migrate`` flag, or no Shamir seal to open."""
    if isinstance(progress, MigrationProgress):
        if not migrate:
            raise InvalidRequest(
                "a seal migration is pending: give the keys with migrate=true "
                "(sealbox operator unseal -migrate)"
            )
        return
    if migrate:
        raise InvalidRequest("migrate was given but no seal migration is pending")
    stored = await stored_seal_type(physical)
    if stored not in (None, SHAMIR):
        if setup.seal is None:
            raise InvalidRequest(
                f"the root key is protected by a {stored} seal, but no seal is configured "
                f'(add the seal "{stored}" block, with disabled = "true" to migrate to Shamir)'
            )
        raise InvalidRequest(
            f"this server unseals itself with its {stored} seal; unseal keys are not used"
        )


@dataclass(frozen=True, slots=True)
class SealFields:
    """The seal-dependent members of ``sys/seal-status``."""

    seal_type: str
    threshold: int
    shares: int
    migration: bool
    recovery_seal: bool


async def status_fields(physical: Storage, setup: SealSetup) -> SealFields:
    """Type, t and n (the recovery keys' under an auto seal), migration and recovery_seal."""
    config = await read_seal_config(physical)
    if config is None:
        auto = setup.seal is not None
        kind = setup.seal.seal_type if setup.seal is not None else SHAMIR
        threshold = shares = 0
    else:
        auto = config.seal_type != SHAMIR
        kind = config.seal_type
        threshold, shares = await quorum(physical)
    migration = await pending_migration(physical, setup.seal, setup.old_seal)
    return SealFields(kind, threshold, shares, migration is not None, auto)
