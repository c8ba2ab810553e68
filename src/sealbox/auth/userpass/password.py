"""Password hashes for userpass: scrypt with a per-user salt, verified in constant time.

OpenBao stores bcrypt (cost 10); sealbox uses scrypt (N=2^15, r=8, p=1: 32 MiB, about 100 ms
on the 2-core development machine, slower per login than OpenBao's bcrypt), through hashlib's
OpenSSL binding, which releases the GIL so a login does not stall the event loop when run in a
thread. The stored form carries its parameters
(``scrypt$N$r$p$salt$hash``, base64), so they can be raised later without breaking old hashes.
A login for an unknown user is checked against a dummy hash, so the answer takes as long as
for a real user and the timing does not tell which users exist.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets

_N, _R, _P = 2**15, 8, 1
_LENGTH = 32
_MAXMEM = 128 * 1024 * 1024


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=_LENGTH
    )


def hash_password(password: str) -> str:
    """A new salted hash of ``password`` in the stored form."""
    salt = secrets.token_bytes(16)
    digest = _derive(password, salt, _N, _R, _P)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str | None) -> bool:
    """Whether ``password`` matches ``stored``; ``None`` burns the same time and fails."""
    try:
        scheme, n, r, p, salt, digest = (stored or _dummy()).split("$")
        expected = base64.b64decode(digest)
        actual = _derive(password, base64.b64decode(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return scheme == "scrypt" and hmac.compare_digest(actual, expected) and stored is not None


@functools.cache
def _dummy() -> str:
    return hash_password(secrets.token_urlsafe(16))
