"""The operator's first day with the CLI: init, unseal, status, seal, rekey, on a real server.

A ``sealbox server -config=FILE`` with SQLite storage (not dev mode), driven only through the
``sealbox`` console script as an operator would type it; data written before a seal and a
rekey is read back after unsealing with the new shares.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.compat.cli.cli_helpers import Runner, make_runner
from tests.compat.conftest import VENV_BIN, ServerProcess, free_port, start_process, stop

pytestmark = pytest.mark.compat


@pytest.fixture
def config_server(tmp_path: Path) -> Iterator[ServerProcess]:
    port = free_port()
    config = tmp_path / "sealbox.hcl"
    config.write_text(
        'storage "sqlite" {\n  path = "sealbox.db"\n}\n\n'
        f'listener "tcp" {{\n  address = "127.0.0.1:{port}"\n  tls_disable = true\n}}\n'
    )
    address = f"http://127.0.0.1:{port}"
    process, log = start_process(
        [str(VENV_BIN / "sealbox"), "server", f"-config={config}"], address, tmp_path
    )
    yield ServerProcess(address, "", log, process, workdir=tmp_path)
    stop(process)


def _unseal(run: Runner, keys: list[str]) -> None:
    for key in keys:
        result = run("operator", "unseal", key)
        assert result.returncode == 0, result.stderr


def test_init_unseal_seal_and_rekey_through_the_cli(
    config_server: ServerProcess, tmp_path: Path
) -> None:
    anonymous = make_runner("sealbox", config_server.address, None, tmp_path / "home")
    status = anonymous("status")
    assert status.returncode == 2  # sealed (and uninitialised), as Vault's CLI reports
    init = anonymous("operator", "init", "-key-shares=5", "-key-threshold=3", "-format=json")
    assert init.returncode == 0, init.stderr
    answer = json.loads(init.stdout)
    keys, root = answer["unseal_keys_b64"], answer["root_token"]
    assert (len(keys), answer["unseal_shares"], answer["unseal_threshold"]) == (5, 5, 3)

    _unseal(anonymous, keys[:3])
    unsealed = anonymous("status", "-format=json")
    assert unsealed.returncode == 0
    assert json.loads(unsealed.stdout)["sealed"] is False

    run = make_runner("sealbox", config_server.address, root, tmp_path / "home")
    assert run("secrets", "enable", "-path=app", "kv-v2").returncode == 0
    assert run("kv", "put", "app/db", "password=before-rekey").returncode == 0

    rekey = run("operator", "rekey", "-init", "-key-shares=3", "-key-threshold=2", "-format=json")
    assert rekey.returncode == 0, rekey.stderr
    nonce = json.loads(rekey.stdout)["nonce"]
    new_keys: list[str] = []
    for key in keys[:3]:
        step = run("operator", "rekey", f"-nonce={nonce}", "-format=json", key)
        assert step.returncode == 0, step.stderr
        new_keys = json.loads(step.stdout).get("keys_base64") or new_keys
    assert len(new_keys) == 3

    assert run("operator", "seal").returncode == 0
    sealed = run("kv", "get", "app/db")
    assert sealed.returncode == 2
    assert "sealed" in sealed.stderr.lower()
    # Two old shares reach the new threshold but no longer open the seal.
    assert anonymous("operator", "unseal", keys[0]).returncode == 0
    refused = anonymous("operator", "unseal", keys[1])
    assert refused.returncode == 2
    assert "invalid key" in refused.stderr
    assert json.loads(anonymous("status", "-format=json").stdout)["sealed"] is True
    _unseal(anonymous, new_keys[:2])
    assert run("kv", "get", "-field=password", "app/db").stdout.strip() == "before-rekey"
