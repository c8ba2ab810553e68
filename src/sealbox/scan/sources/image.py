"""Container image tarballs (``docker save`` and OCI image layouts) as scan items.

Both layouts are read from the outer tar without unpacking it: ``docker save`` writes
``manifest.json`` (``Config`` and ``Layers`` paths inside the tar, legacy ``<id>/layer.tar`` or
``blobs/sha256/<hex>`` since Docker 25); an OCI layout has ``index.json`` pointing at manifests
(or nested indexes) in ``blobs/<alg>/<hex>``. Every layer is scanned on its own (a plain, gzip
or zstd tar, ``application/vnd.oci.image.layer.v1.tar+zstd``), so a file that a later layer
deletes is still found; the deletion is recorded from the whiteouts (``.wh.<name>`` removes a
path, ``.wh..wh..opq`` hides a directory's lower contents) and reported with the finding. The
image config's ``Env``, ``Labels``, ``Cmd``/``Entrypoint`` and build ``history`` are scanned
too, one entry per line.
"""

from __future__ import annotations

import gzip
import json
import posixpath
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

import zstandard

from sealbox.scan.engine import Item, ScanError
from sealbox.scan.model import Finding, Hit, Origin

_GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_WHITEOUT = ".wh."
_OPAQUE = ".wh..wh..opq"
_INDEX_TYPES = {
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
}


@dataclass(slots=True)
class Layer:
    """One layer: its member in the tarball, position, and what it deletes below it."""

    member: str
    number: int
    digest: str
    deleted: set[str] = field(default_factory=set)
    opaque: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        return f"layer {self.number} ({self.digest[:19]})"


@dataclass(slots=True)
class Image:
    """What an image tarball holds: its layers in order and its config documents."""

    layers: list[Layer] = field(default_factory=list)
    configs: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def _json(tar: tarfile.TarFile, name: str) -> Any:
    member = _member(tar, name)
    handle = tar.extractfile(member)
    if handle is None:
        raise ScanError(f"image: {name} is not a file")
    try:
        return json.loads(handle.read())
    except ValueError as exc:
        raise ScanError(f"image: {name} is not valid JSON") from exc


def _member(tar: tarfile.TarFile, name: str) -> tarfile.TarInfo:
    clean = posixpath.normpath(name.lstrip("/"))
    for candidate in (clean, "./" + clean):
        try:
            return tar.getmember(candidate)
        except KeyError:
            continue
    raise ScanError(f"image: {name} is missing from the tarball")


def _blob(digest: str) -> str:
    algorithm, _, hexdigest = digest.partition(":")
    return f"blobs/{algorithm}/{hexdigest}"


def _oci_manifests(tar: tarfile.TarFile, index: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for entry in index.get("manifests") or []:
        document = _json(tar, _blob(str(entry.get("digest", ""))))
        if entry.get("mediaType") in _INDEX_TYPES or "manifests" in document:
            yield from _oci_manifests(tar, document)
        else:
            yield document


def read_image(tar: tarfile.TarFile) -> Image:
    """The layers and configs of every image in the tarball (shared layers once)."""
    names = {m.name.removeprefix("./") for m in tar.getmembers()}
    image = Image()
    seen: set[str] = set()
    plan: list[tuple[str, list[tuple[str, str]]]] = []
    if "manifest.json" in names:
        for entry in _json(tar, "manifest.json"):
            layers = [
                (str(p), str(p).removeprefix("blobs/").replace("/", ":", 1))
                for p in entry.get("Layers") or []
            ]
            plan.append((str(entry["Config"]), layers))
    elif "index.json" in names:
        for manifest in _oci_manifests(tar, _json(tar, "index.json")):
            layers = [
                (_blob(str(layer["digest"])), str(layer["digest"]))
                for layer in manifest.get("layers") or []
            ]
            plan.append((_blob(str(manifest["config"]["digest"])), layers))
    else:
        raise ScanError("image: neither manifest.json nor index.json found (not an image tarball)")
    for config_name, layers in plan:
        image.configs.append((config_name, _json(tar, config_name)))
        for number, (member, digest) in enumerate(layers, start=1):
            if member not in seen:
                seen.add(member)
                image.layers.append(Layer(member, number, digest))
    return image


def _layer_stream(tar: tarfile.TarFile, layer: Layer) -> IO[bytes]:
    """The layer's tar stream, decompressed by its magic number (the media type says the same,
    ``tar``, ``tar+gzip`` or ``tar+zstd``, but docker save archives carry no media types)."""
    handle = tar.extractfile(_member(tar, layer.member))
    if handle is None:
        raise ScanError(f"image: layer {layer.member} is not a file")
    magic = handle.read(4)
    handle.seek(0)
    if magic[:2] == _GZIP_MAGIC:
        return cast(IO[bytes], gzip.GzipFile(fileobj=handle))
    if magic == _ZSTD_MAGIC:
        # Several frames may follow each other (zstd --rsyncable, concatenated output), and a
        # streamed frame carries no content size: read across frames, in bounded chunks.
        reader = zstandard.ZstdDecompressor().stream_reader(handle, read_across_frames=True)
        return cast(IO[bytes], reader)
    return handle


def layer_items(tar: tarfile.TarFile, layer: Layer, max_size: int) -> Iterator[Item]:
    """Items for the regular files of ``layer``; records its whiteouts as it goes."""
    try:
        with tarfile.open(fileobj=_layer_stream(tar, layer), mode="r|") as inner:
            for member in inner:
                path = posixpath.normpath(member.name.lstrip("/")).removeprefix("./")
                base = posixpath.basename(path)
                parent = posixpath.dirname(path)
                if base == _OPAQUE:
                    layer.opaque.add(parent)
                    continue
                if base.startswith(_WHITEOUT):
                    layer.deleted.add(posixpath.join(parent, base[len(_WHITEOUT) :]))
                    continue
                if not member.isfile() or member.size == 0 or member.size > max_size:
                    continue
                handle = inner.extractfile(member)
                if handle is not None:
                    data = handle.read()
                    yield Item(f"{layer.member}\0{path}", path, "bytes", size=len(data), data=data)
    except (tarfile.TarError, OSError, EOFError, zstandard.ZstdError) as exc:
        raise ScanError(f"image: layer {layer.member} is not a readable tar: {exc}") from exc


def config_items(image: Image) -> Iterator[Item]:
    """Env, Labels, Cmd/Entrypoint and history of each config, one entry per line."""
    for name, config in image.configs:
        inner = config.get("config") or {}
        sections: dict[str, list[str]] = {
            "Env": [str(v) for v in inner.get("Env") or []],
            "Labels": [f"{k}={v}" for k, v in (inner.get("Labels") or {}).items()],
            "Cmd": [" ".join(str(a) for a in inner.get("Cmd") or [])],
            "Entrypoint": [" ".join(str(a) for a in inner.get("Entrypoint") or [])],
            "history": [str(h.get("created_by", "")) for h in config.get("history") or []],
        }
        for section, lines in sections.items():
            text = "\n".join(line.replace("\n", " ") for line in lines).encode()
            if text.strip():
                path = f"config:{section}"
                yield Item(f"{name}\0{path}", path, "bytes", size=len(text), data=text)


def image_items(tar: tarfile.TarFile, image: Image, max_size: int) -> Iterator[Item]:
    """Config items, then every layer's files in order."""
    yield from config_items(image)
    for layer in image.layers:
        yield from layer_items(tar, layer, max_size)


def _deleted_in(image: Image, layer: Layer, path: str) -> str:
    ancestors = [path]
    parent = posixpath.dirname(path)
    while parent:
        ancestors.append(parent)
        parent = posixpath.dirname(parent)
    for later in image.layers[image.layers.index(layer) + 1 :]:
        if any(a in later.deleted for a in ancestors) or any(
            a in later.opaque for a in ancestors[1:]
        ):
            return later.label
    return ""


def image_findings(
    image: Image, hits: dict[str, list[Hit]], describe: dict[str, str]
) -> list[Finding]:
    """Findings with their layer (or ``config``) and the later layer that deleted the file."""
    layers = {layer.member: layer for layer in image.layers}
    findings: list[Finding] = []
    for key, key_hits in hits.items():
        member, _, path = key.partition("\0")
        layer = layers.get(member)
        origin = (
            Origin("image", layer=layer.label, deleted_in=_deleted_in(image, layer, path))
            if layer is not None
            else Origin("image", layer="config")
        )
        for hit in key_hits:
            findings.append(
                Finding(hit.rule_id, describe.get(hit.rule_id, hit.rule_id), path, hit, origin)
            )
    order = {layer.label: i for i, layer in enumerate(image.layers)}
    return sorted(findings, key=lambda f: (order.get(f.origin.layer, -1), f.path, f.hit.start_line))


def open_image(path: Path) -> tarfile.TarFile:
    """Open an image tarball for random access (docker save writes an uncompressed tar)."""
    try:
        return tarfile.open(path, mode="r:*")
    except (tarfile.TarError, OSError) as exc:
        raise ScanError(f"{path}: not a readable tar file: {exc}") from exc
