"""Image tarball scans: each layer on its own, whiteouts reported, the config's Env scanned."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.compat.scan import imagetar
from tests.scan import tokens

from sealbox.scan.engine import ScanError
from sealbox.scan.scanner import Options, scan_image
from sealbox.scan.userconfig import load_rules

pytestmark = pytest.mark.compat
SEALBOX = str(Path(sys.executable).parent / "sealbox")
Writer = Callable[[Path, list[imagetar.Layer], list[str], list[str]], None]


@pytest.mark.parametrize(
    "write", [imagetar.docker_save, imagetar.oci_layout], ids=["docker-save", "oci-layout"]
)
def test_deleted_files_are_found_and_reported_deleted(tmp_path: Path, write: Writer) -> None:
    env_password = tokens.password()
    conf_token = tokens.gitlab_pat()
    kept_key = tokens.aws_key_id()
    env_token = tokens.github_pat()
    history_token = tokens.npm_token()
    layers: list[imagetar.Layer] = [
        {
            "app": None,
            "app/.env": f"DB_PASSWORD={env_password}\n".encode(),
            "conf": None,
            "conf/app.yaml": f"gitlab:\n  token: {conf_token}\n".encode(),
            "etc/os-release": b"ID=debian\n",
        },
        {"app/.wh..env": b"", "app/main.py": b"print('hi')\n"},
        {
            "conf": None,
            "conf/.wh..wh..opq": b"",
            "conf/new.yaml": b"x: 1\n",
            "srv/key.txt": f"AWS_ACCESS_KEY_ID={kept_key}\n".encode(),
        },
    ]
    env = ["PATH=/usr/local/bin:/usr/bin", f"GITHUB_TOKEN={env_token}"]
    history = [
        "ADD app /app",
        f"RUN /bin/sh -c npm config set //registry/:_authToken={history_token}",
    ]
    image = tmp_path / "image.tar"
    write(image, layers, env, history)

    findings = scan_image(image, load_rules(None), Options(jobs=1))
    got = {
        (
            f.path,
            f.hit.start_line,
            f.rule_id,
            f.origin.layer.split(" (")[0],
            f.origin.deleted_in.split(" (")[0],
        )
        for f in findings
    }
    assert got == {
        ("config:Env", 2, "github-token", "config", ""),
        ("config:history", 2, "npm-token", "config", ""),
        ("app/.env", 1, "generic-password", "layer 1", "layer 2"),
        ("conf/app.yaml", 2, "gitlab-token", "layer 1", "layer 3"),
        ("srv/key.txt", 1, "aws-access-key-id", "layer 3", ""),
    }

    done = subprocess.run(
        [SEALBOX, "scan", "--image", str(image)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert "deleted in layer 2" in done.stdout
    for secret in (env_password, conf_token, kept_key, env_token, history_token):
        assert secret not in done.stdout + done.stderr


def test_not_an_image(tmp_path: Path) -> None:
    bogus = tmp_path / "x.tar"
    imagetar.docker_save(bogus, [{"a": b"b"}], [], [])
    plain = tmp_path / "plain.tar"
    plain.write_bytes(imagetar.layer_tar({"file.txt": b"hello"}))
    with pytest.raises(ScanError, match="not an image tarball"):
        scan_image(plain, load_rules(None), Options(jobs=1))
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar at all")
    done = subprocess.run(
        [SEALBOX, "scan", "--image", str(junk)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert "not a readable tar" in done.stderr
    assert scan_image(bogus, load_rules(None), Options(jobs=1)) == []
