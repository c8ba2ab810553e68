"""``disable``, ``list`` and ``tune``: the same commands for ``sealbox auth`` and
``sealbox secrets``, which differ only in the table they change and the words they print
(Vault's command/auth_*.go and secrets_*.go)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import click

from sealbox.cli.base import (
    Exit,
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
    detailed_mount_table,
    mount_flags,
    mount_path,
    mount_table,
    mounts_of,
    mounts_shape,
    tune_body,
)

ARGS = click.argument("args", nargs=-1)


@dataclass(frozen=True)
class MountTableWords:
    """What tells one table's commands from the other's."""

    table: str  # the API path: "sys/auth" or "sys/mounts"
    noun: str  # "auth method" or "secrets engine"
    disabled_loses: str  # what disabling deletes, for the help text
    list_help: str
    list_error: str
    list_with_version: bool  # the table's Version column (auth methods have one)


def add_mount_commands(group: click.Group, words: MountTableWords) -> None:
    """Register ``disable``, ``list`` and ``tune`` on ``group``."""
    noun = words.noun

    @group.command("disable", help=f"Disable the {noun} at PATH ({words.disabled_loses}).")
    @client_flags
    @output_flags
    @ARGS
    @run
    def disable_cmd(args: tuple[str, ...]) -> int:
        usage_args(args, 1)
        mount = mount_path(args[0])
        with make_client() as client, api_errors(f"Error disabling {noun} at {mount}"):
            client.delete(f"{words.table}/{mount.rstrip('/')}")
        out(f"Success! Disabled the {noun} (if it existed) at: {mount}")
        return Exit.OK

    @group.command("list", help=words.list_help)
    @client_flags
    @output_flags
    @click.option("--detailed", is_flag=True, default=False)
    @ARGS
    @run
    def list_cmd(detailed: bool, args: tuple[str, ...]) -> int:
        usage_args(args, 0)
        with make_client() as client, api_errors(words.list_error):
            secret = client.read(words.table)
        mounts = mounts_of(secret)
        if output_format() != "table":
            return output_data(mounts_shape(mounts), struct=True)
        if detailed:
            out(detailed_mount_table(mounts))
        else:
            out(mount_table(mounts, with_version=words.list_with_version))
        return Exit.OK

    @group.command("tune", help=f"Tune the configuration of the {noun} at PATH.")
    @client_flags
    @output_flags
    @mount_flags
    @ARGS
    @run
    def tune_cmd(**opts: Any) -> int:
        args = opts.pop("args")
        usage_args(args, 1)
        mount = mount_path(args[0])
        with make_client() as client, api_errors(f"Error tuning {noun} {mount}"):
            client.post(f"{words.table}/{mount.rstrip('/')}/tune", tune_body(opts))
        out(f"Success! Tuned the {noun} at: {mount}")
        return Exit.OK
