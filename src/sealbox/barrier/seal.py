"""The Shamir seal: unseal-key shares protect the root key, the root key opens the barrier.

Mirrors OpenBao's Shamir seal (vault/seal_config.go, vault/init.go, vault/core.go unseal and
vault/rekey.go). At ``sys/init`` a random 32-byte *unseal key* is split into
``secret_shares`` shares, any ``secret_threshold`` of which recombine it (shamir.py, Vault's
share format); with a single share the unseal key itself is the share, as in Vault. The
unseal key AES-GCM-encrypts the *root key* (aes_gcm.py record, path ``core/root-key`` as
associated data), and the root key encrypts the barrier keyring. The seal configuration is
plaintext JSON at ``core/seal-config``: ``{"type": "shamir", "secret_shares": n,
"secret_threshold": t}`` (``type`` is there for the auto-unseal seals that come later).

``initialize`` leaves the barrier sealed, as ``sys/init`` does in OpenBao; the caller unseals
with the returned shares (dev mode does that straight away). Errors use Vault's wording:
"invalid seal configuration: ..." for bad share counts and "Unseal failed, invalid key" when
shares do not open the root key. No message ever includes key material.
"""

from __future__ import annotations

import hmac
import json
import uuid
from dataclasses import dataclass, field

from sealbox import shamir
from sealbox.barrier import aes_gcm
from sealbox.barrier.barrier import Barrier
from sealbox.barrier.paths import ROOT_KEY_PATH, SEAL_CONFIG_PATH
from sealbox.errors import AlreadyExists, IntegrityError, InvalidRequest, NotInitialized
from sealbox.logical.storage import Storage, TxOp

SEAL_TYPE = "shamir"
MAX_SHARES = 255
# Vault's unsealFragment bounds: the shortest barrier key, and the longest plus one x byte.
_MIN_SHARE_LEN = 16
_MAX_SHARE_LEN = aes_gcm.KEY_SIZE + 1
_INVALID_KEY = "Unseal failed, invalid key"


@dataclass(frozen=True, slots=True)
class SealConfig:
    """How many shares exist and how many open the seal."""

    secret_shares: int
    secret_threshold: int
    seal_type: str = SEAL_TYPE

    def validate(self) -> None:
        """Vault's SealConfig.Validate checks, in Vault's order and words."""
        problem = _config_problem(self.secret_shares, self.secret_threshold)
        if problem:
            raise InvalidRequest(f"invalid seal configuration: {problem}")

    def to_json(self) -> bytes:
        document = {
            "type": self.seal_type,
            "secret_shares": self.secret_shares,
            "secret_threshold": self.secret_threshold,
        }
        return json.dumps(document, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> SealConfig:
        try:
            document = json.loads(data)
            return cls(
                int(document["secret_shares"]),
                int(document["secret_threshold"]),
                str(document.get("type", SEAL_TYPE)),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise IntegrityError from err


@dataclass(frozen=True, slots=True)
class InitResult:
    """What ``sys/init`` hands to the operator once, and never stores in the clear."""

    key_shares: list[bytes] = field(repr=False)
    root_key: bytes = field(repr=False)


def _config_problem(shares: int, threshold: int) -> str:
    if shares < 1:
        return "shares must be at least one"
    if threshold < 1:
        return "threshold must be at least one"
    if shares > 1 and threshold == 1:
        return "threshold must be greater than one for multiple shares"
    if shares > MAX_SHARES:
        return "shares must be less than 256"
    if threshold > MAX_SHARES:
        return "threshold must be less than 256"
    if threshold > shares:
        return "threshold cannot be larger than shares"
    return ""


async def read_seal_config(physical: Storage) -> SealConfig | None:
    """The stored seal configuration, or None before ``initialize``."""
    data = await physical.get(SEAL_CONFIG_PATH)
    return None if data is None else SealConfig.from_json(data)


async def initialize(
    physical: Storage, barrier: Barrier, shares: int, threshold: int
) -> InitResult:
    """Create root key, unseal key, shares and keyring; the barrier stays sealed."""
    config = SealConfig(shares, threshold)
    config.validate()
    if await barrier.initialized() or await read_seal_config(physical) is not None:
        raise AlreadyExists("Vault is already initialized")
    root_key = aes_gcm.new_key()
    unseal_key = aes_gcm.new_key()
    # One transaction for seal config, sealed root key and keyring: all or nothing.
    await barrier.initialize(
        root_key,
        with_ops=[
            TxOp(SEAL_CONFIG_PATH, config.to_json()),
            TxOp(ROOT_KEY_PATH, _encrypt_root_key(unseal_key, root_key)),
        ],
    )
    return InitResult(_split(unseal_key, config), root_key)


async def recover_unseal_key(physical: Storage, shares: list[bytes]) -> bytes:
    """Combine ``shares`` and prove the result opens the stored root key; return it.

    This is how rekey and generate-root check that a quorum of key holders agreed.
    """
    config = await read_seal_config(physical)
    if config is None:
        raise NotInitialized
    if config.seal_type != SEAL_TYPE:
        # An auto-unseal seal: operators hold recovery keys instead (barrier/autounseal.py).
        from sealbox.barrier.autounseal import recover_recovery_key

        return await recover_recovery_key(physical, shares)
    unseal_key = _combine(shares)
    await _decrypt_root_key(physical, unseal_key)
    return unseal_key


async def rekey_shares(
    physical: Storage, unseal_key: bytes, shares: int, threshold: int
) -> list[bytes]:
    """Replace the unseal key and its shares; the root key (and all data) stay the same."""
    SealConfig(shares, threshold).validate()
    new_unseal_key = aes_gcm.new_key()
    await replace_unseal_key(physical, unseal_key, new_unseal_key, shares, threshold)
    return _split(new_unseal_key, SealConfig(shares, threshold))


async def replace_unseal_key(
    physical: Storage, unseal_key: bytes, new_unseal_key: bytes, shares: int, threshold: int
) -> None:
    """Re-encrypt the root key under ``new_unseal_key`` and store the new share counts.

    For rekey with verification, where the new shares were handed out (and proven) before the
    switch. ``unseal_key`` must open the stored root key; seal config and root key change in
    one transaction.
    """
    config = SealConfig(shares, threshold)
    config.validate()
    stored = await read_seal_config(physical)
    if stored is not None and stored.seal_type != SEAL_TYPE:
        # Under an auto-unseal seal the operators hold recovery keys: rekey replaces those.
        from sealbox.barrier.autounseal import replace_recovery_key

        await replace_recovery_key(physical, unseal_key, new_unseal_key, shares, threshold)
        return
    if len(new_unseal_key) != aes_gcm.KEY_SIZE:
        raise InvalidRequest(_INVALID_KEY)
    root_key = await _decrypt_root_key(physical, unseal_key)
    await physical.transaction(
        [
            TxOp(SEAL_CONFIG_PATH, config.to_json()),
            TxOp(ROOT_KEY_PATH, _encrypt_root_key(new_unseal_key, root_key)),
        ]
    )


class UnsealProgress:
    """Collects unseal shares until the threshold is reached (``sys/unseal``).

    ``nonce`` identifies the current attempt (a uuid4 from the first share, "" when idle);
    a share already given is ignored, ``reset()`` discards everything (``reset=true``).
    """

    def __init__(self, physical: Storage, barrier: Barrier) -> None:
        self._physical = physical
        self._barrier = barrier
        self._shares: list[bytes] = []
        self.nonce = ""

    def __repr__(self) -> str:
        return f"UnsealProgress(progress={self.progress}, nonce={self.nonce!r})"

    @property
    def progress(self) -> int:
        """How many distinct shares have been given in this attempt."""
        return len(self._shares)

    def reset(self) -> None:
        self._shares = []
        self.nonce = ""

    async def submit(self, share: bytes) -> bool:
        """Add one share; at the threshold, unseal. Returns whether the barrier is unsealed.

        A wrong set of shares raises ``InvalidRequest`` and resets the attempt, as in Vault.
        """
        if not self._barrier.sealed:
            return True
        config = await read_seal_config(self._physical)
        if config is None:
            raise NotInitialized
        _check_share_length(share)
        if any(hmac.compare_digest(given, share) for given in self._shares):
            return False
        if not self._shares:
            self.nonce = str(uuid.uuid4())
        self._shares.append(bytes(share))
        if len(self._shares) < config.secret_threshold:
            return False
        shares = self._shares
        self.reset()
        root_key = await _decrypt_root_key(self._physical, _combine(shares))
        await self._barrier.unseal(root_key)
        return True


def _check_share_length(share: bytes) -> None:
    if len(share) < _MIN_SHARE_LEN:
        raise InvalidRequest(f"invalid key: key is shorter than minimum {_MIN_SHARE_LEN} bytes")
    if len(share) > _MAX_SHARE_LEN:
        raise InvalidRequest(f"invalid key: key is longer than maximum {_MAX_SHARE_LEN} bytes")


def _split(unseal_key: bytes, config: SealConfig) -> list[bytes]:
    if config.secret_shares == 1:
        return [unseal_key]
    return shamir.split(unseal_key, config.secret_shares, config.secret_threshold)


def _combine(shares: list[bytes]) -> bytes:
    if len(shares) == 1:
        return bytes(shares[0])
    try:
        return shamir.combine(shares)
    except ValueError as err:
        raise InvalidRequest(f"failed to compute root key: {err}") from err


def _encrypt_root_key(unseal_key: bytes, root_key: bytes) -> bytes:
    return aes_gcm.encrypt(aes_gcm.new_aead(unseal_key), 0, ROOT_KEY_PATH, root_key)


async def _decrypt_root_key(physical: Storage, unseal_key: bytes) -> bytes:
    record = await physical.get(ROOT_KEY_PATH)
    if record is None:
        raise NotInitialized
    if len(unseal_key) != aes_gcm.KEY_SIZE:
        raise InvalidRequest(_INVALID_KEY)
    try:
        root_key = aes_gcm.decrypt(aes_gcm.new_aead(unseal_key), record, ROOT_KEY_PATH)
    except IntegrityError as err:
        raise InvalidRequest(_INVALID_KEY) from err
    if len(root_key) != aes_gcm.KEY_SIZE:
        raise IntegrityError
    return root_key
