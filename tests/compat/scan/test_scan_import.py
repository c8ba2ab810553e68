"""``sealbox scan --import`` against a real dev server: values land in KV v2, never in output."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import hvac
import pytest
from tests.compat.conftest import ServerProcess
from tests.scan import tokens

pytestmark = pytest.mark.compat
SEALBOX = str(Path(sys.executable).parent / "sealbox")


def run(server: ServerProcess, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SEALBOX_ADDR": server.address,
        "SEALBOX_TOKEN": server.token,
        "HOME": str(home),
    }
    env.pop("VAULT_TOKEN", None)
    return subprocess.run(
        [SEALBOX, "scan", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def test_import_writes_kv2_and_prints_references(
    sealbox_server: ServerProcess, tmp_path: Path
) -> None:
    client = hvac.Client(url=sealbox_server.address, token=sealbox_server.token)
    base = f"scan-{uuid.uuid4().hex[:8]}"
    password = tokens.password()
    github = tokens.github_pat()
    tree = tmp_path / "tree"
    (tree / "app").mkdir(parents=True)
    (tree / "app" / ".env").write_text(f"DB_PASSWORD={password}\nGITHUB={github}\n")
    client.secrets.kv.v2.create_or_update_secret(
        path=f"{base}/app/.env", secret={"KEEP": "me"}, mount_point="secret"
    )

    done = run(sealbox_server, str(tree), "--import", f"secret/{base}", "--yes", home=tmp_path)
    assert done.returncode == 1, done.stderr
    stored = client.secrets.kv.v2.read_secret_version(
        path=f"{base}/app/.env", mount_point="secret", raise_on_deleted_version=True
    )["data"]
    assert stored["data"] == {"KEEP": "me", "DB_PASSWORD": password, "GITHUB_TOKEN": github}
    assert stored["metadata"]["version"] == 2
    output = done.stdout + done.stderr
    assert password not in output
    assert github not in output
    assert (
        f'export DB_PASSWORD="$(sealbox kv get -mount=secret -field=DB_PASSWORD {base}/app/.env)"'
        in output
    )
    assert (
        f'{{{{ with secret "secret/data/{base}/app/.env" }}}}{{{{ .Data.data.GITHUB_TOKEN }}}}{{{{ end }}}}'
        in output
    )

    audit_safe = run(sealbox_server, str(tree), "--import", f"secret/{base}", home=tmp_path)
    assert audit_safe.returncode == 2
    assert "--yes" in audit_safe.stderr


def test_import_refuses_non_kv2_targets(sealbox_server: ServerProcess, tmp_path: Path) -> None:
    client = hvac.Client(url=sealbox_server.address, token=sealbox_server.token)
    mount = f"kv1-{uuid.uuid4().hex[:8]}"
    client.sys.enable_secrets_engine("kv", path=mount, options={"version": "1"})
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "a.env").write_text(f"API_TOKEN={tokens.github_pat()}\n")
    done = run(
        sealbox_server, str(tmp_path / "t"), "--import", f"{mount}/x", "--yes", home=tmp_path
    )
    assert done.returncode == 2
    assert "not under a KV version 2 mount" in done.stderr
    listing = client.adapter.get(f"/v1/{mount}", params={"list": "true"}, raise_exception=False)
    assert listing.status_code == 404

    denied = run(
        sealbox_server, str(tmp_path / "t"), "--import", "nomount/x", "--yes", home=tmp_path
    )
    assert denied.returncode == 2


def test_denied_import_fails_without_echoing_values(
    sealbox_server: ServerProcess, tmp_path: Path
) -> None:
    root = hvac.Client(url=sealbox_server.address, token=sealbox_server.token)
    weak = root.auth.token.create(policies=["default"], no_default_policy=False)["auth"]
    token = tokens.github_pat()
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "app.env").write_text(f"GITHUB_TOKEN={token}\n")
    server = ServerProcess(
        sealbox_server.address, weak["client_token"], sealbox_server.log, sealbox_server.process
    )
    base = f"denied-{uuid.uuid4().hex[:8]}"
    done = run(server, str(tmp_path / "t"), "--import", f"secret/{base}", "--yes", home=tmp_path)
    assert done.returncode == 2
    assert "import failed" in done.stderr
    assert "permission denied" in done.stderr
    assert token not in done.stdout + done.stderr
    assert token not in sealbox_server.log_text()
    with pytest.raises(hvac.exceptions.InvalidPath):
        root.secrets.kv.v2.list_secrets(path=base, mount_point="secret")
