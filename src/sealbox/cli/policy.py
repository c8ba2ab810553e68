"""``sealbox policy``: write (a file, or ``-`` for stdin), read, list, delete and fmt.

``policy fmt`` validates the HCL with pyhcl and rewrites the file with two-space indentation
and ``key = value`` spacing, keeping comments (Vault's hclfmt also aligns ``=`` signs).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import hcl

from sealbox.cli.base import (
    Exit,
    VaultGroup,
    api_errors,
    client_flags,
    fail,
    field_flag,
    make_client,
    out,
    output_data,
    output_flags,
    output_format,
    print_field,
    run,
    usage_args,
)

_ARGS = click.argument("args", nargs=-1)
_BASE = "sys/policies/acl"


@click.group("policy", cls=VaultGroup)
def policy() -> None:
    """Manage ACL policies."""


def _read_source(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"Error opening policy file: {exc.strerror or exc}: {source}")


@policy.command("write")
@client_flags
@output_flags
@_ARGS
@run
def write_cmd(args: tuple[str, ...]) -> int:
    """Upload policy NAME from file PATH (``-`` reads stdin)."""
    usage_args(args, 2)
    name = args[0].strip().lower()
    rules = _read_source(args[1])
    with make_client() as client, api_errors("Error uploading policy"):
        client.write(f"{_BASE}/{name}", {"policy": rules})
    out(f"Success! Uploaded policy: {name}")
    return Exit.OK


@policy.command("read")
@client_flags
@output_flags
@_ARGS
@run
def read_cmd(args: tuple[str, ...]) -> int:
    """Print the rules of policy NAME."""
    usage_args(args, 1)
    name = args[0].strip().lower()
    with make_client() as client, api_errors(f"Error reading policy named {name}"):
        secret = client.read(f"{_BASE}/{name}")
    if secret is None:
        fail(f"No policy named: {name}", Exit.REMOTE)
    rules = str((secret.get("data") or {}).get("policy", ""))
    field = field_flag()
    if field:
        return print_field({"policy": rules}.get(field), field)
    if output_format() == "table":
        out(rules.strip())
        return Exit.OK
    return output_data({"policy": rules})


@policy.command("list")
@client_flags
@output_flags
@_ARGS
@run
def list_cmd(args: tuple[str, ...]) -> int:
    """List the names of all policies."""
    usage_args(args, 0)
    with make_client() as client, api_errors("Error listing policies"):
        secret = client.list(_BASE)
    keys = [str(k) for k in ((secret or {}).get("data") or {}).get("keys") or []]
    if output_format() == "table":
        for key in keys:
            out(key)
        return Exit.OK
    return output_data(keys)


@policy.command("delete")
@client_flags
@output_flags
@_ARGS
@run
def delete_cmd(args: tuple[str, ...]) -> int:
    """Delete policy NAME."""
    usage_args(args, 1)
    name = args[0].strip().lower()
    with make_client() as client, api_errors(f"Error deleting {name}"):
        client.delete(f"{_BASE}/{name}")
    out(f"Success! Deleted policy: {name}")
    return Exit.OK


def _split_assignment(line: str) -> tuple[str, str] | None:
    """``key=value`` outside strings, or None when the line is not an assignment."""
    in_string = False
    for i, char in enumerate(line):
        if char == '"' and (i == 0 or line[i - 1] != "\\"):
            in_string = not in_string
        elif char == "=" and not in_string:
            return line[:i].strip(), line[i + 1 :].strip()
    return None


def format_policy(text: str) -> str:
    """Re-indent an HCL policy by brace depth and space its assignments."""
    lines: list[str] = []
    depth = 0
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            if lines and lines[-1] != "":
                lines.append("")
            continue
        opens = line.count("{") + line.count("[")
        closes = line.count("}") + line.count("]")
        if line[0] in "}]":
            depth = max(depth - 1, 0)
            closes -= 1
        pair = None if line.startswith(("#", "//")) else _split_assignment(line)
        if pair is not None:
            line = f"{pair[0]} = {pair[1]}"
        lines.append("  " * depth + line)
        depth = max(depth + opens - closes, 0)
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


@policy.command("fmt")
@_ARGS
@run
def fmt_cmd(args: tuple[str, ...]) -> int:
    """Check and rewrite a policy file in canonical form."""
    usage_args(args, 1)
    path = Path(args[0])
    text = _read_source(args[0])
    try:
        hcl.loads(text)
    except Exception as exc:  # noqa: BLE001 - pyhcl raises bare ValueError/LexError types
        fail(f"Error parsing policy: {exc}")
    try:
        path.write_text(format_policy(text), encoding="utf-8")
    except OSError as exc:
        fail(f"Error writing policy file: {exc.strerror or exc}")
    out(f"Success! Formatted policy: {args[0]}")
    return Exit.OK
