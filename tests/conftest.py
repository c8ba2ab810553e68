"""Session-wide test settings.

- No test reads or writes the developer's real home directory: ``bao server -dev`` stores its
  root token in ``~/.vault-token`` and hvac reads that file, so one suite's server could leak a
  token into another's clients; every process the tests start inherits a temporary HOME.
- Hypothesis has no per-example deadline: examples that start processes or hit a loaded CI
  machine would otherwise fail on time, and tests never assert on speed.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from tests.mariadb_server import MariaDBServer, start_mariadb
from tests.postgres_server import PostgresServer, start_postgres

settings.register_profile("sealbox", deadline=None)
settings.load_profile("sealbox")


@pytest.fixture(scope="session", autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh, empty HOME for the whole session."""
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(home))
        yield home


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the session (each test makes its own database/table).

    Its directory is outside pytest's 0700 temporary root, which the ``postgres`` user (the
    cluster's owner when the tests run as root) could not enter.
    """
    workdir = Path(tempfile.mkdtemp(prefix="sealbox-pg-"))
    server = start_postgres(workdir)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def mariadb() -> Iterator[MariaDBServer]:
    """One real MariaDB server for the session (the MySQL database plugin's tests)."""
    workdir = Path(tempfile.mkdtemp(prefix="sealbox-mariadb-"))
    server = start_mariadb(workdir)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
