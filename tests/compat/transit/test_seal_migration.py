"""Seal migration on real servers, both directions, with the ``sealbox`` CLI; and the static seal.

A Shamir server with data restarts with a ``seal "transit"`` block: it waits sealed with
``migration: true`` until ``sealbox operator unseal -migrate`` gets a quorum of its unseal keys,
then runs on the Transit seal (the unseal keys are now its recovery keys) and unseals itself
after a restart. The stanza marked ``disabled = "true"`` takes it back to Shamir with the same
keys. The data written at the start is readable at every step.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.compat.transit.seal_servers import ConfigServer, wait_for
from tests.compat.transit.test_auto_unseal import Provider

pytestmark = [pytest.mark.compat, pytest.mark.slow]

SEALBOX = str(Path(sys.executable).parent / "sealbox")


def _cli(server: ConfigServer, *args: str, token: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VAULT_ADDR": server.address, "HOME": str(server.workdir)}
    env.pop("VAULT_TOKEN", None)
    if token:
        env["VAULT_TOKEN"] = token
    return subprocess.run(
        [SEALBOX, *args], capture_output=True, text=True, env=env, check=False, timeout=60
    )


def _unseal_cli(server: ConfigServer, keys: list[str], *flags: str) -> None:
    for key in keys:
        # the key goes through stdin, never the process arguments
        done = subprocess.run(
            [SEALBOX, "operator", "unseal", *flags, "-"],
            input=key,
            capture_output=True,
            text=True,
            env={**os.environ, "VAULT_ADDR": server.address, "HOME": str(server.workdir)},
            check=False,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr


def _read_secret(server: ConfigServer, token: str) -> object:
    return server.call("GET", "kv/app", token).json()["data"]


def test_shamir_to_transit_and_back(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "c").mkdir()
    provider = Provider(tmp_path / "a")
    server = ConfigServer(tmp_path / "c", env={"VAULT_TOKEN": provider.seal_token})
    server.start()
    try:
        init = json.loads(
            _cli(
                server, "operator", "init", "-key-shares=3", "-key-threshold=2", "-format=json"
            ).stdout
        )
        keys, root = init["unseal_keys_b64"], init["root_token"]
        _unseal_cli(server, keys[:2])
        server.call("POST", "sys/mounts/kv", root, type="kv").raise_for_status()
        server.call("POST", "kv/app", root, password="p1").raise_for_status()

        server.restart(provider.seal_block())
        status = server.status()
        assert (status["sealed"], status["migration"], status["type"]) == (True, True, "shamir")
        plain = server.call("PUT", "sys/unseal", key=keys[0])
        assert plain.status_code == 400
        assert "migrate" in plain.json()["errors"][0]
        _unseal_cli(server, [keys[0], keys[2]], "-migrate")
        status = server.status()
        assert (status["sealed"], status["migration"], status["type"]) == (False, False, "transit")
        assert (status["t"], status["n"], status["recovery_seal"]) == (2, 3, True)
        assert _read_secret(server, root) == {"password": "p1"}
        printed = _cli(server, "status", token=root)
        assert "Recovery Seal Type" in printed.stdout
        assert "transit" in printed.stdout

        server.restart()
        wait_for(lambda: server.status()["sealed"] is False, "the migrated server to unseal itself")
        assert _read_secret(server, root) == {"password": "p1"}

        disabled = provider.seal_block().replace("{\n", '{\n  disabled = "true"\n', 1)
        server.restart(disabled)
        status = server.status()
        assert (status["sealed"], status["migration"], status["type"]) == (True, True, "transit")
        _unseal_cli(server, keys[1:], "-migrate")
        status = server.status()
        assert (status["sealed"], status["type"], status["recovery_seal"]) == (
            False,
            "shamir",
            False,
        )
        assert _read_secret(server, root) == {"password": "p1"}

        server.restart("")
        assert server.status()["sealed"] is True
        _unseal_cli(server, [keys[2], keys[0]])
        assert _read_secret(server, root) == {"password": "p1"}
    finally:
        server.stop()
        provider.server.stop()


def test_static_seal_unseals_from_a_key_file(tmp_path: Path) -> None:
    key_file = tmp_path / "unseal.key"
    key_file.write_bytes(os.urandom(32))
    key_file.chmod(0o600)
    block = f'seal "static" {{\n  current_key_id = "k1"\n  current_key = "file://{key_file}"\n}}\n'
    server = ConfigServer(tmp_path, block)
    server.start()
    try:
        init = json.loads(
            _cli(
                server,
                "operator",
                "init",
                "-recovery-shares=1",
                "-recovery-threshold=1",
                "-format=json",
            ).stdout
        )
        assert init["unseal_keys_b64"] == []
        assert len(init["recovery_keys_b64"]) == 1
        assert server.status()["type"] == "static"
        server.restart()
        wait_for(lambda: server.status()["sealed"] is False, "the static seal to unseal")
        key_file.write_bytes(os.urandom(32))
        server.restart()
        wait_for(
            lambda: "could not decrypt" in server.log() or "does not open" in server.log(),
            "the refusal",
        )
        assert server.status()["sealed"] is True
    finally:
        server.stop()
