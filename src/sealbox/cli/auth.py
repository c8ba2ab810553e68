"""``sealbox auth``: enable, disable, list and tune auth methods."""

from __future__ import annotations

from typing import Any

import click

from sealbox.cli.base import (
    Exit,
    VaultGroup,
    api_errors,
    client_flags,
    make_client,
    out,
    output_data,
    output_flags,
    output_format,
    run,
    usage_args,
)
from sealbox.cli.mounts import (
    config_body,
    detailed_mount_table,
    enable_body,
    mount_flags,
    mount_path,
    mount_table,
    mounts_of,
    mounts_shape,
    options_body,
    tune_body,
)

_ARGS = click.argument("args", nargs=-1)


@click.group("auth", cls=VaultGroup)
def auth() -> None:
    """Enable, disable, list and tune auth methods."""


@auth.command("enable")
@client_flags
@output_flags
@mount_flags
@click.option("--path", "mount_path", default=None)
@click.option("--local", is_flag=True, default=False)
@click.option("--seal-wrap", is_flag=True, default=False)
@_ARGS
@run
def enable_cmd(**opts: Any) -> int:
    """Enable auth method TYPE at -path (default: the type name)."""
    args = opts.pop("args")
    usage_args(args, 1)
    method = args[0].strip()
    mount = mount_path(opts["mount_path"] or method)
    body = enable_body(method, opts, options_body(opts), config_body(opts))
    with make_client() as client, api_errors(f"Error enabling {method} auth"):
        client.post(f"sys/auth/{mount.rstrip('/')}", body)
    out(f"Success! Enabled {method} auth method at: {mount}")
    return Exit.OK


@auth.command("disable")
@client_flags
@output_flags
@_ARGS
@run
def disable_cmd(args: tuple[str, ...]) -> int:
    """Disable the auth method at PATH (its tokens are revoked)."""
    usage_args(args, 1)
    mount = mount_path(args[0])
    with make_client() as client, api_errors(f"Error disabling auth method at {mount}"):
        client.delete(f"sys/auth/{mount.rstrip('/')}")
    out(f"Success! Disabled the auth method (if it existed) at: {mount}")
    return Exit.OK


@auth.command("list")
@client_flags
@output_flags
@click.option("--detailed", is_flag=True, default=False)
@_ARGS
@run
def list_cmd(detailed: bool, args: tuple[str, ...]) -> int:
    """List the enabled auth methods."""
    usage_args(args, 0)
    with make_client() as client, api_errors("Error listing enabled authentications"):
        secret = client.read("sys/auth")
    mounts = mounts_of(secret)
    if output_format() != "table":
        return output_data(mounts_shape(mounts), struct=True)
    out(detailed_mount_table(mounts) if detailed else mount_table(mounts, with_version=True))
    return Exit.OK


@auth.command("tune")
@client_flags
@output_flags
@mount_flags
@_ARGS
@run
def tune_cmd(**opts: Any) -> int:
    """Tune the configuration of the auth method at PATH."""
    args = opts.pop("args")
    usage_args(args, 1)
    mount = mount_path(args[0])
    with make_client() as client, api_errors(f"Error tuning auth method {mount}"):
        client.post(f"sys/auth/{mount.rstrip('/')}/tune", tune_body(opts))
    out(f"Success! Tuned the auth method at: {mount}")
    return Exit.OK
