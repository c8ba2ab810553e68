"""``sealbox secrets``: enable, disable, list, tune and move secrets engines."""

from __future__ import annotations

import time
from typing import Any

import click

from sealbox.cli.base import (
    Exit,
    VaultGroup,
    api_errors,
    client_flags,
    fail,
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


@click.group("secrets", cls=VaultGroup)
def secrets() -> None:
    """Enable, disable, list, tune and move secrets engines."""


@secrets.command("enable")
@client_flags
@output_flags
@mount_flags
@click.option("--path", "mount_path", default=None)
@click.option("--force-no-cache", is_flag=True, default=False)
@click.option("--local", is_flag=True, default=False)
@click.option("--seal-wrap", is_flag=True, default=False)
@_ARGS
@run
def enable_cmd(**opts: Any) -> int:
    """Enable secrets engine TYPE at -path (default: the type name)."""
    args = opts.pop("args")
    usage_args(args, 1)
    engine = args[0].strip()
    mount = mount_path(opts["mount_path"] or engine)
    body_type = engine
    options = options_body(opts)
    if engine in {"kv-v1", "kv-v2"}:
        body_type = "kv"
        options.setdefault("version", engine[-1])
    config = config_body(opts)
    if opts["force_no_cache"]:
        config["force_no_cache"] = True
    body = enable_body(body_type, opts, options, config)
    with make_client() as client, api_errors("Error enabling"):
        client.post(f"sys/mounts/{mount.rstrip('/')}", body)
    out(f"Success! Enabled the {engine} secrets engine at: {mount}")
    return Exit.OK


@secrets.command("disable")
@client_flags
@output_flags
@_ARGS
@run
def disable_cmd(args: tuple[str, ...]) -> int:
    """Disable the secrets engine at PATH (its data is deleted)."""
    usage_args(args, 1)
    mount = mount_path(args[0])
    with make_client() as client, api_errors(f"Error disabling secrets engine at {mount}"):
        client.delete(f"sys/mounts/{mount.rstrip('/')}")
    out(f"Success! Disabled the secrets engine (if it existed) at: {mount}")
    return Exit.OK


@secrets.command("list")
@client_flags
@output_flags
@click.option("--detailed", is_flag=True, default=False)
@_ARGS
@run
def list_cmd(detailed: bool, args: tuple[str, ...]) -> int:
    """List the enabled secrets engines."""
    usage_args(args, 0)
    with make_client() as client, api_errors("Error listing secrets engines"):
        secret = client.read("sys/mounts")
    mounts = mounts_of(secret)
    if output_format() != "table":
        return output_data(mounts_shape(mounts), struct=True)
    out(detailed_mount_table(mounts) if detailed else mount_table(mounts, with_version=False))
    return Exit.OK


@secrets.command("tune")
@client_flags
@output_flags
@mount_flags
@_ARGS
@run
def tune_cmd(**opts: Any) -> int:
    """Tune the configuration of the secrets engine at PATH."""
    args = opts.pop("args")
    usage_args(args, 1)
    mount = mount_path(args[0])
    with make_client() as client, api_errors(f"Error tuning secrets engine {mount}"):
        client.post(f"sys/mounts/{mount.rstrip('/')}/tune", tune_body(opts))
    out(f"Success! Tuned the secrets engine at: {mount}")
    return Exit.OK


def wait_for_migration(client: Any, migration_id: str, what: str) -> None:
    """Poll ``sys/remount/status/<id>`` until the move succeeds or fails."""
    for _ in range(600):
        status = client.read(f"sys/remount/status/{migration_id}") or {}
        info = (status.get("data") or {}).get("migration_info") or {}
        state = str(info.get("status", "success"))
        if state == "success":
            return
        if state == "failure":
            fail(f"Failure! Error encountered moving {what}", Exit.REMOTE)
        time.sleep(0.1)
    fail(f"Timed out waiting for the move of {what}", Exit.REMOTE)


@secrets.command("move")
@client_flags
@output_flags
@_ARGS
@run
def move_cmd(args: tuple[str, ...]) -> int:
    """Move the secrets engine at SOURCE to DESTINATION."""
    usage_args(args, 2)
    source, dest = mount_path(args[0]), mount_path(args[1])
    with make_client() as client, api_errors("Error moving secrets engine"):
        secret = client.post("sys/remount", {"from": source, "to": dest})
        migration_id = str(((secret or {}).get("data") or secret or {}).get("migration_id", ""))
        if not migration_id:
            out(f"Success! Moved secrets engine {source} to: {dest}")
            return Exit.OK
        out(f"Started moving secrets engine {source} to {dest}, with migration ID {migration_id}")
        wait_for_migration(client, migration_id, f"secrets engine {source} to {dest}")
    out(
        f"Success! Finished moving secrets engine {source} to {dest}, "
        f"with migration ID {migration_id}"
    )
    return Exit.OK
