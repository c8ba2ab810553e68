"""``sealbox operator``: init, unseal, seal, rotate, key-status, rekey and generate-root."""

from __future__ import annotations

from datetime import datetime
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
from sealbox.cli.format import columnize
from sealbox.cli.operator_keys import generate_root_cmd, read_key, rekey_cmd
from sealbox.cli.operator_storage import migrate_cmd, snapshot
from sealbox.cli.status import print_seal_status
from sealbox.client import Client

_ARGS = click.argument("args", nargs=-1)


@click.group("operator", cls=VaultGroup)
def operator() -> None:
    """Operate the server: init, unseal, seal, rotate, rekey, generate-root."""


operator.add_command(rekey_cmd)
operator.add_command(generate_root_cmd)
operator.add_command(migrate_cmd)
operator.add_command(snapshot)


def _init_text(shares: int, threshold: int) -> str:
    return (
        f"sealbox initialized with {shares} key shares and a key threshold of {threshold}. "
        "Please securely\ndistribute the key shares printed above. When sealbox is re-sealed,\n"
        f"restarted, or stopped, you must supply at least {threshold} of these keys to unseal "
        "it\nbefore it can start servicing requests.\n\n"
        f"sealbox does not store the generated root key. Without at least {threshold} keys to\n"
        "reconstruct the root key, sealbox will remain permanently sealed!\n\n"
        "It is possible to generate new unseal keys, provided you have a quorum of\n"
        'existing unseal keys shares. See "sealbox operator rekey" for more information.'
    )


@operator.command("init")
@client_flags
@output_flags
@click.option("--key-shares", "--n", "key_shares", type=int, default=5)
@click.option("--key-threshold", "--t", "key_threshold", type=int, default=3)
@click.option("--recovery-shares", "recovery_shares", type=int, default=5)
@click.option("--recovery-threshold", "recovery_threshold", type=int, default=3)
@click.option("--status", is_flag=True, default=False)
@_ARGS
@run
def init_cmd(
    key_shares: int,
    key_threshold: int,
    recovery_shares: int,
    recovery_threshold: int,
    status: bool,
    args: tuple[str, ...],
) -> int:
    """Initialize the server: create the root key's shares (or recovery keys) and root token."""
    usage_args(args, 0)
    with make_client() as client:
        if status:
            with api_errors("Error checking init status"):
                body = client.read("sys/init") or {}
            if body.get("initialized"):
                out("Sealbox is initialized")
                return Exit.OK
            out("Sealbox is not initialized")
            return Exit.REMOTE
        with api_errors("Error checking seal status"):
            auto = bool((client.read("sys/seal-status") or {}).get("recovery_seal"))
        request = {"secret_shares": key_shares, "secret_threshold": key_threshold}
        if auto:  # compat: like bao, recovery settings go only to an auto-unseal server
            request.update(recovery_shares=recovery_shares, recovery_threshold=recovery_threshold)
        with api_errors("Error initializing"):
            result = client.write("sys/init", request)
    result = result or {}
    if output_format() != "table":
        return output_data(_init_data(result, request), struct=True)
    for i, key in enumerate(result.get("keys_base64") or [], 1):
        out(f"Unseal Key {i}: {key}")
    for i, key in enumerate(result.get("recovery_keys_base64") or [], 1):
        out(f"Recovery Key {i}: {key}")
    out("")
    out(f"Initial Root Token: {result.get('root_token', '')}")
    out("")
    if auto:
        out(_recovery_text(recovery_shares, recovery_threshold))
    else:
        out(_init_text(key_shares, key_threshold))
    return Exit.OK


def _init_data(result: dict[str, Any], request: dict[str, int]) -> dict[str, Any]:
    auto = "recovery_shares" in request
    return {
        "unseal_keys_b64": list(result.get("keys_base64") or []),
        "unseal_keys_hex": list(result.get("keys") or []),
        "unseal_shares": 1 if auto else request["secret_shares"],
        "unseal_threshold": 1 if auto else request["secret_threshold"],
        "recovery_keys_b64": list(result.get("recovery_keys_base64") or []),
        "recovery_keys_hex": list(result.get("recovery_keys") or []),
        "recovery_keys_shares": request.get("recovery_shares", 0),
        "recovery_keys_threshold": request.get("recovery_threshold", 0),
        "root_token": result.get("root_token", ""),
    }


def _recovery_text(shares: int, threshold: int) -> str:
    return (
        "Success! sealbox is initialized\n\n"
        f"Recovery key initialized with {shares} key shares and a key threshold of "
        f"{threshold}. Please\nsecurely distribute the key shares printed above."
    )


@operator.command("unseal")
@client_flags
@output_flags
@click.option("--reset", is_flag=True, default=False)
@click.option("--migrate", is_flag=True, default=False)
@_ARGS
@run
def unseal_cmd(reset: bool, migrate: bool, args: tuple[str, ...]) -> int:
    """Provide one unseal key share (argument, ``-`` for stdin, or a hidden prompt)."""
    body: dict[str, Any] = {"reset": True} if reset else {"key": read_key(args)}
    if migrate:
        body["migrate"] = True
    with make_client() as client, api_errors("Error unsealing"):
        status = client.write("sys/unseal", body) or {}
        print_seal_status(client, status)
    return Exit.OK


@operator.command("seal")
@client_flags
@output_flags
@_ARGS
@run
def seal_cmd(args: tuple[str, ...]) -> int:
    """Seal the server."""
    usage_args(args, 0)
    with make_client() as client, api_errors("Error sealing"):
        client.write("sys/seal", {})
    out("Success! Sealbox is sealed.")
    return Exit.OK


def _key_status(client: Client) -> dict[str, Any]:
    secret = client.read("sys/key-status") or {}
    data = secret.get("data")
    return dict(data) if isinstance(data, dict) else dict(secret)


def _rfc822(value: Any) -> str:
    text = str(value or "")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00")[:26] + "+00:00")
    except ValueError:
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return text
    return moment.strftime("%d %b %y %H:%M UTC")


def _print_key_status(status: dict[str, Any]) -> int:
    if output_format() != "table":
        return output_data(
            {
                "term": status.get("term"),
                "install_time": status.get("install_time"),
                "encryptions": status.get("encryptions"),
            },
            struct=True,
        )
    out(
        columnize(
            [
                ["Key Term", str(status.get("term", ""))],
                ["Install Time", _rfc822(status.get("install_time"))],
                ["Encryption Count", str(status.get("encryptions", 0))],
            ]
        )
    )
    return Exit.OK


@operator.command("key-status")
@client_flags
@output_flags
@_ARGS
@run
def key_status_cmd(args: tuple[str, ...]) -> int:
    """Show the current encryption key term."""
    usage_args(args, 0)
    with make_client() as client, api_errors("Error reading key status"):
        status = _key_status(client)
    return _print_key_status(status)


@operator.command("rotate")
@client_flags
@output_flags
@_ARGS
@run
def rotate_cmd(args: tuple[str, ...]) -> int:
    """Add a new encryption key term to the keyring."""
    usage_args(args, 0)
    with make_client() as client:
        with api_errors("Error rotating key"):
            client.write("sys/rotate", {})
        with api_errors("Error reading key status"):
            status = _key_status(client)
    if output_format() == "table":
        out("Success! Rotated key")
        out("")
    return _print_key_status(status)
