"""A throwaway PostgreSQL server for the tests that need one (storage, database engine, HA).

The tests run a real PostgreSQL: ``initdb`` into a temporary directory and ``postgres`` on a
free 127.0.0.1 port, with a Unix socket in that directory. As root (CI), the cluster belongs to
the ``postgres`` system user, because PostgreSQL refuses to run as root. ``make test`` installs
the server when it is missing. fsync stays on: durability tests rely on real commits.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.ports import free_port


@dataclass(frozen=True)
class PostgresServer:
    """A running cluster: superuser ``postgres`` with password ``postgres``, trust on loopback."""

    host: str
    port: int
    datadir: Path
    process: subprocess.Popen[bytes]

    def dsn(self, database: str = "postgres", user: str = "postgres") -> str:
        """A libpq URL for ``database`` as ``user`` (password ``postgres`` for the superuser)."""
        return f"postgresql://{user}:postgres@{self.host}:{self.port}/{database}"

    def stop(self) -> None:
        """Fast shutdown; waits for the postmaster to exit."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _bindir() -> Path:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if candidates:
        return candidates[-1].parent
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise RuntimeError("PostgreSQL server binaries not found (make test installs postgresql)")


def _as_owner(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def start_postgres(workdir: Path) -> PostgresServer:
    """Create and start a cluster under ``workdir``; raises with the server log on failure."""
    bindir = _bindir()
    datadir = workdir / "pgdata"
    datadir.mkdir(parents=True)
    pwfile = workdir / "pwfile"
    pwfile.write_text("postgres\n")
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres")
        shutil.chown(datadir, "postgres")
        shutil.chown(pwfile, "postgres")
    subprocess.run(
        _as_owner(
            [
                str(bindir / "initdb"),
                "-D",
                str(datadir),
                "-U",
                "postgres",
                "-A",
                "scram-sha-256",
                f"--pwfile={pwfile}",
                "--auth-local=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        ),
        check=True,
        capture_output=True,
    )
    port = free_port()
    log = open(workdir / "postgres.log", "wb")  # noqa: SIM115 - the server writes it until it stops
    process = subprocess.Popen(
        _as_owner(
            [
                str(bindir / "postgres"),
                "-D",
                str(datadir),
                "-p",
                str(port),
                "-k",
                str(workdir),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "max_connections=200",
            ]
        ),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError((workdir / "postgres.log").read_text())
        ready = subprocess.run(
            [str(bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)], capture_output=True
        )
        if ready.returncode == 0:
            return PostgresServer("127.0.0.1", port, datadir, process)
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(
        "PostgreSQL did not become ready:\n" + (workdir / "postgres.log").read_text()
    )
