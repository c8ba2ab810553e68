"""Auto-unseal: the root key wrapped by a seal (Transit, static key), recovery keys, migration.

Mirrors OpenBao's auto-unseal (vault/seal_autoseal.go, vault/init.go, vault/seal_migration):

- ``initialize_auto``: a random root key is wrapped by the seal and stored at
  ``core/sealed-root-key``; ``core/seal-config`` says ``{"type": "transit", 1, 1}``; a random
  *recovery key* is split into ``recovery_shares`` (threshold ``recovery_threshold``), its
  quorum kept at ``core/recovery-config``. The recovery key never opens the root key: it only
  authorises operator actions (generate-root, rekey, migration). ``core/recovery-key`` holds an
  AES-GCM check value under it, so shares are proven without asking the seal.
- ``unseal_auto``: the seal unwraps the root key and the barrier opens, with no operator.

Migration between seals is in ``seal_migration.py``; the questions the core asks (which keys an
unseal takes, the seal-status fields) are answered in ``seal_control.py``.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass

from sealbox.barrier import aes_gcm
from sealbox.barrier.barrier import Barrier
from sealbox.barrier.paths import (
    RECOVERY_CONFIG_PATH,
    RECOVERY_KEY_PATH,
    SEAL_CONFIG_PATH,
    SEALED_ROOT_KEY_PATH,
)
from sealbox.barrier.seal import (
    InitResult,
    SealConfig,
    _combine,
    _config_problem,
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
    await verify_recovery_key(physical, key)
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


async def verify_recovery_key(physical: Storage, key: bytes) -> None:
    """Prove a combined recovery key against the check value (400 when it is wrong)."""
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


async def replace_recovery_key(
    physical: Storage, recovery_key: bytes, new_key: bytes, shares: int, threshold: int
) -> None:
    """Rekey of the recovery keys (sys/rekey under an auto seal): new key, new quorum.

    ``recovery_key`` must be the current one; config and check value change in one
    transaction. The root key and the seal's wrapping are untouched.
    """
    recovery = RecoveryConfig(shares, threshold)
    recovery.validate()
    await verify_recovery_key(physical, recovery_key)
    if len(new_key) != aes_gcm.KEY_SIZE:
        raise InvalidRequest(_INVALID_RECOVERY)
    await physical.transaction(
        [
            TxOp(RECOVERY_CONFIG_PATH, recovery.to_json()),
            TxOp(RECOVERY_KEY_PATH, _check_record(new_key)),
        ]
    )
