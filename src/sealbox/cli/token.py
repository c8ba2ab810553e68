"""``sealbox token``: create, lookup, renew, revoke and capabilities."""

from __future__ import annotations

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
    output_secret,
    run,
    usage_args,
)

_ARGS = click.argument("args", nargs=-1)


@click.group("token", cls=VaultGroup)
def token() -> None:
    """Create, inspect, renew and revoke tokens."""


def _create_body(opts: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    policies = [p.strip() for raw in opts["policy"] for p in raw.split(",") if p.strip()]
    if policies:
        body["policies"] = policies
    if opts["metadata"]:
        try:
            body["meta"] = {k: str(v) for k, v in parse_kv_args(opts["metadata"]).items()}
        except ArgsError as exc:
            fail(f"Error parsing metadata: {exc}")
    for flag, key in (
        ("id", "id"),
        ("display_name", "display_name"),
        ("ttl", "ttl"),
        ("explicit_max_ttl", "explicit_max_ttl"),
        ("period", "period"),
        ("type", "type"),
        ("entity_alias", "entity_alias"),
    ):
        if opts[flag]:
            body[key] = opts[flag]
    if opts["use_limit"]:
        body["num_uses"] = opts["use_limit"]
    if opts["no_default_policy"]:
        body["no_default_policy"] = True
    if opts["renewable"] is not None:
        body["renewable"] = opts["renewable"]
    return body


@token.command("create")
@client_flags
@output_flags
@click.option("--id", "id_", default=None)
@click.option("--display-name", default=None)
@click.option("--ttl", default=None)
@click.option("--explicit-max-ttl", default=None)
@click.option("--period", default=None)
@click.option("--renewable/--no-renewable", default=None)
@click.option("--orphan", is_flag=True, default=False)
@click.option("--no-default-policy", is_flag=True, default=False)
@click.option("--use-limit", type=int, default=0)
@click.option("--policy", multiple=True)
@click.option("--metadata", multiple=True)
@click.option("--role", default=None)
@click.option("--type", "type_", default=None)
@click.option("--entity-alias", default=None)
@_ARGS
@run
def create_cmd(**opts: Any) -> int:
    """Create a token (child of the current one unless -orphan)."""
    usage_args(opts.pop("args"), 0)
    opts["id"] = opts.pop("id_")
    opts["type"] = opts.pop("type_")
    body = _create_body(opts)
    path = "auth/token/create"
    if opts["role"]:
        path = f"auth/token/create/{opts['role']}"
    elif opts["orphan"]:
        path = "auth/token/create-orphan"
    with make_client() as client, api_errors("Error creating token"):
        secret = client.write(path, body)
    return output_secret(secret)


@token.command("lookup")
@client_flags
@output_flags
@click.option("--accessor", is_flag=True, default=False, help="The argument is an accessor.")
@_ARGS
@run
def lookup_cmd(accessor: bool, args: tuple[str, ...]) -> int:
    """Show information about a token (default: the current one)."""
    if len(args) > 1:
        fail(f"Too many arguments (expected 0-1, got {len(args)})")
    if accessor and not args:
        fail("Not enough arguments (expected 1, got 0)")
    with make_client() as client, api_errors("Error looking up token"):
        if accessor:
            secret = client.write("auth/token/lookup-accessor", {"accessor": args[0]})
        elif args:
            secret = client.write("auth/token/lookup", {"token": args[0]})
        else:
            secret = client.read("auth/token/lookup-self")
    return output_secret(secret)


@token.command("renew")
@client_flags
@output_flags
@click.option("--increment", "--i", "increment", default=None, help="Requested extension.")
@click.option("--accessor", is_flag=True, default=False, help="The argument is an accessor.")
@_ARGS
@run
def renew_cmd(increment: str | None, accessor: bool, args: tuple[str, ...]) -> int:
    """Renew a token's lease (default: the current token)."""
    if len(args) > 1:
        fail(f"Too many arguments (expected 0-1, got {len(args)})")
    body: dict[str, Any] = {"increment": increment} if increment else {}
    with make_client() as client, api_errors("Error renewing token"):
        if accessor and args:
            secret = client.write("auth/token/renew-accessor", {**body, "accessor": args[0]})
        elif args:
            secret = client.write("auth/token/renew", {**body, "token": args[0]})
        else:
            secret = client.write("auth/token/renew-self", body)
    return output_secret(secret)


@token.command("revoke")
@client_flags
@output_flags
@click.option("--self", "self_", is_flag=True, default=False, help="Revoke the current token.")
@click.option("--accessor", is_flag=True, default=False, help="The argument is an accessor.")
@click.option("--mode", default="", help="orphan: keep children; path: revoke by prefix.")
@_ARGS
@run
def revoke_cmd(self_: bool, accessor: bool, mode: str, args: tuple[str, ...]) -> int:
    """Revoke a token and (unless -mode=orphan) its children."""
    if self_:
        usage_args(args, 0)
    else:
        usage_args(args, 1)
    with make_client() as client, api_errors("Error revoking token"):
        if self_:
            client.write("auth/token/revoke-self", {})
        elif accessor:
            client.write("auth/token/revoke-accessor", {"accessor": args[0]})
        elif mode == "orphan":
            client.write("auth/token/revoke-orphan", {"token": args[0]})
        elif mode == "path":
            client.write(f"sys/leases/revoke-prefix/{args[0]}", {})
        else:
            client.write("auth/token/revoke", {"token": args[0]})
    out("Success! Revoked token (if it existed)")
    return Exit.OK


@token.command("capabilities")
@client_flags
@output_flags
@click.option("--accessor", is_flag=True, default=False, help="The token is an accessor.")
@_ARGS
@run
def capabilities_cmd(accessor: bool, args: tuple[str, ...]) -> int:
    """List the capabilities of a token (default: the current one) on PATH."""
    if not args:
        fail("Not enough arguments (expected 1-2, got 0)")
    if len(args) > 2:
        fail(f"Too many arguments (expected 1-2, got {len(args)})")
    path = args[-1]
    with make_client() as client, api_errors("Error listing capabilities"):
        if len(args) == 1:
            secret = client.write("sys/capabilities-self", {"paths": [path]})
        elif accessor:
            secret = client.write(
                "sys/capabilities-accessor", {"accessor": args[0], "paths": [path]}
            )
        else:
            secret = client.write("sys/capabilities", {"token": args[0], "paths": [path]})
    data = (secret or {}).get("data") or secret or {}
    caps = data.get(path) or data.get("capabilities") or []
    caps = sorted(str(c) for c in caps)
    if output_format() == "table":
        out(", ".join(caps))
        return Exit.OK
    return output_data(caps)
