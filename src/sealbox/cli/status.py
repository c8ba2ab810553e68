"""``sealbox status``: seal status and HA state; exit 2 when sealed, as Vault does."""

from __future__ import annotations

from typing import Any

import click

from sealbox.cli.base import (
    Exit,
    VaultCommand,
    client_flags,
    error,
    field_flag,
    make_client,
    out,
    output_flags,
    output_format,
    print_field,
    run,
)
from sealbox.cli.format import table, to_json, to_yaml
from sealbox.client import Client, ClientConnectionError, ClientError

_ORDER = (
    "type",
    "initialized",
    "sealed",
    "t",
    "n",
    "progress",
    "nonce",
    "version",
    "commit_date",
    "migration",
    "cluster_name",
    "cluster_id",
    "recovery_seal",
    "storage_type",
    "build_date",
)
_LEADER_KEYS = (
    "is_self",
    "active_time",
    "leader_address",
    "leader_cluster_address",
    "raft_committed_index",
    "raft_applied_index",
)


def _b(value: Any) -> str:
    return "true" if value else "false"


def seal_status_rows(status: dict[str, Any]) -> list[list[str]]:
    """The rows of Vault's seal status table (without the header)."""
    prefix = "Recovery " if status.get("recovery_seal") else ""
    rows = [["Seal Type", str(status.get("type", ""))]]
    if prefix:
        rows.append(["Recovery Seal Type", str(status.get("recovery_seal_type", ""))])
    rows += [
        ["Initialized", _b(status.get("initialized"))],
        ["Sealed", _b(status.get("sealed"))],
        [f"Total {prefix}Shares", str(status.get("n", 0))],
        ["Threshold", str(status.get("t", 0))],
    ]
    if status.get("sealed"):
        rows.append(["Unseal Progress", f"{status.get('progress', 0)}/{status.get('t', 0)}"])
        rows.append(["Unseal Nonce", str(status.get("nonce", ""))])
    if status.get("migration"):
        rows.append(["Seal Migration in Progress", "true"])
    for key, label in (
        ("version", "Version"),
        ("commit_date", "Commit Date"),
        ("storage_type", "Storage Type"),
    ):
        if status.get(key):
            rows.append([label, str(status[key])])
    if status.get("cluster_name") and status.get("cluster_id"):
        rows.append(["Cluster Name", str(status["cluster_name"])])
        rows.append(["Cluster ID", str(status["cluster_id"])])
    rows.append(["HA Enabled", _b(status.get("ha_enabled"))])
    if status.get("ha_enabled") and not status.get("sealed"):
        rows.append(["HA Cluster", str(status.get("leader_cluster_address", ""))])
        rows.append(["HA Mode", "active" if status.get("is_self") else "standby"])
        if status.get("is_self") and status.get("active_time"):
            rows.append(["Active Since", str(status["active_time"])])
        if not status.get("is_self") and status.get("leader_address"):
            rows.append(["Active Node Address", str(status["leader_address"])])
    return rows


# A sealed server answers sys/leader with 503 Service Unavailable (OpenBao http/sys_leader.go).
_SEALED = 503


def seal_status_output(client: Client, status: dict[str, Any]) -> dict[str, Any]:
    """Seal status merged with leader information, in Vault's JSON field order."""
    defaults: dict[str, Any] = {"nonce": "", "version": "", "commit_date": "", "migration": False}
    defaults.update({"recovery_seal": False, "build_date": ""})
    shaped = {k: status.get(k, defaults.get(k)) for k in _ORDER if k in status or k in defaults}
    shaped.update({k: v for k, v in status.items() if k not in shaped})
    try:
        leader = client.read("sys/leader") or {}
    except ClientError as exc:
        if exc.status != _SEALED:
            raise
        leader = {"ha_enabled": True}
    shaped["ha_enabled"] = bool(leader.get("ha_enabled"))
    for key in _LEADER_KEYS:
        if leader.get(key):
            shaped[key] = leader[key]
    return shaped


def print_seal_status(client: Client, status: dict[str, Any]) -> int:
    """Print a seal status in the current format (Vault's ``OutputSealStatus``)."""
    shaped = seal_status_output(client, status)
    field = field_flag()
    if field:
        return print_field(shaped.get(field), field)
    chosen = output_format()
    if chosen == "json":
        out(to_json(shaped))
    elif chosen in {"yaml", "yml"}:
        out(to_yaml(shaped))
    else:
        out(table(["Key", "Value"], seal_status_rows(shaped)))
    return Exit.OK


@click.command("status", cls=VaultCommand)
@client_flags
@output_flags
@run
def status_cmd() -> int:
    """Print the seal and HA status of the server (exit 2 when sealed)."""
    with make_client() as client:
        try:
            status = client.read("sys/seal-status") or {}
            print_seal_status(client, status)
        except (ClientError, ClientConnectionError) as exc:
            error(f"Error checking seal status: {exc}")
            return Exit.LOCAL
    return Exit.REMOTE if status.get("sealed") else Exit.OK
