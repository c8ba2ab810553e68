"""The transit secrets engine: encryption as a service with named, versioned keys.

Mirrors openbao internal/builtin/logical/transit (backend.go): the routes of each resource
live in their own ``paths_*`` module and are listed here in match order. ``periodic`` rotates
keys whose ``auto_rotate_period`` has passed since their latest version was created (Vault's
``autoRotateKeys``); the core calls it every ``periodic_interval`` seconds.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sealbox.engines.transit.keyring import Clock, Keyring
from sealbox.engines.transit.paths_crypt import CryptPaths
from sealbox.engines.transit.paths_export import ExportPaths
from sealbox.engines.transit.paths_keys import KeyPaths
from sealbox.engines.transit.paths_misc import MiscPaths
from sealbox.engines.transit.paths_sign import SignPaths
from sealbox.engines.transit.policy import Policy
from sealbox.errors import SealboxError
from sealbox.framework import Backend, BackendConfig, Path

_log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


class TransitEngine(Backend):
    """Named keys that encrypt, sign and HMAC on behalf of clients."""

    backend_type = "transit"
    periodic_interval = 60.0

    def __init__(self, config: BackendConfig, clock: Clock | None = None) -> None:
        super().__init__(config)
        self.keyring = Keyring(clock or utc_now)
        paths: list[Path] = []
        for group in (KeyPaths, CryptPaths, ExportPaths, SignPaths, MiscPaths):
            paths.extend(group(self.keyring).paths())
        self.paths = paths

    def invalidate(self, key: str) -> None:
        """A key policy changed on the active: a standby must not encrypt with the old one."""
        self.keyring.store.invalidate(key)

    async def periodic(self) -> None:
        """Rotate every key that is due; one failing key does not stop the others."""
        storage = self.config.storage
        now = self.keyring.clock()
        for name in await self.keyring.store.names(storage):
            try:
                policy = await self.keyring.get(storage, name)
                if policy is not None and _due(policy, now):
                    await self.keyring.change(storage, name, self._rotate_if_due)
            except SealboxError as err:
                _log.warning("transit auto-rotation of a key failed: %s", type(err).__name__)

    def _rotate_if_due(self, policy: Policy) -> Policy:
        if not _due(policy, self.keyring.clock()):
            return policy
        _log.info("automatically rotating transit key %s", policy.name)
        return self.keyring.rotate(policy)


def _due(policy: Policy, now: datetime) -> bool:
    if policy.auto_rotate_period <= 0 or policy.soft_deleted:
        return False
    if policy.imported and not policy.allow_imported_key_rotation:
        return False
    latest = policy.entry(policy.latest_version)
    if latest is None:
        return False
    created = latest.created or datetime.fromtimestamp(latest.creation_time, UTC)
    return now > created + timedelta(seconds=policy.auto_rotate_period)


def transit_factory(config: BackendConfig) -> Backend:
    """A transit backend for one mount."""
    return TransitEngine(config)
