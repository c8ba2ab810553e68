"""How ``sealbox kv`` finds a path's mount and KV version, like Vault's CLI.

The version comes from ``GET sys/internal/ui/mounts/<path>`` (a 404 means an old server and
KV v1). For v2 the API prefix (``data``, ``metadata``, ``delete``, ...) is inserted after the
mount path; ``-mount=secret`` lets the path omit the mount.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

from sealbox.cli.base import CommandExit, Exit, error, out, output_format
from sealbox.cli.format import header_for_map, map_table, pad_equal_signs
from sealbox.client import Client, ClientConnectionError, ClientError


@dataclass(frozen=True, slots=True)
class KVTarget:
    """A resolved kv path: where it is mounted, whether v2, and the path as typed."""

    mount: str
    v2: bool
    partial: str
    mount_flag: bool

    def api_path(self, prefix: str) -> str:
        """The API path for v2 ``prefix`` (``data``, ``metadata``...), or the v1 path."""
        if not self.v2:
            return posixpath.join(self.mount, self.partial) if self.mount_flag else self.partial
        return add_prefix(self.partial, self.mount, prefix)


def sanitize(path: str) -> str:
    """Strip surrounding whitespace and leading/trailing slashes."""
    return path.strip().strip("/")


def preflight(client: Client, path: str) -> tuple[str, int]:
    """The mount path and KV version of ``path`` (``("", 1)`` on a 404)."""
    try:
        body = client.call("GET", f"sys/internal/ui/mounts/{path}", wrap_ttl="")
    except ClientError as exc:
        if exc.status == 404:
            return "", 1
        raise
    data = (body or {}).get("data") or {}
    mount = str(data.get("path") or "")
    options = data.get("options") or {}
    version = str(options.get("version") or "1") if isinstance(options, dict) else "1"
    return mount, 2 if version == "2" else 1


def add_prefix(path: str, mount: str, prefix: str) -> str:
    """Vault's ``addPrefixToKVPath``: ``secret/foo`` → ``secret/<prefix>/foo``."""
    if path in {mount, mount.rstrip("/")}:
        return posixpath.join(mount, prefix)
    suffix = path.removeprefix(mount)
    while suffix == path:
        parts = mount.split("/", 1)
        if len(parts) <= 1 or not parts[1]:
            break
        mount = parts[1].rstrip("/")
        suffix = suffix.removeprefix(mount)
    return posixpath.normpath(posixpath.join(mount, prefix, suffix.lstrip("/")))


def resolve(client: Client, path_arg: str, mount_flag: str | None) -> KVTarget:
    """Resolve the mount and version for a kv command; prints and exits 2 on errors."""
    try:
        if mount_flag:
            mount = sanitize(mount_flag)
            _, version = preflight(client, mount)
            partial = sanitize(path_arg)
            if version == 2:
                partial = posixpath.join(mount, partial)
            return KVTarget(mount + "/", version == 2, partial, True)
        partial = sanitize(path_arg)
        mount, version = preflight(client, partial)
        return KVTarget(mount, version == 2, partial, False)
    except (ClientError, ClientConnectionError) as exc:
        error(str(exc))
        raise CommandExit(Exit.REMOTE) from None


def print_path(path: str, title: str) -> None:
    """Vault's ``outputPath``: a centred title, the path, then a blank line."""
    out(pad_equal_signs(title, len(path)))
    out(path)
    out("")


def print_section(title: str, data: dict[str, Any]) -> None:
    """A ``==== Title ====`` header over a Key/Value table of ``data``."""
    out(header_for_map(title, data))
    text = map_table(data)
    if text:
        out(text)


def is_table() -> bool:
    """Whether the current output format is table."""
    return output_format() == "table"
