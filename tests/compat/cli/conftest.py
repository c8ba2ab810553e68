"""Fixtures for driving the real ``sealbox`` console script against a real server process.

``SEALBOX_CLI_TARGET`` picks the server: ``bao`` (OpenBao's dev server) or ``sealbox``
(``sealbox server -dev``). The default is ``sealbox`` when ``sealbox.server.run`` imports, else
``bao``. Each CLI call gets ``VAULT_ADDR``/``VAULT_TOKEN`` and a private ``HOME``, so the token
file written by ``sealbox login`` is isolated per test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.compat.cli.cli_helpers import (
    Runner,
    Server,
    make_runner,
    server_target,
    start_server,
    stop_server,
    unique,
)

from sealbox.client import Client


@pytest.fixture(scope="session")
def vault_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(address, root token) of a dev server started as a real process for the session."""
    server = start_server(server_target(), tmp_path_factory.mktemp("server"))
    try:
        yield server.address, server.token
    finally:
        stop_server(server)


@pytest.fixture
def fresh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A private dev server for tests that change global state (seal, rotate)."""
    server = start_server(server_target(), tmp_path_factory.mktemp("fresh"))
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def sealbox(vault_server: tuple[str, str], home: Path) -> Runner:
    """Run the ``sealbox`` console script with the root token."""
    address, token = vault_server
    return make_runner("sealbox", address, token, home)


@pytest.fixture
def bao(vault_server: tuple[str, str], home: Path) -> Runner:
    """Run OpenBao's ``bao`` CLI (the oracle) against the same server."""
    address, token = vault_server
    return make_runner("bao", address, token, home)


@pytest.fixture
def api(vault_server: tuple[str, str]) -> Iterator[Client]:
    """A root API client for checking server state."""
    address, token = vault_server
    with Client(address, token) as client:
        yield client


@pytest.fixture
def kv2(api: Client) -> Iterator[str]:
    """A fresh KV v2 mount; yields its path without the trailing slash."""
    mount = unique("kv2")
    api.write(f"sys/mounts/{mount}", {"type": "kv", "options": {"version": "2"}})
    yield mount
    api.delete(f"sys/mounts/{mount}")


@pytest.fixture
def kv1(api: Client) -> Iterator[str]:
    """A fresh KV v1 mount; yields its path without the trailing slash."""
    mount = unique("kv1")
    api.write(f"sys/mounts/{mount}", {"type": "kv", "options": {"version": "1"}})
    yield mount
    api.delete(f"sys/mounts/{mount}")
