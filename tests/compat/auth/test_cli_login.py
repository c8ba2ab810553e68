"""``sealbox login -method=userpass|approle`` in Vault's shape, against a real server.

The password and secret ID reach the CLI on stdin (``key=-``), never in process arguments;
the token is stored in ``~/.sealbox-token`` (a private HOME per test).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import hvac
import pytest
from tests.compat.conftest import VENV_BIN, ServerProcess

pytestmark = pytest.mark.compat


def _login(
    server: ServerProcess, home: Path, stdin: str, *args: str
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VAULT_ADDR": server.address, "HOME": str(home)}
    env.pop("VAULT_TOKEN", None)
    return subprocess.run(
        [str(VENV_BIN / "sealbox"), "login", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def _stored(server: ServerProcess, home: Path) -> dict[str, object]:
    token = (home / ".sealbox-token").read_text().strip()
    data: dict[str, object] = hvac.Client(url=server.address, token=token).auth.token.lookup_self()[
        "data"
    ]
    return data


def test_cli_userpass_login(
    root: hvac.Client, sealbox_server: ServerProcess, unique: str, tmp_path: Path
) -> None:
    mount = f"up-{unique}"
    root.sys.enable_auth_method("userpass", path=mount)
    root.auth.userpass.create_or_update_user("erin", "erin-pw", mount_point=mount)
    done = _login(
        sealbox_server,
        tmp_path,
        "erin-pw",
        "-method=userpass",
        f"-path={mount}",
        "username=erin",
        "password=-",
    )
    assert done.returncode == 0, done.stderr
    assert "erin-pw" not in done.stdout + done.stderr
    assert _stored(sealbox_server, tmp_path)["display_name"] == f"{mount}-erin"
    wrong = _login(
        sealbox_server,
        tmp_path / "x",
        "nope",
        "-method=userpass",
        f"-path={mount}",
        "username=erin",
        "password=-",
    )
    assert wrong.returncode == 2
    assert "invalid username or password" in wrong.stderr


def test_cli_approle_login(
    root: hvac.Client, sealbox_server: ServerProcess, unique: str, tmp_path: Path
) -> None:
    mount = f"ar-{unique}"
    root.sys.enable_auth_method("approle", path=mount)
    root.auth.approle.create_or_update_approle("cli", token_policies=["default"], mount_point=mount)
    role_id = root.auth.approle.read_role_id("cli", mount_point=mount)["data"]["role_id"]
    secret_id = root.auth.approle.generate_secret_id("cli", mount_point=mount)["data"]["secret_id"]
    done = _login(
        sealbox_server,
        tmp_path,
        secret_id,
        "-method=approle",
        f"-path={mount}",
        f"role_id={role_id}",
        "secret_id=-",
    )
    assert done.returncode == 0, done.stderr
    assert _stored(sealbox_server, tmp_path)["meta"] == {"role_name": "cli"}
