"""Password hashes for userpass: bcrypt cost 10 over an HMAC-SHA256 of the password.

OpenBao stores bcrypt at cost 10 (Go's default, OWASP's minimum); sealbox uses the same KDF and
cost, so a login costs what it costs there (about 90 ms of one core here, through pyca/bcrypt,
which releases the GIL: logins run in threads and use every core without stalling the event
loop). bcrypt reads at most 72 bytes and stops at a NUL, so the password is first reduced to
the base64 of its HMAC-SHA256 keyed with the hash's own salt: every byte of a long password
counts, and a stolen hash cannot be matched against unsalted SHA-256 lists from other breaches.
The stored form names its scheme (``bcrypt-sha256$<bcrypt hash>``); hashes in the earlier
``scrypt$N$r$p$salt$hash`` form still verify, so users created before keep logging in.
A login for an unknown user is checked against a dummy hash, so the answer takes as long as
for a real user and the timing does not tell which users exist.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets

import bcrypt

_SCHEME = "bcrypt-sha256"
_COST = 10
_SALT_LENGTH = 29  # "$2b$10$" and 22 characters of salt: the head of every bcrypt hash
_SCRYPT_MAXMEM = 128 * 1024 * 1024


def _prehash(password: str, salt: bytes) -> bytes:
    return base64.b64encode(hmac.digest(salt, password.encode(), "sha256"))


def hash_password(password: str) -> str:
    """A new salted hash of ``password`` in the stored form."""
    salt = bcrypt.gensalt(_COST)
    return f"{_SCHEME}${bcrypt.hashpw(_prehash(password, salt), salt).decode()}"


def verify_password(password: str, stored: str | None) -> bool:
    """Whether ``password`` matches ``stored``; ``None`` burns the same time and fails."""
    scheme, _, rest = (stored or _dummy()).partition("$")
    try:
        if scheme == _SCHEME:
            digest = rest.encode()
            matches = bcrypt.checkpw(_prehash(password, digest[:_SALT_LENGTH]), digest)
        elif scheme == "scrypt":
            matches = _verify_scrypt(password, rest)
        else:
            return False
    except ValueError:
        return False
    return matches and stored is not None


def _verify_scrypt(password: str, rest: str) -> bool:
    """The earlier form: ``N$r$p$salt$hash`` after the scheme, salt and hash in base64."""
    n, r, p, salt, digest = rest.split("$")
    actual = hashlib.scrypt(
        password.encode(),
        salt=base64.b64decode(salt),
        n=int(n),
        r=int(r),
        p=int(p),
        maxmem=_SCRYPT_MAXMEM,
        dklen=32,
    )
    return hmac.compare_digest(actual, base64.b64decode(digest))


@functools.cache
def _dummy() -> str:
    return hash_password(secrets.token_urlsafe(16))
