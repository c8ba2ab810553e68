"""Audit devices: where the audit broker (``sealbox.core.audit``) sends its entries.

Mirrors OpenBao's builtin/audit/* plugins, reduced to their sink: the broker formats and
HMACs each entry (audit/entry_formatter.go, audit/hashstructure.go live in
``sealbox.audit.format``) and hands a device one complete JSON line to append. A device
records the whole line or raises ``OSError``; it never records half of one.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class AuditDevice(Protocol):
    """A sink for formatted audit lines."""

    async def write(self, line: bytes) -> None:
        """Append ``line`` (one JSON entry ending in a newline) or raise ``OSError``."""
        ...

    async def close(self) -> None:
        """Release the sink; further writes raise ``OSError``. Idempotent."""
        ...


__all__ = ["AuditDevice"]
