"""``sealbox kv metadata``: get, put and delete the metadata of kv v2 secrets."""

from __future__ import annotations

from typing import Any

import click

from sealbox.cli.args import ArgsError, parse_kv_args
from sealbox.cli.base import (
    Exit,
    F,
    VaultGroup,
    api_errors,
    client_flags,
    fail,
    field_flag,
    make_client,
    out,
    output_data,
    output_flags,
    output_secret,
    run,
    usage_args,
)
from sealbox.cli.format import header_for_map
from sealbox.cli.kv_paths import KVTarget, is_table, print_path, resolve
from sealbox.client import Client

_MOUNT = click.option("--mount", default=None, help="Mount path of the KV engine.")
_ARGS = click.argument("args", nargs=-1)


@click.group("metadata", cls=VaultGroup)
def metadata() -> None:
    """Manage the metadata of kv v2 secrets."""


def _v2_target(client: Client, args: tuple[str, ...], mount: str | None) -> KVTarget:
    usage_args(args, 1 if not mount else 0, at_least=True)
    target = resolve(client, args[0] if args else "", mount)
    if not target.v2:
        fail("Metadata not supported on KV Version 1", Exit.LOCAL)
    return target


@metadata.command("get")
@client_flags
@output_flags
@_MOUNT
@_ARGS
@run
def get_cmd(mount: str | None, args: tuple[str, ...]) -> int:
    """Print a secret's metadata and the state of each version."""
    with make_client() as client:
        target = _v2_target(client, args, mount)
        path = target.api_path("metadata")
        with api_errors(f"Error reading {path}"):
            secret = client.read(path)
    if secret is None:
        fail(f"No value found at {path}", Exit.REMOTE)
    if field_flag() or not is_table():
        return output_secret(secret)
    data = dict(secret.get("data") or {})
    versions = data.pop("versions", None) or {}
    print_path(path, "Metadata Path")
    out(header_for_map("Metadata", data))
    output_secret({**secret, "data": data})
    for number in sorted(versions, key=lambda v: int(v) if str(v).isdigit() else 0):
        info = versions[number]
        out("\n" + header_for_map(f"Version {number}", info))
        output_data(info)
    return Exit.OK


def _metadata_body(
    max_versions: int,
    cas_required: bool | None,
    delete_version_after: str | None,
    custom_metadata: tuple[str, ...],
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if max_versions >= 0:
        body["max_versions"] = max_versions
    if cas_required is not None:
        body["cas_required"] = cas_required
    if delete_version_after is not None:
        body["delete_version_after"] = delete_version_after
    if custom_metadata:
        try:
            parsed = parse_kv_args(custom_metadata)
        except ArgsError as exc:
            fail(f"Failed to parse custom metadata: {exc}")
        body["custom_metadata"] = {k: str(v) for k, v in parsed.items()}
    return body


def _metadata_flags(func: F) -> F:
    """The flags ``kv metadata put`` and ``kv metadata patch`` share."""
    for option in reversed(
        (
            click.option(
                "--max-versions", type=int, default=-1, help="Versions to keep (0: default)."
            ),
            click.option(
                "--cas-required/--no-cas-required", default=None, help="Require cas on writes."
            ),
            click.option(
                "--delete-version-after", default=None, help="Delete versions after (e.g. 720h)."
            ),
            click.option("--custom-metadata", multiple=True, help="key=value (repeatable)."),
        )
    ):
        func = option(func)
    return func


def _send_metadata(
    args: tuple[str, ...], mount: str | None, body: dict[str, Any], *, patch: bool
) -> int:
    with make_client() as client:
        target = _v2_target(client, args, mount)
        path = target.api_path("metadata")
        if patch:
            with api_errors(f"Error patching {path}"):
                secret = client.patch(path, body)
        else:
            with api_errors(f"Error writing data to {path}"):
                secret = client.write(path, body)
    if secret is None:
        out(f"Success! Data written to: {path}")
        return Exit.OK
    return output_secret(secret)


@metadata.command("put")
@client_flags
@output_flags
@_MOUNT
@_metadata_flags
@_ARGS
@run
def put_cmd(
    mount: str | None,
    max_versions: int,
    cas_required: bool | None,
    delete_version_after: str | None,
    custom_metadata: tuple[str, ...],
    args: tuple[str, ...],
) -> int:
    """Create or update a secret's metadata."""
    body = _metadata_body(max_versions, cas_required, delete_version_after, custom_metadata)
    return _send_metadata(args, mount, body, patch=False)


@metadata.command("patch")
@client_flags
@output_flags
@_MOUNT
@_metadata_flags
@_ARGS
@run
def patch_cmd(
    mount: str | None,
    max_versions: int,
    cas_required: bool | None,
    delete_version_after: str | None,
    custom_metadata: tuple[str, ...],
    args: tuple[str, ...],
) -> int:
    """Patch a secret's metadata, leaving unspecified fields alone."""
    body = _metadata_body(max_versions, cas_required, delete_version_after, custom_metadata)
    return _send_metadata(args, mount, body, patch=True)


@metadata.command("delete")
@client_flags
@output_flags
@_MOUNT
@_ARGS
@run
def delete_cmd(mount: str | None, args: tuple[str, ...]) -> int:
    """Delete a secret's metadata and all its versions."""
    with make_client() as client:
        target = _v2_target(client, args, mount)
        path = target.api_path("metadata")
        with api_errors(f"Error deleting {path}"):
            client.delete(path)
    out(f"Success! Data deleted (if it existed) at: {path}")
    return Exit.OK
