"""Leases survive seal/unseal and restarts (SQLite storage), and a lease that expired while
the server was stopped is revoked when it comes back."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import hvac
import pytest
from tests.compat.conftest import VENV_BIN, ServerProcess, free_port, start_process, stop
from tests.compat.database.conftest import Api, Database, configure, guide_role, wait_until
from tests.compat.server.conftest import write_config

pytestmark = [pytest.mark.compat, pytest.mark.slow]


class Restartable:
    """A config-file sealbox server on SQLite that can be stopped and started again."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.config = write_config(
            workdir, self.port, f'storage "sqlite" {{\n  path = "{workdir}/sealbox.db"\n}}'
        )
        self.address = f"http://127.0.0.1:{self.port}"
        self.process = self._start()
        client = hvac.Client(url=self.address)
        init = client.sys.initialize(secret_shares=1, secret_threshold=1)
        self.key, self.token = init["keys"][0], init["root_token"]
        self.unseal()

    def _start(self) -> subprocess.Popen[bytes]:
        process, _ = start_process(
            [str(VENV_BIN / "sealbox"), "server", f"-config={self.config}"],
            self.address,
            self.workdir,
        )
        return process

    def unseal(self) -> None:
        hvac.Client(url=self.address).sys.submit_unseal_key(self.key)

    def api(self) -> Api:
        log = self.workdir / "server.log"
        return Api(ServerProcess(self.address, self.token, log, self.process))

    def stop(self) -> None:
        stop(self.process)

    def restart(self) -> None:
        self.stop()
        self.process = self._start()
        self.unseal()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Restartable]:
    running = Restartable(tmp_path)
    yield running
    running.stop()


def test_lease_expired_while_stopped_is_revoked_after_restart(
    server: Restartable, database: Database
) -> None:
    api = server.api()
    api.ok("POST", "sys/mounts/database", {"type": "database"})
    configure(api, "database", database)
    guide_role(api, "database", default_ttl="4s", max_ttl="1h")
    keep = api.ok("GET", "database/creds/app-role")  # renewed below, so it outlives the stop
    api.ok("PUT", "sys/leases/renew", {"lease_id": keep["lease_id"], "increment": "1h"})
    short = api.ok("GET", "database/creds/app-role")
    server.stop()
    time.sleep(5)  # let the short lease's expiry pass while nothing is running
    assert database.role_exists(short["data"]["username"])
    server.restart()
    api = server.api()
    wait_until(
        lambda: not database.role_exists(short["data"]["username"]), what="revocation after restart"
    )
    assert database.role_exists(keep["data"]["username"])
    lookup = api.ok("PUT", "sys/leases/lookup", {"lease_id": keep["lease_id"]})["data"]
    assert lookup["id"] == keep["lease_id"]
    assert lookup["last_renewal"] is not None


def test_leases_survive_seal_and_unseal(server: Restartable, database: Database) -> None:
    api = server.api()
    api.ok("POST", "sys/mounts/database", {"type": "database"})
    configure(api, "database", database)
    guide_role(api, "database")
    creds = api.ok("GET", "database/creds/app-role")
    api.ok("PUT", "sys/seal")
    assert api("PUT", "sys/leases/lookup", {"lease_id": creds["lease_id"]})[0] == 503
    server.unseal()
    assert api.ok("PUT", "sys/leases/lookup", {"lease_id": creds["lease_id"]})["data"]["ttl"] > 3000
    api.ok("PUT", "sys/leases/revoke", {"lease_id": creds["lease_id"]})
    assert not database.role_exists(creds["data"]["username"])
