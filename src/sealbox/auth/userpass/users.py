"""Stored userpass users: the password hash plus token settings, one record per user.

Mirrors OpenBao's builtin/credential/userpass ``UserEntry`` (``user/<name>`` in the mount's
storage); names are lower-cased as OpenBao does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson

from sealbox.framework.tokenutil import TokenSettings
from sealbox.logical import Storage

_PREFIX = "user/"


@dataclass(slots=True)
class User:
    """One user: its password hash (never shown) and token settings."""

    name: str
    password_hash: str = field(default="", repr=False)
    token: TokenSettings = field(default_factory=TokenSettings)


class UserStore:
    """Users of one userpass mount."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    async def get(self, name: str) -> User | None:
        """The user called ``name`` (already lower-cased)."""
        blob = await self._storage.get(_PREFIX + name)
        if blob is None:
            return None
        raw = orjson.loads(blob)
        return User(
            raw["name"], raw.get("password_hash", ""), TokenSettings.from_json(raw["token"])
        )

    async def put(self, user: User) -> None:
        """Store ``user``."""
        raw = {
            "name": user.name,
            "password_hash": user.password_hash,
            "token": user.token.to_json(),
        }
        await self._storage.put(_PREFIX + user.name, orjson.dumps(raw))

    async def delete(self, name: str) -> None:
        """Remove the user ``name``."""
        await self._storage.delete(_PREFIX + name)

    async def names(self) -> list[str]:
        """Every user name, sorted."""
        return sorted(await self._storage.list(_PREFIX))
