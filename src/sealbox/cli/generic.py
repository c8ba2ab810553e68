"""``read``, ``write``, ``list``, ``delete``, ``patch`` and ``path-help`` on any API path."""

from __future__ import annotations

import sys

import click

from sealbox.cli.args import ArgsError, parse_kv_args
from sealbox.cli.base import (
    Exit,
    VaultCommand,
    api_errors,
    client_flags,
    fail,
    field_flag,
    make_client,
    out,
    output_data,
    output_flags,
    output_format,
    output_list,
    output_secret,
    print_field,
    run,
)
from sealbox.cli.format import raw_field, to_json

_ARGS = click.argument("args", nargs=-1)


def parse_data(args: tuple[str, ...]) -> dict[str, object]:
    """Parse ``key=value`` arguments, exiting 1 with Vault's message on failure."""
    try:
        return parse_kv_args(args, sys.stdin)
    except ArgsError as exc:
        fail(f"Failed to parse K=V data: {exc}")


def _path(args: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    if not args:
        fail("Not enough arguments (expected 1, got 0)")
    return args[0].strip().lstrip("/"), args[1:]


@click.command("read", cls=VaultCommand)
@client_flags
@output_flags
@_ARGS
@run
def read_cmd(args: tuple[str, ...]) -> int:
    """Read data from PATH (extra KEY=VALUE pairs are sent as query parameters)."""
    path, rest = _path(args)
    params = {k: str(v) for k, v in parse_data(rest).items()}
    with make_client() as client, api_errors(f"Error reading {path}"):
        if output_format() == "raw":
            response = client.request("GET", path, params=params)
            out(response.text)
            return Exit.OK
        secret = client.read(path, params or None)
    if secret is None:
        fail(f"No value found at {path}", Exit.REMOTE)
    return output_secret(secret)


@click.command("write", cls=VaultCommand)
@client_flags
@output_flags
@click.option("--force", "--f", "force", is_flag=True, default=False)
@_ARGS
@run
def write_cmd(force: bool, args: tuple[str, ...]) -> int:
    """Write KEY=VALUE data to PATH (``key=@file``, ``key=-`` and ``-`` for JSON on stdin)."""
    path, rest = _path(args)
    data = parse_data(rest)
    if not data and not force:
        fail("Must supply data or use -force")
    with make_client() as client, api_errors(f"Error writing data to {path}"):
        secret = client.write(path, data)
    if secret is None:
        out(f"Success! Data written to: {path}")
        return Exit.OK
    return output_secret(secret)


@click.command("patch", cls=VaultCommand)
@client_flags
@output_flags
@click.option("--force", "--f", "force", is_flag=True, default=False)
@_ARGS
@run
def patch_cmd(force: bool, args: tuple[str, ...]) -> int:
    """Patch PATH with KEY=VALUE data (a JSON merge patch)."""
    path, rest = _path(args)
    data = parse_data(rest)
    if not data and not force:
        fail("Must supply data or use -force")
    with make_client() as client, api_errors(f"Error writing data to {path}"):
        secret = client.patch(path, data)
    if secret is None:
        out(f"Success! Data written to: {path}")
        return Exit.OK
    return output_secret(secret)


@click.command("delete", cls=VaultCommand)
@client_flags
@output_flags
@_ARGS
@run
def delete_cmd(args: tuple[str, ...]) -> int:
    """Delete the data at PATH (extra KEY=VALUE pairs are sent as query parameters)."""
    path, rest = _path(args)
    params = {k: str(v) for k, v in parse_data(rest).items()}
    with make_client() as client, api_errors(f"Error deleting {path}"):
        secret = client.delete(path, params or None)
    if secret is not None and (secret.get("data") or secret.get("warnings")):
        return output_secret(secret)
    out(f"Success! Data deleted (if it existed) at: {path}")
    return Exit.OK


@click.command("list", cls=VaultCommand)
@client_flags
@output_flags
@click.option("--detailed", is_flag=True, default=False)
@_ARGS
@run
def list_cmd(detailed: bool, args: tuple[str, ...]) -> int:
    """List the keys under PATH."""
    path, rest = _path(args)
    if rest:
        fail(f"Too many arguments (expected 1, got {len(args)})")
    with make_client() as client, api_errors(f"Error listing {path}"):
        secret = client.list(path)
    data = (secret or {}).get("data")
    has_keys = isinstance(data, dict) and isinstance(data.get("keys"), list)
    if output_format() != "table" and not has_keys:
        output_data({})
        return Exit.REMOTE
    if secret is None:
        fail(f"No value found at {path}", Exit.REMOTE)
    if data is None:
        return output_secret(secret)
    if not has_keys:
        fail(f"No entries found at {path}", Exit.REMOTE)
    if detailed and output_format() == "json":
        out(to_json(secret))
        return Exit.OK
    return output_list(secret)


@click.command("path-help", cls=VaultCommand)
@client_flags
@output_flags
@_ARGS
@run
def path_help_cmd(args: tuple[str, ...]) -> int:
    """Print the server's help for PATH."""
    path, rest = _path(args)
    if rest:
        fail(f"Too many arguments (expected 1, got {len(args)})")
    with make_client() as client, api_errors("Error retrieving help"):
        body = client.call("GET", path, params={"help": "1"})
    body = body or {}
    field = field_flag()
    if field:
        return print_field(raw_field(body, field), field)
    if output_format() == "json":
        out(to_json(body))
        return Exit.OK
    data = body.get("data")
    text = body.get("help")
    if text is None and isinstance(data, dict):
        text = data.get("help")
    out(str(text or ""))
    return Exit.OK


COMMANDS = (read_cmd, write_cmd, patch_cmd, delete_cmd, list_cmd, path_help_cmd)
