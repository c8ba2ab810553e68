"""``sealbox login``: authenticate and store the token in ``~/.sealbox-token`` (mode 0600).

``login TOKEN`` (or ``login -`` to read it from stdin, or no argument to be prompted) checks
the token with ``auth/token/lookup-self``. ``login -method=NAME [-path=P] k=v...`` posts the
pairs to ``auth/P/login``; methods that log in a user (userpass, ldap, okta, radius) post to
``auth/P/login/<username>`` and prompt for a missing password, so it need not be an argument.
"""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

import click

from sealbox.cli.args import ArgsError, parse_kv_args
from sealbox.cli.base import (
    Exit,
    VaultCommand,
    api_errors,
    client_flags,
    error,
    fail,
    field_flag,
    make_client,
    out,
    output_flags,
    output_format,
    output_secret,
    print_raw,
    run,
)
from sealbox.cli.format import wrap_text
from sealbox.cli.login_oidc import oidc_login_secret
from sealbox.client import Client, env_value, write_token_file

USER_METHODS = frozenset({"userpass", "ldap", "okta", "radius"})
_SUCCESS = (
    "Success! You are now authenticated. The token information displayed below is already "
    'stored in the token helper. You do NOT need to run "sealbox login" again. Future sealbox '
    "requests will automatically use this token."
)
_NO_STORE = (
    "Success! You are now authenticated. The token information is displayed below. "
    "The token has not been stored."
)


def _read_token(args: tuple[str, ...]) -> str:
    if len(args) > 1:
        fail(f"Too many arguments (expected 0-1, got {len(args)})")
    if args and args[0] != "-":
        return args[0].strip()
    if args:
        return sys.stdin.read().strip()
    return getpass.getpass("Token (will be hidden): ").strip()


def token_login_secret(client: Client, token: str) -> dict[str, Any]:
    """Look up ``token`` and shape the answer like a login response."""
    client.token = token
    with api_errors("Error looking up token"):
        lookup = client.read("auth/token/lookup-self") or {}
    data = lookup.get("data") or {}
    policies = list(data.get("policies") or [])
    return {
        "request_id": lookup.get("request_id", ""),
        "lease_id": "",
        "lease_duration": 0,
        "renewable": False,
        "data": None,
        "warnings": lookup.get("warnings"),
        "auth": {
            "client_token": token,
            "accessor": data.get("accessor", ""),
            "policies": policies,
            "token_policies": policies,
            "identity_policies": data.get("identity_policies") or [],
            "metadata": data.get("meta"),
            "orphan": bool(data.get("orphan")),
            "entity_id": data.get("entity_id", ""),
            "lease_duration": int(data.get("ttl") or 0),
            "renewable": bool(data.get("renewable")),
            "mfa_requirement": None,
        },
    }


def method_login_secret(client: Client, method: str, path: str, args: tuple[str, ...]) -> Any:
    """Log in through ``auth/<path>/login`` with ``key=value`` arguments."""
    try:
        data = parse_kv_args(args, sys.stdin)
    except ArgsError as exc:
        fail(f"Error parsing configuration: {exc}")
    mount = (path or method).strip("/")
    login_path = f"auth/{mount}/login"
    if method in USER_METHODS:
        username = data.pop("username", None)
        if not username:
            fail("'username' must be specified")
        if "password" not in data:
            data["password"] = getpass.getpass("Password (will be hidden): ")
        login_path = f"{login_path}/{username}"
    client.token = None
    with api_errors("Error authenticating"):
        secret = client.write(login_path, data)
    if not secret or not secret.get("auth"):
        fail("Error authenticating: no auth information was returned", Exit.REMOTE)
    return secret


@click.command("login", cls=VaultCommand)
@client_flags
@output_flags
@click.option("--method", default="token", help="Auth method (token, userpass, ...).")
@click.option("--path", "mount_path", default="", help="Mount path of the auth method.")
@click.option("--no-store", is_flag=True, default=False, help="Do not store the token.")
@click.option("--no-print", is_flag=True, default=False, help="Do not print the token.")
@click.option("--token-only", is_flag=True, default=False, help="Print only the token.")
@click.argument("args", nargs=-1)
@run
def login_cmd(
    method: str,
    mount_path: str,
    no_store: bool,
    no_print: bool,
    token_only: bool,
    args: tuple[str, ...],
) -> int:
    """Authenticate; the token is stored in ~/.sealbox-token unless -no-store."""
    with make_client() as client:
        if method == "token":
            secret = token_login_secret(client, _read_token(args))
        elif method == "oidc":
            secret = oidc_login_secret(client, mount_path, args)
        else:
            secret = method_login_secret(client, method, mount_path, args)
    token = str(secret["auth"]["client_token"])
    if token_only:
        no_store = True
    if not no_store:
        write_token_file(token)
        if env_value("TOKEN"):
            name = "SEALBOX_TOKEN" if os.environ.get("SEALBOX_TOKEN") else "VAULT_TOKEN"
            warning = (
                f"WARNING! The {name} environment variable is set! The value of this "
                f"variable will take precedence; if this is unwanted please unset "
                f"{name} or update its value accordingly."
            )
            error("\n".join(wrap_text(warning, 78)) + "\n")
    if token_only:
        print_raw(token)
        return Exit.OK
    if no_print:
        return Exit.OK
    if field_flag() or output_format() != "table":
        return output_secret(secret)
    out("\n".join(wrap_text(_NO_STORE if no_store else _SUCCESS, 78)) + "\n")
    return output_secret(secret)
