"""``random``, ``hash``, ``cache-config`` and ``config/keys``: the transit utility routes.

Mirrors openbao transit path_random.go (helper/random ``HandleRandomAPI``), path_hash.go,
path_cache_config.go and path_config_keys.go. sealbox keeps every parsed key in memory, so
``cache-config`` records the size for compatibility and reports it back.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from sealbox.engines.transit.common import b64decode, b64encode, optional
from sealbox.engines.transit.keyring import Keyring
from sealbox.engines.transit.store import CACHE_CONFIG, KEYS_CONFIG
from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.logical import Operation, Request, Response

_S, _I, _B = FieldType.STRING, FieldType.INT, FieldType.BOOL
RANDOM_MAX_BYTES = 128 * 1024
_SOURCES = ("", "platform", "seal", "all")
_HASHES: dict[str, Any] = {
    "sha2-224": hashlib.sha224,
    "sha2-256": hashlib.sha256,
    "sha2-384": hashlib.sha384,
    "sha2-512": hashlib.sha512,
    "sha3-224": hashlib.sha3_224,
    "sha3-256": hashlib.sha3_256,
    "sha3-384": hashlib.sha3_384,
    "sha3-512": hashlib.sha3_512,
}
_MIN_CACHE_SIZE = 10


def _encode(raw: bytes, fmt: str) -> str:
    return raw.hex() if fmt == "hex" else b64encode(raw)


def _random_count(d: FieldData) -> tuple[int, str]:
    """(bytes, source) from ``random(/:source)?(/:bytes)?`` and the body."""
    source = d.raw.get("source")
    url_bytes = d.raw.get("urlbytes")
    if source is None:
        return d.get("bytes"), "platform"
    if url_bytes is None and source in _SOURCES:
        return d.get("bytes"), source
    text = source if url_bytes is None else url_bytes
    try:
        count = int(text)
    except ValueError as err:
        raise InvalidRequest(
            f'error parsing url-set byte count: strconv.Atoi: parsing "{text}": invalid syntax'
        ) from err
    return count, "platform" if url_bytes is None else source


class MiscPaths:
    """Handlers of the utility routes."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    def paths(self) -> list[Path]:
        return [
            Path(
                "random(/(?P<source>\\w(([\\w.@-]*)?[\\w@-])?))?" + optional("urlbytes"),
                fields={
                    "source": FieldSchema(_S, "Entropy source: platform, seal or all."),
                    "urlbytes": FieldSchema(_S, "Byte count in the URL."),
                    "bytes": FieldSchema(_I, "Number of random bytes.", 32),
                    "format": FieldSchema(_S, "base64 (default) or hex.", "base64"),
                },
                operations={Operation.UPDATE: self.random},
                synopsis="Generate random bytes",
            ),
            Path(
                "hash" + optional("urlalgorithm"),
                fields={
                    "input": FieldSchema(_S, "Base64 input to hash."),
                    "algorithm": FieldSchema(_S, "Hash algorithm.", "sha2-256"),
                    "urlalgorithm": FieldSchema(_S, "Hash algorithm in the URL."),
                    "format": FieldSchema(_S, "hex (default) or base64.", "hex"),
                },
                operations={Operation.UPDATE: self.hash},
                synopsis="Generate a hash sum for input data",
            ),
            Path(
                "cache-config",
                fields={"size": FieldSchema(_I, "Cache size; 0 means unlimited.")},
                operations={Operation.READ: self.read_cache, Operation.UPDATE: self.write_cache},
                synopsis="Configure caching strategy",
            ),
            Path(
                "config/keys",
                fields={
                    "disable_upsert": FieldSchema(_B, "Refuse to create keys on encrypt."),
                },
                operations={
                    Operation.READ: self.read_keys_config,
                    Operation.UPDATE: self.write_keys_config,
                },
                synopsis="Configuration common across all keys",
            ),
        ]

    async def random(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/random(/:source)(/:bytes)."""
        del req
        count, source = _random_count(d)
        fmt = d.get("format")
        if count < 1:
            raise InvalidRequest("'bytes' cannot be less than 1")
        if count > RANDOM_MAX_BYTES:
            raise InvalidRequest(f"'bytes' should be less than {RANDOM_MAX_BYTES}")
        if fmt not in ("hex", "base64"):
            raise InvalidRequest(f'unsupported encoding format "{fmt}"; must be "hex" or "base64"')
        if source not in _SOURCES:
            raise InvalidRequest(
                f'unsupported entropy source "{source}"; must be "platform" or "seal", or "all"'
            )
        response = Response(data={"random_bytes": _encode(secrets.token_bytes(count), fmt)})
        if source == "seal":
            response.warnings.append(
                "no seal/entropy augmentation available, using platform entropy source"
            )
        return response

    async def hash(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/hash(/:algorithm)."""
        del req
        if not d.supplied("input"):
            raise InvalidRequest("input missing")
        algorithm = d.get("urlalgorithm") or d.get("algorithm")
        try:
            data = b64decode(d.get("input"))
        except ValueError as err:
            raise InvalidRequest(f"unable to decode input as base64: {err}") from err
        fmt = d.get("format")
        if fmt not in ("hex", "base64"):
            raise InvalidRequest(f'unsupported encoding format {fmt}; must be "hex" or "base64"')
        function = _HASHES.get(algorithm)
        if function is None:
            raise InvalidRequest(f"unsupported algorithm {algorithm}")
        return Response(data={"sum": _encode(function(data).digest(), fmt)})

    async def read_cache(self, req: Request, d: FieldData) -> Response:
        """GET /:mount/cache-config."""
        del d
        stored = await self.keyring.store.read_json(req.view, CACHE_CONFIG)
        return Response(data={"size": int(stored.get("size", 0))})

    async def write_cache(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/cache-config {size}."""
        size = d.get("size")
        if size != 0 and size < _MIN_CACHE_SIZE:
            raise InvalidRequest(f"size must be 0 or a value greater or equal to {_MIN_CACHE_SIZE}")
        await self.keyring.store.write_json(req.view, CACHE_CONFIG, {"size": size})
        return Response(data={"size": size})

    async def read_keys_config(self, req: Request, d: FieldData) -> Response:
        """GET /:mount/config/keys."""
        del d
        stored = await self.keyring.store.read_json(req.view, KEYS_CONFIG)
        return Response(data={"disable_upsert": bool(stored.get("disable_upsert", False))})

    async def write_keys_config(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/config/keys {disable_upsert}."""
        # compat: an absent disable_upsert means false, not "unchanged" (path_config_keys.go)
        disable = bool(d.get("disable_upsert"))
        await self.keyring.store.write_json(req.view, KEYS_CONFIG, {"disable_upsert": disable})
        return Response(data={"disable_upsert": disable})
