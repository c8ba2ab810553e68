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
    output_flags,
    run,
    usage_args,
)
from sealbox.cli.mount_commands import ARGS, MountTableWords, add_mount_commands
from sealbox.cli.mounts import (
    config_body,
    enable_body,
    mount_flags,
    mount_path,
    options_body,
)


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
@ARGS
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


add_mount_commands(
    auth,
    MountTableWords(
        table="sys/auth",
        noun="auth method",
        disabled_loses="its tokens are revoked",
        list_help="List the enabled auth methods.",
        list_error="Error listing enabled authentications",
        list_with_version=True,
    ),
)
