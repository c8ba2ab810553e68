"""User lockout after repeated failed logins, shared by the password-style auth methods.

Mirrors OpenBao's user lockout (request_handling.go ``handleLoginRequest`` with
``user_lockout_config``): failures are counted per login name; once ``threshold`` failures
fall within ``counter_reset`` of each other the name is locked for ``duration``, and every
login of it is refused with 403 (right password or not) until then. A success clears the count.
OpenBao's defaults: 5 failures, 15 minutes, 15 minutes; a mount tunes them with
``sys/auth/:path/tune`` ``user_lockout_config``. The state is in memory, per mount.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """When to lock (OpenBao's user_lockout_config fields; durations in seconds)."""

    lockout_threshold: int = 5
    lockout_duration: int = 15 * 60
    lockout_counter_reset: int = 15 * 60
    lockout_disable: bool = False

    @classmethod
    def from_config(cls, raw: Mapping[str, Any]) -> LockoutPolicy:
        """The policy of a mount's tuned ``user_lockout_config`` (zero or unset = default)."""
        default = cls()
        return cls(
            lockout_threshold=int(raw.get("lockout_threshold") or default.lockout_threshold),
            lockout_duration=int(raw.get("lockout_duration") or default.lockout_duration),
            lockout_counter_reset=int(
                raw.get("lockout_counter_reset") or default.lockout_counter_reset
            ),
            lockout_disable=bool(raw.get("lockout_disable", False)),
        )


@dataclass(slots=True)
class _Record:
    count: int
    last_failure: datetime
    locked_until: datetime | None = None


class Lockout:
    """Failed-login bookkeeping for one mount."""

    def __init__(
        self,
        policy: LockoutPolicy | Callable[[], LockoutPolicy] | None = None,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        # A callable is asked on every failure, so a re-tuned mount applies at once.
        self._policy = policy or LockoutPolicy()
        self._clock = clock
        self._records: dict[str, _Record] = {}

    @property
    def policy(self) -> LockoutPolicy:
        """The policy in force now."""
        return self._policy() if callable(self._policy) else self._policy

    def locked(self, name: str) -> bool:
        """Whether ``name`` is locked out right now."""
        record = self._records.get(name)
        if record is None or record.locked_until is None:
            return False
        if self._clock() >= record.locked_until:
            del self._records[name]
            return False
        return True

    def failed(self, name: str) -> None:
        """Count one failed login of ``name`` (locking it at the threshold)."""
        policy = self.policy
        if policy.lockout_disable or policy.lockout_threshold <= 0:
            return
        now = self._clock()
        record = self._records.get(name)
        reset = timedelta(seconds=policy.lockout_counter_reset)
        if record is None or now - record.last_failure > reset:
            record = _Record(count=0, last_failure=now)
            self._records[name] = record
        record.count += 1
        record.last_failure = now
        if record.count >= policy.lockout_threshold:
            record.locked_until = now + timedelta(seconds=policy.lockout_duration)

    def succeeded(self, name: str) -> None:
        """Forget the failures of ``name`` after a good login."""
        self._records.pop(name, None)

    def unlock(self, name: str) -> None:
        """Lift a lock by hand (OpenBao's sys/locked-users/:accessor/unlock/:alias)."""
        self._records.pop(name, None)
