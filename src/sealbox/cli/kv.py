"""``sealbox kv``: put, get, list, patch, rollback, delete, undelete and destroy.

Output copies Vault's: ``kv get`` prints a ``Secret Path`` block and ``Metadata``/``Data``
sections for v2, ``-format=json`` prints the raw response, ``-field`` one value.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from sealbox.cli.args import ArgsError, parse_kv_args, split_csv
from sealbox.cli.base import (
    Exit,
    VaultGroup,
    api_errors,
    client_flags,
    fail,
    field_flag,
    make_client,
    out,
    output_flags,
    output_list,
    output_secret,
    print_field,
    print_warnings,
    run,
    usage_args,
)
from sealbox.cli.format import raw_field
from sealbox.cli.kv_paths import KVTarget, is_table, print_path, print_section, resolve
from sealbox.client import Client

_MOUNT = click.option("--mount", default=None, help="Mount path of the KV engine.")
_ARGS = click.argument("args", nargs=-1)


@click.group("kv", cls=VaultGroup)
def kv() -> None:
    """Read and write data in the key/value secrets engine."""


def kv_data(args: tuple[str, ...]) -> dict[str, Any]:
    """Parse the ``key=value`` arguments of a kv write; exit 1 on errors."""
    try:
        data = parse_kv_args(args, sys.stdin)
    except ArgsError as exc:
        fail(f"Failed to parse K=V data: {exc}")
    if not data:
        fail("Must supply data")
    return data


def print_written(target: KVTarget, secret: dict[str, Any] | None, path: str) -> int:
    """Vault's output after a kv v2 write: the path and the new version's metadata."""
    if secret is None:
        out(f"Success! Data written to: {path}")
        return Exit.OK
    if field_flag():
        return output_secret(secret)
    if not is_table() or not target.v2:
        return output_secret(secret)
    print_warnings(secret)
    print_path(target.api_path("data"), "Secret Path")
    print_section("Metadata", secret.get("data") or {})
    return Exit.OK


@kv.command("put")
@client_flags
@output_flags
@_MOUNT
@click.option("--cas", type=int, default=-1, help="Check-and-set version.")
@_ARGS
@run
def put_cmd(mount: str | None, cas: int, args: tuple[str, ...]) -> int:
    """Write KEY=VALUE data to a kv secret (``key=@file`` and ``key=-`` read values)."""
    usage_args(args, 1, at_least=True)
    data = kv_data(args[1:])
    with make_client() as client:
        target = resolve(client, args[0], mount)
        path = target.api_path("data")
        body: dict[str, Any] = data
        if target.v2:
            body = {"data": data, "options": {"cas": cas} if cas > -1 else {}}
        with api_errors(f"Error writing data to {path}"):
            secret = client.write(path, body)
    return print_written(target, secret, path)


def read_secret(client: Client, target: KVTarget, version: int) -> tuple[str, dict[str, Any]]:
    """Read a kv secret; exits 2 when it does not exist."""
    path = target.api_path("data")
    params = {"version": str(version)} if target.v2 and version > 0 else None
    with api_errors(f"Error reading {path}"):
        secret = client.read(path, params)
    if secret is None:
        fail(f"No value found at {path}", Exit.REMOTE)
    return path, secret


@kv.command("get")
@client_flags
@output_flags
@_MOUNT
@click.option("--version", type=int, default=0, help="Version to read (v2).")
@_ARGS
@run
def get_cmd(mount: str | None, version: int, args: tuple[str, ...]) -> int:
    """Read a kv secret (v2: its data and the version's metadata)."""
    usage_args(args, 1)
    with make_client() as client:
        target = resolve(client, args[0], mount)
        path, secret = read_secret(client, target, version)
    field = field_flag()
    if field:
        if not target.v2:
            return output_secret(secret)
        data = (secret.get("data") or {}).get("data")
        if data is None:
            fail(f"No data found at {path}", Exit.REMOTE)
        if field == "data" and "data" not in data:
            return print_field(raw_field(secret, "data"), field)
        return print_field(data.get(field), field, "map")
    if secret.get("wrap_info") or not is_table():
        return output_secret(secret)
    print_warnings(secret)
    if target.v2:
        print_path(path, "Secret Path")
    payload = secret.get("data") or {}
    metadata = payload.get("metadata")
    if isinstance(metadata, dict):
        print_section("Metadata", metadata)
        out("")
    data = payload.get("data") if target.v2 else payload
    if isinstance(data, dict):
        print_section("Data", data)
    return Exit.OK


@kv.command("list")
@client_flags
@output_flags
@_MOUNT
@_ARGS
@run
def list_cmd(mount: str | None, args: tuple[str, ...]) -> int:
    """List the keys under a kv path."""
    if not mount:
        usage_args(args, 1)
    with make_client() as client:
        target = resolve(client, args[0] if args else "", mount)
        path = target.api_path("metadata")
        with api_errors(f"Error listing {path}"):
            secret = client.list(path)
    if secret is None or not (secret.get("data") or {}).get("keys"):
        fail(f"No value found at {path}", Exit.REMOTE)
    return output_list(secret)


@kv.command("patch")
@client_flags
@output_flags
@_MOUNT
@click.option("--cas", type=int, default=-1, help="Check-and-set version.")
@click.option("--method", default="patch", help="patch (HTTP PATCH) or rw (read, then write).")
@_ARGS
@run
def patch_cmd(mount: str | None, cas: int, method: str, args: tuple[str, ...]) -> int:
    """Merge KEY=VALUE data into an existing kv v2 secret."""
    usage_args(args, 1, at_least=True)
    data = kv_data(args[1:])
    with make_client() as client:
        target = resolve(client, args[0], mount)
        if not target.v2:
            fail("K/V engine mount must be version 2 for patch support", Exit.REMOTE)
        path = target.api_path("data")
        options = {"cas": cas} if cas > -1 else {}
        with api_errors(f"Error writing data to {path}"):
            if method == "rw":
                current = client.read(path)
                if current is None:
                    fail(f"No value found at {path}", Exit.REMOTE)
                merged = dict((current.get("data") or {}).get("data") or {})
                merged.update(data)
                version = ((current.get("data") or {}).get("metadata") or {}).get("version")
                cas_opts = options or ({"cas": version} if version else {})
                secret = client.write(path, {"data": merged, "options": cas_opts})
            elif method == "patch":
                secret = client.patch(path, {"data": data, "options": options})
            else:
                fail(f"Unsupported method provided to -method flag: {method}")
    return print_written(target, secret, path)


@kv.command("rollback")
@client_flags
@output_flags
@_MOUNT
@click.option("--version", type=int, default=0, help="Version to roll back to.")
@_ARGS
@run
def rollback_cmd(mount: str | None, version: int, args: tuple[str, ...]) -> int:
    """Write an older version's data as the newest version of a kv v2 secret."""
    usage_args(args, 1 if not mount else 0, at_least=True)
    if version <= 0:
        fail("Must provide a version to roll back to")
    with make_client() as client:
        target = resolve(client, args[0] if args else "", mount)
        if not target.v2:
            fail("K/V engine mount must be version 2 for rollback support", Exit.REMOTE)
        meta_path = target.api_path("metadata")
        with api_errors(f"Error reading {meta_path}"):
            meta = client.read(meta_path)
        if meta is None:
            fail(f"No value found at {meta_path}", Exit.REMOTE)
        meta_data = meta.get("data") or {}
        info = (meta_data.get("versions") or {}).get(str(version))
        if info is None:
            fail(f"Version {version} does not exist", Exit.REMOTE)
        if info.get("destroyed"):
            fail("Cannot roll back to a version that has been destroyed", Exit.REMOTE)
        if info.get("deletion_time"):
            fail("Cannot roll back to a version that has been deleted", Exit.REMOTE)
        path, old = read_secret(client, target, version)
        data = (old.get("data") or {}).get("data") or {}
        current = meta_data.get("current_version", 0)
        with api_errors(f"Error writing data to {path}"):
            secret = client.write(path, {"data": data, "options": {"cas": current}})
    return print_written(target, secret, path)


def _versions_body(versions: tuple[str, ...]) -> dict[str, Any]:
    return {"versions": split_csv(versions)}


@kv.command("delete")
@client_flags
@output_flags
@_MOUNT
@click.option("--versions", multiple=True, help="Versions to delete (v2).")
@_ARGS
@run
def delete_cmd(mount: str | None, versions: tuple[str, ...], args: tuple[str, ...]) -> int:
    """Delete the latest (or the given) versions of a kv secret."""
    usage_args(args, 1 if not mount else 0, at_least=True)
    with make_client() as client:
        target = resolve(client, args[0] if args else "", mount)
        if target.v2 and versions:
            path = target.api_path("data")
            with api_errors(f"Error deleting {path}"):
                client.write(target.api_path("delete"), _versions_body(versions))
        else:
            path = target.api_path("data")
            with api_errors(f"Error deleting {path}"):
                client.delete(path)
    out(f"Success! Data deleted (if it existed) at: {path}")
    return Exit.OK


def _version_write(action: str, mount: str | None, versions: tuple[str, ...], args: Any) -> int:
    usage_args(args, 1 if not mount else 0, at_least=True)
    if not versions:
        fail(f'No versions provided, use the "-versions" flag to specify the version to {action}.')
    with make_client() as client:
        target = resolve(client, args[0] if args else "", mount)
        if not target.v2:
            fail(f"{action.capitalize()} not supported on KV Version 1")
        path = target.api_path(action)
        with api_errors(f"Error writing data to {path}"):
            secret = client.write(path, _versions_body(versions))
    if secret is None:
        out(f"Success! Data written to: {path}")
        return Exit.OK
    return output_secret(secret)


@kv.command("undelete")
@client_flags
@output_flags
@_MOUNT
@click.option("--versions", multiple=True, help="Versions to undelete.")
@_ARGS
@run
def undelete_cmd(mount: str | None, versions: tuple[str, ...], args: tuple[str, ...]) -> int:
    """Restore deleted versions of a kv v2 secret."""
    return _version_write("undelete", mount, versions, args)


@kv.command("destroy")
@client_flags
@output_flags
@_MOUNT
@click.option("--versions", multiple=True, help="Versions to destroy.")
@_ARGS
@run
def destroy_cmd(mount: str | None, versions: tuple[str, ...], args: tuple[str, ...]) -> int:
    """Permanently remove versions of a kv v2 secret."""
    return _version_write("destroy", mount, versions, args)
