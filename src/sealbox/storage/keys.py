"""Key validation shared by every physical backend.

OpenBao's physical backends accept any string and leave path hygiene to the barrier view
(sdk/logical/storage_view.go refuses relative paths). We check at the bottom as well, so a
backend can never be asked to store something a prefix view could not reach back safely: no
empty keys, no leading ``/``, no ``..`` segments, no NUL, and nothing that is not valid
Unicode (a lone surrogate cannot be encoded, and SQLite orders keys by their UTF-8 bytes).

``InvalidKey`` is both an ``InvalidRequest`` (a 400 if it ever reaches a client) and a
``ValueError`` (what ``logical.storage.validate_key`` raises), so callers may catch either.
The message never repeats the key.
"""

from __future__ import annotations

import functools

from sealbox.errors import InvalidRequest

_MAX_CODE_POINT = 0x10FFFF
_SURROGATES = range(0xD800, 0xE000)


class InvalidKey(InvalidRequest, ValueError):
    """A storage key or list prefix that no backend accepts."""

    default_message = "invalid storage key"


@functools.lru_cache(maxsize=65536)
def _acceptable(prefix: str) -> bool:
    # Cached: the same keys are checked on every request at more than one layer.
    if prefix.startswith("/") or "\x00" in prefix or ".." in prefix.split("/"):
        return False
    try:
        prefix.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_prefix(prefix: str) -> None:
    """Validate a list prefix: like a key, but the empty prefix (the root) is allowed."""
    if not _acceptable(prefix):
        raise InvalidKey


def check_key(key: str) -> None:
    """Validate a key for get, put and delete."""
    check_prefix(key)
    if not key:
        raise InvalidKey


def upper_bound(prefix: str) -> str | None:
    """The smallest string above every string that starts with ``prefix`` (None: no bound)."""
    chars = list(prefix)
    while chars:
        point = ord(chars.pop()) + 1
        if point <= _MAX_CODE_POINT:
            if point in _SURROGATES:
                point = _SURROGATES.stop
            return "".join(chars) + chr(point)
    return None
