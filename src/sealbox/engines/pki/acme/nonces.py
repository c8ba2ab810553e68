"""Replay nonces (RFC 8555 6.5): single use, short lived, kept in memory per mount.

HA choice: nonces live in this node's memory only. A standby forwards requests to the active
node, so one node issues and consumes them; after a fail-over the client's nonce is unknown
and it gets ``badNonce``, which RFC 8555 clients retry with the fresh nonce that error carries.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

NONCE_TTL_SECONDS = 600.0
_MAX_OUTSTANDING = 100_000


class NonceStore:
    """Issued, unused nonces and when each expires."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._expiry: dict[str, float] = {}

    def issue(self) -> str:
        now = self._clock()
        if len(self._expiry) >= _MAX_OUTSTANDING:
            self._expiry = {n: t for n, t in self._expiry.items() if t > now}
            while len(self._expiry) >= _MAX_OUTSTANDING:
                self._expiry.pop(next(iter(self._expiry)))
        nonce = secrets.token_urlsafe(24)
        self._expiry[nonce] = now + NONCE_TTL_SECONDS
        return nonce

    def consume(self, nonce: str) -> bool:
        """Whether ``nonce`` was issued here, unused and unexpired; it is used up either way."""
        expiry = self._expiry.pop(nonce, None)
        return expiry is not None and expiry > self._clock()
