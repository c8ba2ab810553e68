"""What the ``sys/`` backend may touch: the core's stores, handed over one by one.

The system backend is part of the core, so it sees more than an engine does, but it still
gets only named pieces (the mount table, the policy and token stores, the audit broker,
wrapping, the keyring, the quorum operations and a way to seal), never the Core itself, so
nothing below ``core.py`` imports it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sealbox.barrier.barrier import KeyStatus
from sealbox.core.audit import AuditBroker
from sealbox.core.expiration import ExpirationManager
from sealbox.core.mount_table import MountTable
from sealbox.core.password_policies import PasswordPolicyStore
from sealbox.core.policy_store import PolicyStore
from sealbox.core.seal_ops import SealOperations
from sealbox.core.tokens import TokenStore
from sealbox.core.wrapping import Wrapper


class Sealer(Protocol):
    """Seals the server (``sys/seal``): tears the mounts down and forgets the keys."""

    async def seal(self) -> None: ...


class Keyring(Protocol):
    """The barrier's key terms (``sys/rotate``, ``sys/key-status``)."""

    async def rotate(self) -> int: ...

    def key_status(self) -> KeyStatus: ...


@dataclass(frozen=True, slots=True)
class SystemView:
    """The core services the ``sys/`` paths use."""

    mounts: MountTable
    policies: PolicyStore
    tokens: TokenStore
    audit: AuditBroker
    wrapper: Wrapper
    keyring: Keyring
    quorum: SealOperations
    sealer: Sealer
    leases: ExpirationManager
    password_policies: PasswordPolicyStore
