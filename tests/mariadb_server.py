"""A throwaway MariaDB server for the database engine's MySQL plugin tests.

Like ``postgres_server.py``: ``mariadb-install-db`` into a temporary directory and
``mariadbd`` on a free 127.0.0.1 port with its socket in that directory, nothing installed as
a service. The superuser ``root`` gets the password ``mariadb`` for TCP logins (over the
socket it needs none). ``make test`` installs Debian's mariadb-server when it is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pymysql
from tests.ports import free_port

ROOT_PASSWORD = "mariadb"


@dataclass(frozen=True)
class MariaDBServer:
    """A running server: ``root``/``mariadb`` over TCP on ``host:port``."""

    host: str
    port: int
    socket_path: Path
    process: subprocess.Popen[bytes]

    def connect(self, database: str | None = None) -> pymysql.connections.Connection:
        """A superuser connection (autocommit) over TCP."""
        return pymysql.connect(
            host=self.host,
            port=self.port,
            user="root",
            password=ROOT_PASSWORD,
            database=database,
            autocommit=True,
        )

    def stop(self) -> None:
        """Shut down; waits for the server to exit."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _binary(name: str) -> str:
    found = shutil.which(name) or (
        f"/usr/sbin/{name}" if Path(f"/usr/sbin/{name}").exists() else None
    )
    if found is None:
        raise RuntimeError(f"{name} not found (make test installs mariadb-server)")
    return found


def start_mariadb(workdir: Path) -> MariaDBServer:
    """Create and start a server under ``workdir``; raises with its log on failure."""
    datadir = workdir / "data"
    user = ["--user=root"] if os.geteuid() == 0 else []
    subprocess.run(
        [
            _binary("mariadb-install-db"),
            "--no-defaults",
            f"--datadir={datadir}",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
            *user,
        ],
        check=True,
        capture_output=True,
    )
    port, sock = free_port(), workdir / "mysqld.sock"
    log = workdir / "mariadb.log"
    process = subprocess.Popen(
        [
            _binary("mariadbd"),
            "--no-defaults",
            f"--datadir={datadir}",
            f"--port={port}",
            "--bind-address=127.0.0.1",
            f"--socket={sock}",
            f"--pid-file={workdir / 'mariadb.pid'}",
            f"--log-error={log}",
            "--skip-log-bin",
            "--skip-name-resolve",
            "--innodb-buffer-pool-size=32M",
            *user,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(log.read_text() if log.exists() else "mariadbd exited")
        try:
            conn = pymysql.connect(unix_socket=str(sock), user="root", autocommit=True)
        except pymysql.err.OperationalError:
            time.sleep(0.2)
            continue
        with conn.cursor() as cur:
            cur.execute("CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'")
            cur.execute("ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY %s", (ROOT_PASSWORD,))
            cur.execute("GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION")
        conn.close()
        return MariaDBServer("127.0.0.1", port, sock, process)
    process.kill()
    raise RuntimeError(
        "MariaDB did not become ready:\n" + (log.read_text() if log.exists() else "")
    )
