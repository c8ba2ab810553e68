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
@ARGS
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


add_mount_commands(
    secrets,
    MountTableWords(
        table="sys/mounts",
        noun="secrets engine",
        disabled_loses="its data is deleted",
        list_help="List the enabled secrets engines.",
        list_error="Error listing secrets engines",
        list_with_version=False,
    ),
)


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
@ARGS
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
