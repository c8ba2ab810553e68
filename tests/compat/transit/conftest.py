"""Fixtures for the transit interoperability suite: one sealbox and one OpenBao dev server.

Each test gets a fresh transit mount of the same name on both servers, and hvac clients for
them, so keys, backups and ciphertexts can cross from one to the other.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import hvac
import pytest
from tests.compat.conftest import ServerProcess, start_dev_server


@pytest.fixture(scope="session")
def transit_sealbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A sealbox dev server for the transit suites."""
    yield from start_dev_server(tmp_path_factory)


@dataclass(frozen=True)
class Pair:
    """hvac clients for both servers and the transit mount they share by name."""

    sealbox: hvac.Client
    bao: hvac.Client
    mount: str

    def both(self) -> tuple[tuple[str, hvac.Client], tuple[str, hvac.Client]]:
        return ("sealbox", self.sealbox), ("bao", self.bao)


@pytest.fixture
def pair(transit_sealbox: ServerProcess, bao_server: ServerProcess) -> Iterator[Pair]:
    """A fresh transit mount on both servers."""
    mount = f"transit-{uuid.uuid4().hex[:8]}"
    ours = hvac.Client(url=transit_sealbox.address, token=transit_sealbox.token)
    theirs = hvac.Client(url=bao_server.address, token=bao_server.token)
    for client in (ours, theirs):
        client.sys.enable_secrets_engine("transit", path=mount)
    yield Pair(ours, theirs, mount)
    for client in (ours, theirs):
        client.sys.disable_secrets_engine(mount)
