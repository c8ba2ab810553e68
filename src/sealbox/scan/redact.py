"""Redaction: what a report shows of a secret unless the user asked to see it.

At most the first four characters of a secret of 16 or more characters are kept (enough to tell
``AKIA`` from ``ghp_``), shorter secrets are replaced entirely; the source line is shown with
the secret replaced the same way, so context survives and the value does not.
"""

from __future__ import annotations

_MASK = "*****"


def redact(secret: str) -> str:
    """The redacted form of ``secret``."""
    first_line = secret.splitlines()[0] if secret else ""
    if first_line.startswith("-----BEGIN"):
        return first_line + _MASK
    if len(secret) >= 16:
        return secret[:4] + _MASK
    return _MASK


def redact_line(line: str, secret: str) -> str:
    """``line`` with every occurrence of ``secret`` (or its first line) redacted."""
    first = secret.splitlines()[0] if secret else ""
    if not first:
        return line
    return line.replace(first, redact(secret))
