"""``sealbox lease``: lookup, renew and revoke leases (OpenBao command/lease_*.go).

Messages and exit codes follow ``bao lease``: revoke queues the revocation unless ``-sync``
("All revocation operations queued successfully!"), ``-prefix`` revokes every lease under
the id, ``-force`` (only with ``-prefix``) removes leases even when their backend fails.
"""

from __future__ import annotations

from typing import Any

import click

from sealbox.cli.base import (
    Exit,
    VaultGroup,
    api_errors,
    client_flags,
    error,
    fail,
    make_client,
    out,
    output_flags,
    output_secret,
    run,
    usage_args,
)

_ARGS = click.argument("args", nargs=-1)


@click.group("lease", cls=VaultGroup)
def lease() -> None:
    """Look up, renew and revoke leases."""


@lease.command("lookup")
@client_flags
@output_flags
@_ARGS
@run
def lookup_cmd(args: tuple[str, ...]) -> int:
    """Show a lease's issue and expire times, TTL and (once failed) revocation errors."""
    usage_args(args, 1)
    with make_client() as client, api_errors(f"error looking up lease id {args[0]}"):
        secret = client.write("sys/leases/lookup", {"lease_id": args[0]})
    return output_secret(secret)


@lease.command("renew")
@client_flags
@output_flags
@click.option("--increment", "--i", "increment", default=None, help="Requested extension.")
@_ARGS
@run
def renew_cmd(increment: str | None, args: tuple[str, ...]) -> int:
    """Renew a lease by the increment (default: its own TTL), capped by its max TTL."""
    usage_args(args, 1)
    body: dict[str, Any] = {"lease_id": args[0]}
    if increment:
        body["increment"] = increment
    with make_client() as client, api_errors("Error renewing lease"):
        secret = client.write("sys/leases/renew", body)
    return output_secret(secret)


@lease.command("revoke")
@client_flags
@output_flags
@click.option("--force", is_flag=True, default=False, help="Remove even if revocation fails.")
@click.option("--prefix", is_flag=True, default=False, help="Revoke every lease under the id.")
@click.option("--sync", is_flag=True, default=False, help="Wait for the revocation.")
@_ARGS
@run
def revoke_cmd(force: bool, prefix: bool, sync: bool, args: tuple[str, ...]) -> int:
    """Revoke a lease, or every lease under a prefix."""
    usage_args(args, 1)
    if force and not prefix:
        fail("Specifying -force requires also specifying -prefix", Exit.LOCAL)
    lease_id = args[0]
    with make_client() as client, api_errors(f"Error revoking leases with prefix {lease_id}"):
        if force:
            error(
                "Warning! Force-removing leases can cause sealbox to become out of sync with\n"
                "secret engines!"
            )
            client.write(f"sys/leases/revoke-force/{lease_id}", {})
        elif prefix:
            client.write(f"sys/leases/revoke-prefix/{lease_id}", {"sync": sync})
        else:
            client.write("sys/leases/revoke", {"lease_id": lease_id, "sync": sync})
    if force:
        out(f"Success! Force revoked any leases with prefix: {lease_id}")
    elif sync and prefix:
        out(f"Success! Revoked any leases with prefix: {lease_id}")
    elif sync:
        out(f"Success! Revoked lease: {lease_id}")
    else:
        out("All revocation operations queued successfully!")
    return Exit.OK
