"""Loopback ports for the real servers the tests start (sealbox, bao, PostgreSQL, MariaDB)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A loopback port nobody listens on right now (the OS picks it; bind to it soon)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
