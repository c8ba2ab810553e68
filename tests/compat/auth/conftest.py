"""Fixtures for the auth-method compatibility suite: hvac against a real sealbox server.

Every test mounts its auth methods at unique paths on the session's dev server
(``sealbox_server``), so tests stay independent.
"""

from __future__ import annotations

import uuid

import hvac
import pytest
from tests.compat.conftest import ServerProcess


@pytest.fixture
def root(sealbox_server: ServerProcess) -> hvac.Client:
    """An hvac client with the dev server's root token."""
    return hvac.Client(url=sealbox_server.address, token=sealbox_server.token)


@pytest.fixture
def anon(sealbox_server: ServerProcess) -> hvac.Client:
    """An hvac client without a token (for logins)."""
    return hvac.Client(url=sealbox_server.address)


@pytest.fixture
def unique() -> str:
    """A short unique suffix for mount paths and names."""
    return uuid.uuid4().hex[:8]
