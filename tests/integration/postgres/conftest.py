"""Fixtures for the PostgreSQL storage and HA suites: one fresh database per test.

The cluster itself is the session's ``postgres`` fixture (tests/conftest.py); a database per
test keeps tables, HA lock rows and notification channels from leaking between tests.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import psycopg
import pytest
from tests.postgres_server import PostgresServer

_counter = itertools.count()


@pytest.fixture
def pg_url(postgres: PostgresServer) -> Iterator[str]:
    """A libpq URL of a new, empty database (dropped afterwards)."""
    name = f"sealbox_t{os.getpid()}_{next(_counter)}"
    with psycopg.connect(postgres.dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield postgres.dsn(name)
    with psycopg.connect(postgres.dsn(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
