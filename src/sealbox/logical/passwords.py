"""The one core service an engine may ask for passwords: generation from a named policy.

OpenBao gives every backend ``System().GeneratePasswordFromPolicy(ctx, name)``; here the
core hands a backend this narrow view in its ``BackendConfig`` (``password_policies``), so the
database engine can honour a connection's ``password_policy`` without seeing the core.
"""

from __future__ import annotations

from typing import Protocol


class PasswordPolicies(Protocol):
    """Generates passwords from the server's stored password policies."""

    async def generate(self, name: str) -> str:
        """A new password from policy ``name``; raises when there is no such policy."""
        ...
