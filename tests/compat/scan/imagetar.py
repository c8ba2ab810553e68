"""Image tarballs built the way ``docker save`` and OCI image layouts lay them out.

Docker is not available here, so the tests write the documented formats themselves: the
``docker save`` archive (``manifest.json`` with ``Config``/``RepoTags``/``Layers``, one
``<id>/layer.tar`` with ``VERSION`` and ``json`` per layer, ``<hex>.json`` config) and the OCI
image layout (``oci-layout``, ``index.json`` -> manifest -> config and gzip layers in
``blobs/sha256/<hex>``). Layer tars carry whiteouts as the OCI image spec defines them.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from pathlib import Path

Layer = dict[str, bytes | None]  # path -> content; None = a directory entry


def layer_tar(files: Layer) -> bytes:
    """A layer tarball: regular files, directories, and whiteout entries by name."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.mtime = 1_700_000_000
            if content is None:
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            else:
                info.size = len(content)
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 1_700_000_000
    tar.addfile(info, io.BytesIO(data))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def image_config(layers: list[bytes], env: list[str], history: list[str]) -> bytes:
    """An image config document (OCI image-spec config.md fields)."""
    return json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "created": "2024-01-01T00:00:00Z",
            "config": {"Env": env, "Cmd": ["/app/run"], "Labels": {"org.example.team": "payments"}},
            "rootfs": {"type": "layers", "diff_ids": [f"sha256:{_sha(layer)}" for layer in layers]},
            "history": [
                {"created": "2024-01-01T00:00:00Z", "created_by": line} for line in history
            ],
        }
    ).encode()


def docker_save(path: Path, layers: list[Layer], env: list[str], history: list[str]) -> None:
    """Write a legacy ``docker save`` archive."""
    blobs = [layer_tar(files) for files in layers]
    config = image_config(blobs, env, history)
    config_name = f"{_sha(config)}.json"
    layer_names: list[str] = []
    with tarfile.open(path, "w") as tar:
        parent = ""
        for blob in blobs:
            layer_id = _sha((parent + _sha(blob)).encode())
            _add(tar, f"{layer_id}/VERSION", b"1.0")
            meta = {"id": layer_id, **({"parent": parent} if parent else {})}
            _add(tar, f"{layer_id}/json", json.dumps(meta).encode())
            _add(tar, f"{layer_id}/layer.tar", blob)
            layer_names.append(f"{layer_id}/layer.tar")
            parent = layer_id
        _add(tar, config_name, config)
        manifest = [{"Config": config_name, "RepoTags": ["app:1.0"], "Layers": layer_names}]
        _add(tar, "manifest.json", json.dumps(manifest).encode())
        _add(tar, "repositories", json.dumps({"app": {"1.0": parent}}).encode())


def oci_layout(path: Path, layers: list[Layer], env: list[str], history: list[str]) -> None:
    """Write an OCI image layout archive with gzip layers and a nested index."""
    raw = [layer_tar(files) for files in layers]
    zipped = [gzip.compress(blob, mtime=0) for blob in raw]
    config = image_config(raw, env, history)
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": f"sha256:{_sha(config)}",
                "size": len(config),
            },
            "layers": [
                {
                    "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": f"sha256:{_sha(blob)}",
                    "size": len(blob),
                }
                for blob in zipped
            ],
        }
    ).encode()
    inner_index = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [
                {
                    "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "digest": f"sha256:{_sha(manifest)}",
                    "size": len(manifest),
                    "platform": {"architecture": "amd64", "os": "linux"},
                }
            ],
        }
    ).encode()
    index = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [
                {
                    "mediaType": "application/vnd.oci.image.index.v1+json",
                    "digest": f"sha256:{_sha(inner_index)}",
                    "size": len(inner_index),
                    "annotations": {"org.opencontainers.image.ref.name": "1.0"},
                }
            ],
        }
    ).encode()
    with tarfile.open(path, "w") as tar:
        _add(tar, "oci-layout", b'{"imageLayoutVersion": "1.0.0"}')
        _add(tar, "index.json", index)
        for blob in [config, manifest, inner_index, *zipped]:
            _add(tar, f"blobs/sha256/{_sha(blob)}", blob)
