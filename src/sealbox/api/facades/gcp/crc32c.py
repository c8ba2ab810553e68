"""CRC32C (Castagnoli), the checksum Secret Manager puts on payloads (``dataCrc32c``).

gcloud checks the value it gets back on access and sends one on addVersion, which the server
must verify. Payloads are at most 64 KiB, so a table-driven pure-Python loop is enough.
"""

from __future__ import annotations

_POLY = 0x82F63B78  # reflected Castagnoli polynomial


def _table() -> tuple[int, ...]:
    rows = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _POLY if crc & 1 else crc >> 1
        rows.append(crc)
    return tuple(rows)


_TABLE = _table()


def crc32c(data: bytes) -> int:
    """The CRC32C of ``data`` as an unsigned 32-bit integer."""
    crc = 0xFFFFFFFF
    table = _TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF
