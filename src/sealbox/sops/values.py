"""Scalar values as Go sops sees them: the bytes that are encrypted and MAC'd, and the way back.

Mirrors ``ToBytes`` (sops.go) and the ``type:`` tags of aes/cipher.go: ints as ``strconv.Itoa``,
floats as ``FormatFloat(f, 'f', -1, 64)`` (shortest round-trip digits, never an exponent), bools
as ``True``/``False`` (the Python-sops heritage), timestamps as RFC 3339 with nanoseconds. Python's
``repr``/``str`` differ from these, and the MAC would then differ from Go sops's, so every
conversion lives here. Also Go's ``'g'`` float formatting, which the YAML and JSON stores use.
"""

from __future__ import annotations

from datetime import datetime

from sealbox.goformat import GO_FALSE, GO_TRUE, parse_rfc3339, rfc3339_nano
from sealbox.sops.tree import Comment, Value


def type_name(value: Value) -> str:
    """The ``type:`` tag Go sops writes for ``value``."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, datetime):
        return "time"
    if isinstance(value, Comment):
        return "comment"
    if isinstance(value, str | bytes):
        return "str"
    raise TypeError(f"cannot encrypt a value of type {type(value).__name__}")


def to_bytes(value: Value) -> bytes:
    """The canonical bytes of a scalar: what is encrypted and fed to the MAC."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    if isinstance(value, bytes):
        return value
    if isinstance(value, bool):
        return b"True" if value else b"False"
    if isinstance(value, int):
        return str(value).encode()
    if isinstance(value, float):
        return format_float_f(value).encode()
    if isinstance(value, datetime):
        return rfc3339_nano(value).encode()
    if isinstance(value, Comment):
        return value.value.encode("utf-8", "surrogateescape")
    raise TypeError(f"cannot encode a value of type {type(value).__name__}")


def from_bytes(data: bytes, type_tag: str) -> Value:
    """Turn decrypted plaintext back into a value of the given ``type:`` tag.

    A ``str`` that is not UTF-8 comes back as ``bytes``: Go strings are byte strings, and the
    binary store must return the file byte for byte.
    """
    if type_tag == "str":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data  # raw bytes (binary store): Go strings need not be UTF-8
    text = data.decode("utf-8", "surrogateescape")
    if type_tag == "int":
        return int(text)
    if type_tag == "float":
        return float(text)
    if type_tag == "bool":
        if text in GO_TRUE:
            return True
        if text in GO_FALSE:
            return False
        raise ValueError("invalid bool plaintext")
    if type_tag == "time":
        return parse_rfc3339(text)
    if type_tag == "comment":
        return Comment(text)
    if type_tag == "bytes":
        return data
    raise ValueError(f"unknown value type {type_tag!r}")


def format_float_f(value: float) -> str:
    """Go's ``strconv.FormatFloat(value, 'f', -1, 64)``."""
    special = _special_float(value)
    if special is not None:
        return special
    from decimal import Decimal  # lazy: only floats need it, and start-up time counts

    return format(Decimal(repr(value)).normalize(), "f")


def format_float_g(value: float) -> str:
    """Go's ``strconv.FormatFloat(value, 'g', -1, 64)`` (``%e`` when exponent < -4 or >= 6)."""
    special = _special_float(value)
    if special is not None:
        return special
    from decimal import Decimal

    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    exponent = int(exponent)
    text = "".join(str(d) for d in digits)
    decimal_exp = len(text) + exponent - 1
    minus = "-" if sign else ""
    if value == 0:
        return minus + "0"
    if decimal_exp < -4 or decimal_exp >= 6:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        exp_sign = "-" if decimal_exp < 0 else "+"
        return f"{minus}{mantissa}e{exp_sign}{abs(decimal_exp):02d}"
    return minus + format(Decimal(repr(abs(value))).normalize(), "f")


def _special_float(value: float) -> str | None:
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "+Inf"
    if value == float("-inf"):
        return "-Inf"
    return None


def val_to_string(value: Value) -> str:
    """Go sops's ``ValToString`` for dotenv, INI and exec-env: non-strings as text."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = format_float_g(value).upper()
        if text.lstrip("+-").isdigit():
            text += ".0"
        return text
    if isinstance(value, datetime):
        return rfc3339_nano(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    return str(value)
