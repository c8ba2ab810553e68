"""Audit devices: where the audit broker (``sealbox.core.audit``) sends its entries.

Mirrors OpenBao's builtin/audit/* plugins, reduced to their sink: the broker formats and
HMACs each entry (audit/entry_formatter.go, audit/hashstructure.go live in
``sealbox.audit.format``) and hands a device one complete JSON line to append. A device
records the whole line or raises ``OSError``; it never records half of one.

``DEVICE_TYPES`` is the registry the broker reads, like ``sealbox.engines.ENGINE_FACTORIES``:
a device type is one module here plus one line in that table. A factory takes the device's
options and the directories the server's configuration lets API-enabled devices write to.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol, runtime_checkable

from sealbox.audit.file import FileAuditDevice


@runtime_checkable
class AuditDevice(Protocol):
    """A sink for formatted audit lines."""

    async def write(self, line: bytes) -> None:
        """Append ``line`` (one JSON entry ending in a newline) or raise ``OSError``."""
        ...

    async def close(self) -> None:
        """Release the sink; further writes raise ``OSError``. Idempotent."""
        ...


DeviceFactory = Callable[[Mapping[str, str], Sequence[str]], AuditDevice]

DEVICE_TYPES: Mapping[str, DeviceFactory] = {"file": FileAuditDevice}

__all__ = ["DEVICE_TYPES", "AuditDevice", "DeviceFactory"]
