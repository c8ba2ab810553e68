"""The security barrier: the encrypted ``Storage`` everything above the storage layer uses.

Mirrors OpenBao's vault/barrier_aes_gcm.go (``AESGCMBarrier``). Every value put through the
barrier is sealed with the active keyring term and its own storage path as associated data
(aes_gcm.py); a get decrypts with whichever term the record names. A record that is
tampered with, copied to another path or written under an unknown term raises
``IntegrityError``: the barrier never returns unauthenticated bytes.

Lifecycle: ``initialize(root_key)`` writes a new keyring (term 1) to ``core/keyring``
encrypted by the root key and, like OpenBao, leaves the barrier sealed; ``unseal(root_key)``
loads the keyring; ``seal()`` drops every key reference. (Python cannot wipe memory: the key
bytes go when the garbage collector frees them, as in any Python program.) While sealed every
storage call raises ``Sealed``.

``rotate`` and ``rekey`` rewrite the keyring with a single physical put, so the stored keyring
is always either the old or the new one. They are serialised by a lock and publish the new
keyring only after it is stored, and only if nobody sealed the barrier meanwhile.

The barrier's own entries (barrier/paths.py) are invisible through get and list and cannot
be written through it.
"""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sealbox.barrier import aes_gcm
from sealbox.barrier.keyring import Keyring
from sealbox.barrier.paths import KEYRING_PATH, RESERVED_PATHS
from sealbox.errors import (
    AlreadyExists,
    IntegrityError,
    InvalidRequest,
    NotInitialized,
    Sealed,
)
from sealbox.logical.storage import Storage, TxOp
from sealbox.storage.keys import check_key, check_prefix

Clock = Callable[[], datetime]

# The keyring record is encrypted by the root key, not by a keyring term; term 0 marks that.
_ROOT_KEY_TERM = 0
_INVALID_KEY_MESSAGE = "Unseal failed, invalid key"


def utc_now() -> datetime:
    """The default clock: aware UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class KeyStatus:
    """What ``sys/key-status`` reports about the active term."""

    term: int
    install_time: datetime
    encryptions: int


@dataclass(slots=True)
class _Unsealed:
    """Everything the barrier knows only while unsealed."""

    root: AESGCM
    keyring: Keyring
    encryptions: dict[int, int]


class Barrier:
    """AES-256-GCM barrier over a physical ``Storage``; itself a ``Storage``."""

    def __init__(self, physical: Storage, clock: Clock = utc_now) -> None:
        self._physical = physical
        self._clock = clock
        self._state: _Unsealed | None = None
        self._generation = 0  # bumped on every seal/unseal, to spot a seal during an await
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"Barrier(sealed={self.sealed})"

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def sealed(self) -> bool:
        return self._state is None

    async def initialized(self) -> bool:
        """Whether a keyring has been written (``sys/init`` has run)."""
        return await self._physical.get(KEYRING_PATH) is not None

    async def initialize(self, root_key: bytes, *, with_ops: Sequence[TxOp] = ()) -> None:
        """Create the keyring (term 1) under ``root_key``; the barrier stays sealed.

        ``with_ops`` are physical writes committed in the same transaction as the keyring
        (the seal's config and sealed root key), so initialization is all or nothing.
        """
        root = _root_aead(root_key)
        if await self.initialized():
            raise AlreadyExists("Vault is already initialized")
        keyring = Keyring.new(self._clock())
        record = _keyring_record(root, keyring, {})
        await self._physical.transaction([*with_ops, TxOp(KEYRING_PATH, record)])

    async def unseal(self, root_key: bytes) -> None:
        """Load the keyring with ``root_key``; a wrong key leaves the barrier sealed."""
        if self._state is not None:
            return
        root = _root_aead(root_key)
        record = await self._physical.get(KEYRING_PATH)
        if record is None:
            raise NotInitialized
        try:
            plaintext = aes_gcm.decrypt(root, record, KEYRING_PATH)
        except IntegrityError as err:
            raise InvalidRequest(_INVALID_KEY_MESSAGE) from err
        keyring, counts = Keyring.from_json(plaintext)
        if self._state is None:
            self._state = _Unsealed(root, keyring, counts)
            self._generation += 1

    async def reload(self) -> None:
        """Re-read the keyring: another node on shared storage may have rotated it (HA).

        Raises ``IntegrityError`` if the root key changed elsewhere (a rekey): then only a
        new unseal can open the barrier.
        """
        state = self._require_unsealed()
        record = await self._physical.get(KEYRING_PATH)
        if record is None:
            raise NotInitialized
        keyring, counts = Keyring.from_json(aes_gcm.decrypt(state.root, record, KEYRING_PATH))
        if self._state is state:
            self._state = _Unsealed(state.root, keyring, counts)

    def seal(self) -> None:
        """Forget every key."""
        self._state = None
        self._generation += 1

    async def rotate(self) -> int:
        """Add a keyring term, store the keyring, make the term active; return it."""
        async with self._lock:
            state = self._require_unsealed()
            keyring = state.keyring.rotated(self._clock())
            generation = self._generation
            await self._store_keyring(state.root, keyring, state.encryptions)
            if self._generation == generation:
                state.keyring = keyring
            return keyring.active_term

    async def rekey(self, new_root_key: bytes) -> None:
        """Re-encrypt the keyring under ``new_root_key`` (OpenBao's root key rotation)."""
        root = _root_aead(new_root_key)
        async with self._lock:
            state = self._require_unsealed()
            generation = self._generation
            await self._store_keyring(root, state.keyring, state.encryptions)
            if self._generation == generation:
                state.root = root

    def key_status(self) -> KeyStatus:
        """The active term, when it was installed and how often it has encrypted."""
        state = self._require_unsealed()
        active = state.keyring.active
        return KeyStatus(active.term, active.install_time, state.encryptions.get(active.term, 0))

    # -- Storage ---------------------------------------------------------------------------

    async def get(self, key: str) -> bytes | None:
        check_key(key)
        self._require_unsealed()
        if key in RESERVED_PATHS:
            return None
        record = await self._physical.get(key)
        # Re-check: the barrier may have been sealed while storage was answering.
        state = self._require_unsealed()
        if record is None:
            return None
        return _open(state.keyring, key, record)

    async def put(self, key: str, value: bytes) -> None:
        check_key(key)
        _refuse_reserved(key)
        await self._physical.put(key, self._seal_value(key, value))

    async def delete(self, key: str) -> None:
        check_key(key)
        _refuse_reserved(key)
        self._require_unsealed()
        await self._physical.delete(key)

    async def list(self, prefix: str) -> builtins.list[str]:
        check_prefix(prefix)
        self._require_unsealed()
        names = await self._physical.list(prefix)
        return await self._hide_reserved(prefix, names)

    async def transaction(self, ops: builtins.list[TxOp]) -> None:
        for op in ops:
            check_key(op.key)
            _refuse_reserved(op.key)
        self._require_unsealed()
        sealed_ops = [
            TxOp(op.key, None if op.value is None else self._seal_value(op.key, op.value))
            for op in ops
        ]
        await self._physical.transaction(sealed_ops)

    # -- internals -------------------------------------------------------------------------

    def _require_unsealed(self) -> _Unsealed:
        if self._state is None:
            raise Sealed
        return self._state

    def _seal_value(self, key: str, value: bytes) -> bytes:
        state = self._require_unsealed()
        keyring = state.keyring
        term = keyring.active_term
        aead = keyring.aead(term)
        if aead is None:  # pragma: no cover - Keyring guarantees the active term exists
            raise IntegrityError
        record = aes_gcm.encrypt(aead, term, key, bytes(value))
        state.encryptions[term] = state.encryptions.get(term, 0) + 1
        return record

    async def _store_keyring(
        self, root: AESGCM, keyring: Keyring, encryptions: dict[int, int]
    ) -> None:
        await self._physical.put(KEYRING_PATH, _keyring_record(root, keyring, encryptions))

    async def _hide_reserved(self, prefix: str, names: builtins.list[str]) -> builtins.list[str]:
        """Drop reserved entries, and folders that hold nothing but reserved entries."""
        visible: builtins.list[str] = []
        for name in names:
            full = prefix + name
            if full in RESERVED_PATHS:
                continue
            if name.endswith("/") and any(path.startswith(full) for path in RESERVED_PATHS):
                inner = await self._hide_reserved(full, await self._physical.list(full))
                if not inner:
                    continue
            visible.append(name)
        return visible


def _root_aead(root_key: bytes) -> AESGCM:
    if len(root_key) != aes_gcm.KEY_SIZE:
        raise InvalidRequest(_INVALID_KEY_MESSAGE)
    return aes_gcm.new_aead(bytes(root_key))


def _keyring_record(root: AESGCM, keyring: Keyring, encryptions: dict[int, int]) -> bytes:
    plaintext = keyring.to_json(encryptions)
    return aes_gcm.encrypt(root, _ROOT_KEY_TERM, KEYRING_PATH, plaintext)


def _refuse_reserved(key: str) -> None:
    if key in RESERVED_PATHS:
        raise InvalidRequest("cannot write to a path reserved by the barrier")


def _open(keyring: Keyring, key: str, record: bytes) -> bytes:
    aead = keyring.aead(aes_gcm.record_term(record))
    if aead is None:
        raise IntegrityError
    return aes_gcm.decrypt(aead, record, key)
