"""Key-holder flows of ``sealbox operator``: rekey and generate-root.

Unseal keys are read from the argument, from stdin (``-``) or from a hidden prompt, never
echoed. ``generate-root -decode=ENCODED -otp=OTP`` XORs the base64 token with the OTP locally.
"""

from __future__ import annotations

import base64
import getpass
import secrets as _secrets
import string
import sys
from typing import Any

import click

from sealbox.cli.base import (
    Exit,
    VaultCommand,
    api_errors,
    client_flags,
    fail,
    make_client,
    out,
    output_data,
    output_flags,
    output_format,
    print_raw,
    run,
)
from sealbox.cli.format import table

_ARGS = click.argument("args", nargs=-1)


def read_key(args: tuple[str, ...], prompt: str = "Unseal Key (will be hidden): ") -> str:
    """An unseal key from the argument, stdin (``-``) or a hidden prompt."""
    if len(args) > 1:
        fail(f"Too many arguments (expected 0-1, got {len(args)})")
    if args and args[0] != "-":
        return args[0].strip()
    if args:
        return sys.stdin.read().strip()
    return getpass.getpass(prompt).strip()


def decode_token(encoded: str, otp: str) -> str:
    """Vault 1.10+: the root token is ``base64.RawStd(token XOR otp)``."""
    padded = encoded + "=" * (-len(encoded) % 4)
    try:
        raw = base64.b64decode(padded)
    except ValueError:
        fail("Error decoding base64'd token")
    if len(raw) != len(otp):
        fail("Error decoding token: length of OTP and encoded token differ")
    return bytes(a ^ b for a, b in zip(raw, otp.encode(), strict=True)).decode("utf-8", "replace")


def _kv_table(pairs: list[tuple[str, Any]]) -> str:
    return table(["Key", "Value"], [[k, str(v)] for k, v in pairs])


def _bool(value: Any) -> str:
    return "true" if value else "false"


def print_rekey(status: dict[str, Any]) -> int:
    """Rekey status or result in the current format."""
    if output_format() != "table":
        return output_data(status)
    keys = status.get("keys_base64") or status.get("keys")
    if keys:
        for i, key in enumerate(keys, 1):
            out(f"Key {i}: {key}")
        out("")
        out(
            f"Operation nonce: {status.get('nonce', '')}\n\n"
            f"sealbox unseal keys rekeyed with {len(keys)} key shares and a key threshold of "
            f"{status.get('t', status.get('secret_threshold', ''))}."
        )
        return Exit.OK
    out(
        _kv_table(
            [
                ("Nonce", status.get("nonce", "")),
                ("Started", _bool(status.get("started"))),
                ("Rekey Progress", f"{status.get('progress', 0)}/{status.get('required', 0)}"),
                ("New Shares", status.get("n", 0)),
                ("New Threshold", status.get("t", 0)),
                ("Verification Required", _bool(status.get("verification_required"))),
            ]
        )
    )
    return Exit.OK


@click.command("rekey", cls=VaultCommand)
@client_flags
@output_flags
@click.option("--init", is_flag=True, default=False)
@click.option("--cancel", is_flag=True, default=False)
@click.option("--status", is_flag=True, default=False)
@click.option("--key-shares", "--n", "key_shares", type=int, default=5)
@click.option("--key-threshold", "--t", "key_threshold", type=int, default=3)
@click.option("--nonce", default="")
@click.option("--backup", is_flag=True, default=False)
@click.option("--verify", is_flag=True, default=False)
@_ARGS
@run
def rekey_cmd(**opts: Any) -> int:
    """Generate new unseal keys (-init, then one key per call; -status, -cancel)."""
    args = opts.pop("args")
    with make_client() as client:
        if opts["cancel"]:
            with api_errors("Error canceling rekey"):
                client.delete("sys/rekey/init")
            out("Success! Canceled rekeying (if it was started)")
            return Exit.OK
        if opts["init"]:
            body = {
                "secret_shares": opts["key_shares"],
                "secret_threshold": opts["key_threshold"],
                "backup": opts["backup"],
                "require_verification": opts["verify"],
            }
            with api_errors("Error initializing rekey"):
                status = client.write("sys/rekey/init", body) or {}
            return print_rekey(status)
        if opts["status"]:
            with api_errors("Error reading rekey status"):
                status = client.read("sys/rekey/init") or {}
            return print_rekey(status)
        key = read_key(args)
        nonce = opts["nonce"]
        with api_errors("Error posting unseal key"):
            if not nonce:
                nonce = str((client.read("sys/rekey/init") or {}).get("nonce", ""))
            result = client.write("sys/rekey/update", {"key": key, "nonce": nonce}) or {}
    return print_rekey(result)


def print_generate_root(status: dict[str, Any]) -> int:
    """Generate-root status in the current format."""
    if output_format() != "table":
        return output_data(status)
    pairs: list[tuple[str, Any]] = [
        ("Nonce", status.get("nonce", "")),
        ("Started", _bool(status.get("started"))),
        ("Progress", f"{status.get('progress', 0)}/{status.get('required', 0)}"),
        ("Complete", _bool(status.get("complete"))),
    ]
    if status.get("encoded_token") or status.get("encoded_root_token"):
        encoded = status.get("encoded_token") or status.get("encoded_root_token")
        pairs.append(("Encoded Token", encoded))
    if status.get("otp"):
        pairs.append(("OTP", status["otp"]))
    pairs.append(("OTP Length", status.get("otp_length", 0)))
    if status.get("pgp_fingerprint"):
        pairs.append(("PGP Fingerprint", status["pgp_fingerprint"]))
    out(_kv_table(pairs))
    return Exit.OK


@click.command("generate-root", cls=VaultCommand)
@client_flags
@output_flags
@click.option("--init", is_flag=True, default=False)
@click.option("--cancel", is_flag=True, default=False)
@click.option("--status", is_flag=True, default=False)
@click.option("--decode", default=None)
@click.option("--otp", default=None)
@click.option("--pgp-key", default=None)
@click.option("--nonce", default="")
@click.option("--generate-otp", is_flag=True, default=False)
@_ARGS
@run
def generate_root_cmd(**opts: Any) -> int:
    """Create a new root token from a quorum of unseal keys."""
    args = opts.pop("args")
    if opts["decode"] is not None:
        if not opts["otp"]:
            fail("Missing -otp to decode the token")
        print_raw(decode_token(opts["decode"], opts["otp"]))
        return Exit.OK
    with make_client() as client:
        if opts["generate_otp"]:
            with api_errors("Error getting root generation status"):
                status = client.read("sys/generate-root/attempt") or {}
            length = int(status.get("otp_length") or 28)
            alphabet = string.ascii_letters + string.digits
            print_raw("".join(_secrets.choice(alphabet) for _ in range(length)))
            return Exit.OK
        if opts["cancel"]:
            with api_errors("Error canceling root token generation"):
                client.delete("sys/generate-root/attempt")
            out("Success! Root token generation canceled (if it was started)")
            return Exit.OK
        if opts["init"]:
            body = {k: opts[k] for k in ("otp", "pgp_key") if opts[k]}
            with api_errors("Error initializing root generation"):
                status = client.write("sys/generate-root/attempt", body) or {}
            return print_generate_root(status)
        if opts["status"]:
            with api_errors("Error getting root generation status"):
                status = client.read("sys/generate-root/attempt") or {}
            return print_generate_root(status)
        key = read_key(args)
        nonce = opts["nonce"]
        with api_errors("Error posting unseal key"):
            if not nonce:
                nonce = str((client.read("sys/generate-root/attempt") or {}).get("nonce", ""))
            result = client.write("sys/generate-root/update", {"key": key, "nonce": nonce})
    return print_generate_root(result or {})
