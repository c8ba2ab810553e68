"""``sealbox audit``: enable, disable and list audit devices."""

from __future__ import annotations

import sys
from typing import Any

import click

from sealbox.cli.args import ArgsError, parse_kv_args
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
from sealbox.cli.format import go_value, table
from sealbox.cli.mounts import mounts_of

_ARGS = click.argument("args", nargs=-1)


@click.group("audit", cls=VaultGroup)
def audit() -> None:
    """Enable, disable and list audit devices."""


@audit.command("enable")
@client_flags
@output_flags
@click.option("--path", "device_path", default=None)
@click.option("--description", default=None)
@click.option("--local", is_flag=True, default=False)
@_ARGS
@run
def enable_cmd(
    device_path: str | None, description: str | None, local: bool, args: tuple[str, ...]
) -> int:
    """Enable audit device TYPE with KEY=VALUE options (e.g. file_path=...)."""
    usage_args(args, 1, at_least=True)
    device = args[0].strip()
    try:
        options = {k: str(v) for k, v in parse_kv_args(args[1:], sys.stdin).items()}
    except ArgsError as exc:
        fail(f"Failed to parse K=V data: {exc}")
    path = (device_path or device).strip().strip("/") + "/"
    body: dict[str, Any] = {"type": device, "options": options, "local": local}
    if description:
        body["description"] = description
    with make_client() as client, api_errors("Error enabling audit device"):
        client.write(f"sys/audit/{path.rstrip('/')}", body)
    out(f"Success! Enabled the {device} audit device at: {path}")
    return Exit.OK


@audit.command("disable")
@client_flags
@output_flags
@_ARGS
@run
def disable_cmd(args: tuple[str, ...]) -> int:
    """Disable the audit device at PATH."""
    usage_args(args, 1)
    path = args[0].strip().strip("/") + "/"
    with make_client() as client, api_errors("Error disabling audit device"):
        client.delete(f"sys/audit/{path.rstrip('/')}")
    out(f"Success! Disabled audit device (if it was enabled) at: {path}")
    return Exit.OK


@audit.command("list")
@client_flags
@output_flags
@click.option("--detailed", is_flag=True, default=False)
@_ARGS
@run
def list_cmd(detailed: bool, args: tuple[str, ...]) -> int:
    """List the enabled audit devices."""
    usage_args(args, 0)
    with make_client() as client, api_errors("Error listing audits"):
        secret = client.read("sys/audit")
    devices = mounts_of(secret)
    if output_format() != "table":
        shaped = {
            path: {
                "type": entry.get("type", ""),
                "description": entry.get("description", ""),
                "options": entry.get("options"),
                "local": bool(entry.get("local")),
                "path": entry.get("path", path),
            }
            for path, entry in sorted(devices.items())
        }
        return output_data(shaped, struct=True)
    if not devices:
        out("No audit devices are enabled.")
        return Exit.REMOTE
    rows = []
    for path in sorted(devices):
        entry = devices[path]
        row = [path, str(entry.get("type", "")), str(entry.get("description", ""))]
        if detailed:
            row.append("local" if entry.get("local") else "replicated")
            row.append(go_value(entry.get("options") or {}))
        rows.append(row)
    header = ["Path", "Type", "Description"]
    if detailed:
        header += ["Replication", "Options"]
    out(table(header, rows))
    return Exit.OK
