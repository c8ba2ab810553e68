"""Shamir's secret sharing over GF(2^8), in the share format of Vault and SOPS.

Each byte of the secret is the constant term of its own random polynomial of degree
``threshold - 1``. A share is the polynomial values at one x coordinate, one byte per secret
byte, followed by that x coordinate as the final byte: the layout of Vault's
``shamir.Split`` (used by Vault unseal keys and by SOPS key groups), so shares interoperate.
The field is GF(2^8) with the AES polynomial x^8 + x^4 + x^3 + x + 1.
"""

from __future__ import annotations

import base64
import binascii
import secrets

from sealbox.errors import InvalidRequest

_EXP = [0] * 510
_LOG = [0] * 256


def _build_tables() -> None:
    value = 1
    for power in range(255):
        _EXP[power] = value
        _LOG[value] = power
        # multiply by the generator 3 = x + 1
        doubled = value << 1
        if doubled & 0x100:
            doubled ^= 0x11B
        value ^= doubled
    for power in range(255, 510):
        _EXP[power] = _EXP[power - 255]


_build_tables()


def _mul(a: int, b: int) -> int:
    if a == 0 or b == 0:
        return 0
    return _EXP[_LOG[a] + _LOG[b]]


def _div(a: int, b: int) -> int:
    if b == 0:
        raise ZeroDivisionError("division by zero in GF(2^8)")
    if a == 0:
        return 0
    return _EXP[(_LOG[a] - _LOG[b]) % 255]


def _evaluate(coefficients: list[int], x: int) -> int:
    """Horner's rule; coefficients[0] is the constant term."""
    result = 0
    for coefficient in reversed(coefficients):
        result = _mul(result, x) ^ coefficient
    return result


def split(secret: bytes, parts: int, threshold: int) -> list[bytes]:
    """Split ``secret`` into ``parts`` shares, any ``threshold`` of which recombine it."""
    if not secret:
        raise ValueError("cannot split an empty secret")
    if not 2 <= threshold <= parts <= 255:
        # compat: Vault's shamir.Split refuses a threshold below 2; callers keep 1-of-1 unsplit.
        raise ValueError("need 2 <= threshold <= parts <= 255")
    x_coordinates = _distinct_nonzero(parts)
    shares = [bytearray(len(secret) + 1) for _ in range(parts)]
    for share, x in zip(shares, x_coordinates, strict=True):
        share[-1] = x
    for index, byte in enumerate(secret):
        coefficients = [byte] + [secrets.randbelow(256) for _ in range(threshold - 1)]
        for share, x in zip(shares, x_coordinates, strict=True):
            share[index] = _evaluate(coefficients, x)
    return [bytes(share) for share in shares]


def combine(shares: list[bytes]) -> bytes:
    """Recombine a secret from at least ``threshold`` shares (Lagrange at x = 0).

    With fewer shares than the threshold the result is a wrong secret, not an error: callers
    detect that by authenticating what the secret protects.
    """
    if not shares:
        raise ValueError("no shares to combine")
    length = len(shares[0])
    if length < 2 or any(len(share) != length for share in shares):
        raise ValueError("all shares must have the same length of at least two bytes")
    if len(shares) < 2:
        raise ValueError("at least two shares are needed")
    xs = [share[-1] for share in shares]
    if len(set(xs)) != len(xs) or 0 in xs:
        raise ValueError("duplicate or invalid share")
    secret = bytearray(length - 1)
    for index in range(length - 1):
        value = 0
        for i, x_i in enumerate(xs):
            basis = 1
            for j, x_j in enumerate(xs):
                if i != j:
                    basis = _mul(basis, _div(x_j, x_j ^ x_i))
            value ^= _mul(shares[i][index], basis)
        secret[index] = value
    return bytes(secret)


def _distinct_nonzero(count: int) -> list[int]:
    pool = list(range(1, 256))
    chosen: list[int] = []
    for _ in range(count):
        chosen.append(pool.pop(secrets.randbelow(len(pool))))
    return chosen


# compat: Vault's unseal key share is 16..33 bytes (the barrier key plus the x coordinate).
_SHARE_MIN, _SHARE_MAX = 16, 33


def decode_share(key: str) -> bytes:
    """A key share in hex or base64, as Vault accepts both for unseal, rekey and generate-root.

    compat: hex is taken only when it decodes to a plausible share length (16..33 bytes,
    Core.BarrierKeyLength); anything else is tried as base64 (http/sys_seal.go).
    """
    try:
        share = bytes.fromhex(key)
        if _SHARE_MIN <= len(share) <= _SHARE_MAX:
            return share
    except ValueError:
        pass
    try:
        return base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError) as err:
        raise InvalidRequest("'key' must be a valid hex or base64 string") from err
