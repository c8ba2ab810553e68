"""Auto-unseal: the root key wrapped by a seal (Transit, static key), recovery keys, migration.

Mirrors OpenBao's auto-unseal (vault/seal_autoseal.go, vault/init.go, vault/seal_migration):

- ``initialize_auto``: a random root key is wrapped by the seal and stored at
  ``core/sealed-root-key``; ``core/seal-config`` says ``{"type": "transit", 1, 1}``; a random
  *recovery key* is split into ``recovery_shares`` (threshold ``recovery_threshold``), its
  quorum kept at ``core/recovery-config``. The recovery key never opens the root key: it only
  authorises operator actions (generate-root, migration). ``core/recovery-key`` holds an
  AES-GCM check value under it, so shares are proven without asking the seal.
- ``unseal_auto``: the seal unwraps the root key and the barrier opens, with no operator.
- Migration, collected through ``MigrationProgress`` (``sys/unseal`` with ``migrate``):
  Shamir to auto takes the *unseal* keys, wraps the same root key with the new seal and turns
  the unseal key into the recovery key (same shares, same threshold, as Vault does); auto to
  Shamir takes the *recovery* keys and the old (disabled) seal, and the recovery key becomes
  the unseal key; auto to auto re-wraps with the new seal. Each switch is one storage
  transaction, and the root key (so every stored value) stays the same: no data is touched.
"""

from __future__ import annotations

import hmac
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sealbox.barrier import aes_gcm
from sealbox.barrier.barrier import Barrier
from sealbox.barrier.paths import (
    RECOVERY_CONFIG_PATH,
    RECOVERY_KEY_PATH,
    ROOT_KEY_PATH,
    SEAL_CONFIG_PATH,
    SEALED_ROOT_KEY_PATH,
)
from sealbox.barrier.seal import (
    InitResult,
    SealConfig,
    _combine,
    _config_problem,
    _decrypt_root_key,
    _encrypt_root_key,
    _split,
    read_seal_config,
)
from sealbox.barrier.seals.base import AutoSeal, Blob, SealDecryptError
from sealbox.errors import AlreadyExists, IntegrityError, InvalidRequest, NotInitialized
from sealbox.logical.storage import Storage, TxOp

SHAMIR = "shamir"
_CHECK = b"sealbox recovery key check v1"
_INVALID_RECOVERY = "recovery key verification failed: invalid recovery key"


@dataclass(frozen=True, slots=True)
class RecoveryConfig:
    """How many recovery shares exist and how many authorise an operation."""

    recovery_shares: int
    recovery_threshold: int

    def validate(self) -> None:
        problem = _config_problem(self.recovery_shares, self.recovery_threshold)
        if problem:
            raise InvalidRequest(f"invalid recovery configuration: {problem}")

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "type": SHAMIR,
                "secret_shares": self.recovery_shares,
                "secret_threshold": self.recovery_threshold,
            }
        ).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> RecoveryConfig:
        try:
            document = json.loads(raw)
            return cls(int(document["secret_shares"]), int(document["secret_threshold"]))
        except (KeyError, TypeError, ValueError) as err:
            raise IntegrityError from err


async def read_recovery_config(physical: Storage) -> RecoveryConfig | None:
    raw = await physical.get(RECOVERY_CONFIG_PATH)
    return None if raw is None else RecoveryConfig.from_json(raw)


async def stored_seal_type(physical: Storage) -> str | None:
    """The seal type recorded at init (None before init)."""
    config = await read_seal_config(physical)
    return None if config is None else config.seal_type


def _auto_config(seal: AutoSeal) -> SealConfig:
    return SealConfig(1, 1, seal.seal_type)


def _check_record(recovery_key: bytes) -> bytes:
    return aes_gcm.encrypt(aes_gcm.new_aead(recovery_key), 0, RECOVERY_KEY_PATH, _CHECK)


async def _wrap(seal: AutoSeal, root_key: bytes) -> bytes:
    blob = await seal.encrypt(root_key, SEALED_ROOT_KEY_PATH.encode())
    return json.dumps({"type": seal.seal_type, "blob": blob}).encode()


async def _unwrap(physical: Storage, seal: AutoSeal) -> bytes:
    raw = await physical.get(SEALED_ROOT_KEY_PATH)
    if raw is None:
        raise NotInitialized
    try:
        document = json.loads(raw)
        blob: Blob = {str(k): str(v) for k, v in document["blob"].items()}
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise IntegrityError from err
    root_key = await seal.decrypt(blob, SEALED_ROOT_KEY_PATH.encode())
    if len(root_key) != aes_gcm.KEY_SIZE:
        raise SealDecryptError("the seal returned something that is not a root key")
    return root_key


async def initialize_auto(
    physical: Storage,
    barrier: Barrier,
    seal: AutoSeal,
    recovery_shares: int,
    recovery_threshold: int,
) -> InitResult:
    """Create root key, recovery shares and keyring; the root key is wrapped by ``seal``."""
    recovery = RecoveryConfig(recovery_shares, recovery_threshold)
    recovery.validate()
    if await barrier.initialized() or await read_seal_config(physical) is not None:
        raise AlreadyExists("Vault is already initialized")
    root_key = aes_gcm.new_key()
    recovery_key = aes_gcm.new_key()
    wrapped = await _wrap(seal, root_key)  # before any write: an unreachable seal changes nothing
    await barrier.initialize(
        root_key,
        with_ops=[
            TxOp(SEAL_CONFIG_PATH, _auto_config(seal).to_json()),
            TxOp(SEALED_ROOT_KEY_PATH, wrapped),
            TxOp(RECOVERY_CONFIG_PATH, recovery.to_json()),
            TxOp(RECOVERY_KEY_PATH, _check_record(recovery_key)),
        ],
    )
    shares = _split(recovery_key, SealConfig(recovery_shares, recovery_threshold))
    return InitResult(shares, root_key)


async def unseal_auto(physical: Storage, barrier: Barrier, seal: AutoSeal) -> None:
    """Open the barrier with the root key ``seal`` unwraps."""
    stored = await stored_seal_type(physical)
    if stored is None:
        raise NotInitialized
    if stored != seal.seal_type:
        raise InvalidRequest(
            f"the stored seal is {stored!r} but {seal.seal_type!r} is configured; "
            "a seal migration is needed"
        )
    if barrier.sealed:
        await barrier.unseal(await _unwrap(physical, seal))


async def recover_recovery_key(physical: Storage, shares: list[bytes]) -> bytes:
    """Combine recovery ``shares`` and prove them against the check value."""
    key = _combine(shares)
    await _verify_recovery_key(physical, key)
    return key


async def quorum(physical: Storage) -> tuple[int, int]:
    """(threshold, shares) of the keys operators hold: recovery keys under an auto seal."""
    config = await read_seal_config(physical)
    if config is None:
        raise NotInitialized
    if config.seal_type == SHAMIR:
        return config.secret_threshold, config.secret_shares
    recovery = await read_recovery_config(physical)
    if recovery is None:
        raise IntegrityError
    return recovery.recovery_threshold, recovery.recovery_shares


# ---- migration ----------------------------------------------------------------------------


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
        await _verify_recovery_key(physical, shares_key)
        if seal is None:
            await migrate_to_shamir(physical, barrier, shares_key, old_seal)
        else:
            await migrate_between(physical, barrier, old_seal, seal)

    return to_auto if migration.source == SHAMIR else from_auto


async def _verify_recovery_key(physical: Storage, key: bytes) -> None:
    record = await physical.get(RECOVERY_KEY_PATH)
    if record is None:
        raise NotInitialized
    if len(key) != aes_gcm.KEY_SIZE:
        raise InvalidRequest(_INVALID_RECOVERY)
    try:
        check = aes_gcm.decrypt(aes_gcm.new_aead(key), record, RECOVERY_KEY_PATH)
    except (IntegrityError, ValueError) as err:
        raise InvalidRequest(_INVALID_RECOVERY) from err
    if not hmac.compare_digest(check, _CHECK):
        raise InvalidRequest(_INVALID_RECOVERY)
