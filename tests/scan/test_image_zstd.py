"""OCI image layouts whose layers are zstd-compressed (``tar+zstd``), built here as files.

Layers are compressed by the ``zstd`` command when it is installed (streamed through a pipe,
so the frame carries no content size) and by the ``zstandard`` library otherwise; one layer is
written as two concatenated frames. The image deletes a secret-bearing file in a later layer,
which must still be found in its own layer and reported as deleted.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
import zstandard
from tests.compat.scan.imagetar import Layer, image_config, layer_tar
from tests.scan import tokens

from sealbox.scan.engine import ScanError
from sealbox.scan.scanner import Options, scan_image
from sealbox.scan.userconfig import load_rules

ZSTD_LAYER = "application/vnd.oci.image.layer.v1.tar+zstd"


def zstd_compress(data: bytes) -> bytes:
    """Real zstd output: the zstd CLI through a pipe when present, else the library."""
    if shutil.which("zstd") is not None:
        done = subprocess.run(["zstd", "-q", "-c", "-3"], input=data, capture_output=True)
        if done.returncode == 0:
            return done.stdout
    return zstandard.ZstdCompressor(level=3).compress(data)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _descriptor(media_type: str, blob: bytes) -> dict[str, object]:
    return {"mediaType": media_type, "digest": f"sha256:{_sha(blob)}", "size": len(blob)}


def write_oci(path: Path, blobs: list[bytes], raw: list[bytes], env: list[str]) -> None:
    """An OCI image layout archive: index.json -> manifest -> config + zstd layers."""
    config = image_config(raw, env, ["ADD . /app"])
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": _descriptor("application/vnd.oci.image.config.v1+json", config),
            "layers": [_descriptor(ZSTD_LAYER, blob) for blob in blobs],
        }
    ).encode()
    index = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [_descriptor("application/vnd.oci.image.manifest.v1+json", manifest)],
        }
    ).encode()
    with tarfile.open(path, "w") as tar:
        for name, data in [
            ("oci-layout", b'{"imageLayoutVersion": "1.0.0"}'),
            ("index.json", index),
            *[(f"blobs/sha256/{_sha(b)}", b) for b in [config, manifest, *blobs]],
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_zstd_layers_are_scanned_one_by_one(tmp_path: Path) -> None:
    password, token, key = tokens.password(), tokens.gitlab_pat(), tokens.aws_key_id()
    layers: list[Layer] = [
        {"app": None, "app/.env": f"DB_PASSWORD={password}\n".encode()},
        {"app/.wh..env": b"", "app/main.py": b"print('hi')\n"},
        {"srv/conf.yaml": f"gitlab:\n  token: {token}\n".encode() + b"# pad\n" * 4000},
    ]
    raw = [layer_tar(files) for files in layers]
    half = len(raw[2]) // 2
    two_frames = zstd_compress(raw[2][:half]) + zstd_compress(raw[2][half:])
    blobs = [zstd_compress(raw[0]), zstd_compress(raw[1]), two_frames]
    assert all(blob[:4] == b"\x28\xb5\x2f\xfd" for blob in blobs)
    assert password.encode() not in blobs[0]
    image = tmp_path / "image.tar"
    write_oci(image, blobs, raw, [f"AWS_ACCESS_KEY_ID={key}"])

    findings = scan_image(image, load_rules(None), Options(jobs=1))
    got = {
        (f.path, f.rule_id, f.origin.layer.split(" (")[0], f.origin.deleted_in.split(" (")[0])
        for f in findings
    }
    assert got == {
        ("config:Env", "aws-access-key-id", "config", ""),
        ("app/.env", "generic-password", "layer 1", "layer 2"),
        ("srv/conf.yaml", "gitlab-token", "layer 3", ""),
    }


def test_corrupt_zstd_layer_is_a_scan_error(tmp_path: Path) -> None:
    raw = [layer_tar({"a.txt": b"x\n"})]
    broken = zstd_compress(raw[0])[:6] + b"\0" * 40
    image = tmp_path / "broken.tar"
    write_oci(image, [broken], raw, [])
    with pytest.raises(ScanError, match="not a readable tar"):
        scan_image(image, load_rules(None), Options(jobs=1))
