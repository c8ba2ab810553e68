"""The TXT lookup dns-01 needs (RFC 8555 8.4): one recursive query over UDP, no dependency.

The resolver is ``config/acme`` ``dns_resolver`` (``host`` or ``host:port``), else the first
``nameserver`` of /etc/resolv.conf, as OpenBao does. The resolver follows CNAMEs itself
(recursion desired); every TXT record in the answer counts, its strings joined.
"""

from __future__ import annotations

import asyncio
import secrets
import struct
from pathlib import Path

_TXT, _IN = 16, 1
_RESOLV_CONF = Path("/etc/resolv.conf")


class LookupFailed(Exception):
    """The resolver could not be asked or answered with an error."""


def resolver_address(configured: str) -> tuple[str, int]:
    """``(host, port)`` of the resolver to ask."""
    text = configured.strip()
    if not text:
        for line in _RESOLV_CONF.read_text().splitlines() if _RESOLV_CONF.exists() else []:
            parts = line.split()
            if len(parts) >= 2 and parts[0] == "nameserver":
                return parts[1], 53
        raise LookupFailed("no DNS resolver configured and none in /etc/resolv.conf")
    if text.startswith("["):
        host, _, port = text[1:].partition("]:")
        return host.rstrip("]"), int(port or 53)
    host, sep, port = text.rpartition(":")
    if sep and host and ":" not in host:
        return host, int(port)
    return text, 53


def query(name: str, ident: int) -> bytes:
    header = struct.pack("!HHHHHH", ident, 0x0100, 1, 0, 0, 0)
    labels = b"".join(
        bytes([len(label)]) + label.encode("ascii") for label in name.rstrip(".").split(".")
    )
    return header + labels + b"\x00" + struct.pack("!HH", _TXT, _IN)


def _skip_name(packet: bytes, offset: int) -> int:
    while True:
        if offset >= len(packet):
            raise LookupFailed("truncated DNS answer")
        length = packet[offset]
        if length & 0xC0 == 0xC0:
            return offset + 2
        if length == 0:
            return offset + 1
        offset += 1 + length


def parse_txt(packet: bytes, ident: int) -> list[str]:
    """TXT values of an answer to ``query(..., ident)``; [] for NXDOMAIN."""
    if len(packet) < 12:
        raise LookupFailed("short DNS answer")
    got_id, flags, qdcount, ancount, _ns, _ar = struct.unpack("!HHHHHH", packet[:12])
    if got_id != ident or not flags & 0x8000:
        raise LookupFailed("the DNS answer does not match the query")
    rcode = flags & 0x000F
    if rcode == 3:
        return []
    if rcode != 0:
        raise LookupFailed(f"the resolver answered rcode {rcode}")
    offset = 12
    for _ in range(qdcount):
        offset = _skip_name(packet, offset) + 4
    values = []
    for _ in range(ancount):
        offset = _skip_name(packet, offset)
        kind, _cls, _ttl, length = struct.unpack("!HHIH", packet[offset : offset + 10])
        offset += 10
        rdata = packet[offset : offset + length]
        offset += length
        if kind != _TXT:
            continue
        strings, i = [], 0
        while i < len(rdata):
            size = rdata[i]
            strings.append(rdata[i + 1 : i + 1 + size].decode("utf-8", "replace"))
            i += 1 + size
        values.append("".join(strings))
    return values


class _Exchange(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.answer: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

    def datagram_received(self, data: bytes, _addr: object) -> None:
        if not self.answer.done():
            self.answer.set_result(data)

    def error_received(self, exc: Exception) -> None:
        if not self.answer.done():
            self.answer.set_exception(exc)


async def txt_records(name: str, resolver: tuple[str, int], timeout: float = 10.0) -> list[str]:
    """The TXT values of ``name``, asked of ``resolver``."""
    ident = secrets.randbelow(0x10000)
    loop = asyncio.get_running_loop()
    try:
        transport, protocol = await loop.create_datagram_endpoint(_Exchange, remote_addr=resolver)
    except OSError as err:
        raise LookupFailed(f"cannot reach resolver {resolver[0]}:{resolver[1]}: {err}") from err
    try:
        transport.sendto(query(name, ident))
        packet = await asyncio.wait_for(protocol.answer, timeout)
    except (TimeoutError, OSError) as err:
        raise LookupFailed(f"resolver {resolver[0]}:{resolver[1]} did not answer") from err
    finally:
        transport.close()
    try:
        return parse_txt(packet, ident)
    except (struct.error, IndexError) as err:
        raise LookupFailed("malformed DNS answer") from err
