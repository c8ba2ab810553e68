"""The pieces every command shares: Vault's flag grammar, client flags, output and exits.

Vault spells long flags with one dash (``-format=json``) and stops reading flags at the first
positional argument; :class:`VaultCommand` rewrites such arguments for click, so both ``-x``
and ``--x`` work, and ``-flag=true|false`` works for boolean flags. Exit codes follow Vault
(``Exit``): 0 success, 1 local or usage errors, 2 errors from the server (and "no value
found"); ``exit_for_status`` is the one place an HTTP status becomes an exit code.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from enum import IntEnum
from typing import Any, NoReturn, TypeVar

import click

from sealbox.cli import format as fmt
from sealbox.client import Client, ClientConfig, ClientConnectionError, ClientError, env_value

F = TypeVar("F", bound=Callable[..., Any])
_META = "sealbox.flags"
_FALSE = frozenset({"0", "f", "false", "n", "no", "off"})


class Exit(IntEnum):
    """The process exit codes of every command, as Vault's CLI uses them."""

    OK = 0
    #: Bad usage or local input (arguments, files), found before or without the server.
    LOCAL = 1
    #: The server refused the request or could not be reached, or there was nothing to show.
    REMOTE = 2


def exit_for_status(status: int) -> Exit:
    """The exit code of a command the server answered with HTTP ``status``.

    compat: Vault's CLI exits 2 for every API error, whatever the status (sealed 503, denied
    403, missing 404, invalid 400), and scripts rely on that.
    """
    return Exit.OK if status < 400 else Exit.REMOTE


class CommandExit(Exception):
    """Leave the command with ``code`` after its message has been printed."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _find_option(command: click.Command, name: str) -> click.Option | None:
    for param in command.params:
        if isinstance(param, click.Option) and (
            f"--{name}" in param.opts or f"--{name}" in param.secondary_opts
        ):
            return param
    return None


def normalize_args(command: click.Command, args: list[str]) -> list[str]:
    """Rewrite Vault-style flags for click; flags end at the first positional argument."""
    out: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            out.extend(args[i:])
            break
        if arg in {"-h", "-help", "--help", "--h"}:
            out.append("--help")
            i += 1
            continue
        if not arg.startswith("-") or arg == "-":
            out.append("--")
            out.extend(args[i:])
            break
        name, sep, value = arg.lstrip("-").partition("=")
        option = _find_option(command, name)
        if option is not None and option.is_flag and not option.multiple:
            if sep and value.strip().lower() in _FALSE:
                if option.secondary_opts:
                    out.append(option.secondary_opts[0])
            else:
                out.append(f"--{name}")
        else:
            out.append(f"--{name}{sep}{value}")
            if option is not None and not sep and i + 1 < len(args):
                out.append(args[i + 1])
                i += 1
        i += 1
    return out


class VaultCommand(click.Command):
    """A click command that accepts Vault's single-dash flags before positional arguments."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, normalize_args(self, args))


class VaultGroup(click.Group):
    """A command group whose subcommands use Vault's grammar."""

    command_class = VaultCommand
    group_class = type

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] in {"-h", "-help"}:
            args = ["--help", *args[1:]]
        return super().parse_args(ctx, args)


def _store(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    ctx.meta.setdefault(_META, {})[param.name] = value
    return value


def _flag(*decls: str, **kwargs: Any) -> Callable[[F], F]:
    return click.option(*decls, expose_value=False, callback=_store, **kwargs)


def client_flags(func: F) -> F:
    """Vault's HTTP flags: -address, -namespace, TLS settings and -wrap-ttl."""
    for decorator in (
        _flag("--address", default=None, help="Address of the server."),
        _flag("--namespace", "--ns", default=None, help="Namespace of the request."),
        _flag("--ca-cert", default=None, help="CA certificate file (PEM)."),
        _flag("--client-cert", default=None, help="Client certificate file (PEM)."),
        _flag("--client-key", default=None, help="Client key file (PEM)."),
        _flag("--tls-skip-verify", is_flag=True, default=False, help="Skip TLS checks."),
        _flag("--wrap-ttl", default=None, help="Wrap the response with this TTL."),
    ):
        func = decorator(func)
    return func


def output_flags(func: F) -> F:
    """``-format`` (table, json, yaml) and ``-field``."""
    func = _flag("--field", default=None, help="Print only this field.")(func)
    return _flag("--format", default=None, help="Output format: table, json or yaml.")(func)


def flags() -> dict[str, Any]:
    """The shared flag values of the running command."""
    ctx = click.get_current_context()
    return dict(ctx.meta.get(_META, {}))


def output_format() -> str:
    """The output format: -format, else SEALBOX_FORMAT/VAULT_FORMAT, else table."""
    chosen = flags().get("format") or env_value("FORMAT") or "table"
    chosen = chosen.lower()
    if chosen not in fmt.FORMATS:
        error(f"Invalid output format: {chosen}")
        raise CommandExit(Exit.LOCAL)
    return chosen


def field_flag() -> str | None:
    """The -field flag, if given."""
    value = flags().get("field")
    return str(value) if value else None


def make_client(*, token: str | None = None) -> Client:
    """A client from the environment, overridden by this command's flags."""
    opts = flags()
    config = ClientConfig.from_env()
    client = Client(
        opts.get("address") or config.address,
        token if token is not None else config.token,
        opts.get("namespace") or config.namespace,
        verify=not (opts.get("tls_skip_verify") or config.skip_verify),
        ca_cert=opts.get("ca_cert") or config.ca_cert,
        client_cert=opts.get("client_cert") or config.client_cert,
        client_key=opts.get("client_key") or config.client_key,
        timeout=config.timeout,
    )
    client.wrap_ttl = opts.get("wrap_ttl") or env_value("WRAP_TTL")
    return client


def out(text: str) -> None:
    """Print a line of output to stdout."""
    click.echo(text)


def error(text: str) -> None:
    """Print a message to stderr."""
    click.echo(text, err=True)


def fail(message: str, code: Exit = Exit.LOCAL) -> NoReturn:
    """Print ``message`` to stderr and exit with ``code``."""
    error(message)
    raise CommandExit(code)


def usage_args(args: tuple[str, ...] | list[str], expected: int, *, at_least: bool = False) -> None:
    """Vault's positional-argument count checks (exit 1)."""
    if len(args) < expected:
        fail(f"Not enough arguments (expected {expected}, got {len(args)})")
    if not at_least and len(args) > expected:
        fail(f"Too many arguments (expected {expected}, got {len(args)})")


@contextmanager
def api_errors(prefix: str) -> Iterator[None]:
    """Turn server errors into ``<prefix>: Error making API request...`` and exit 2."""
    try:
        yield
    except ClientError as exc:
        fail(f"{prefix}: {exc}", exit_for_status(exc.status))
    except ClientConnectionError as exc:
        fail(f"{prefix}: {exc}", Exit.REMOTE)


def print_raw(text: str) -> None:
    """Print a -field value; no trailing newline when stdout is not a terminal (Vault)."""
    if sys.stdout.isatty():
        click.echo(text)
    else:
        click.echo(text, nl=False)


def print_field(value: Any, field: str, where: str = "secret") -> int:
    """Print one field in the current format, or complain that it is missing (exit 1)."""
    if value is None:
        fail(f'Field "{field}" not present in {where}')
    chosen = output_format()
    print_raw(fmt.format_value(value, chosen))
    return Exit.OK


def print_warnings(secret: Mapping[str, Any] | None) -> None:
    """Vault prints response warnings to stderr above table output."""
    text = fmt.warnings_text(secret)
    if text:
        error(text)


def output_secret(secret: Mapping[str, Any] | None) -> int:
    """Vault's ``OutputSecret`` honouring -field and -format; returns the exit code."""
    if secret is None:
        return Exit.OK
    field = field_flag()
    if field:
        return print_field(fmt.raw_field(secret, field), field)
    chosen = output_format()
    if chosen == "json":
        out(fmt.to_json(fmt.secret_shape(secret)))
    elif chosen in {"yaml", "yml"}:
        out(fmt.to_yaml(fmt.secret_shape(secret)))
    else:
        print_warnings(secret)
        text = fmt.secret_table(secret)
        if text:
            out(text)
    return Exit.OK


def output_data(data: Any, *, struct: bool = False) -> int:
    """Vault's ``OutputData``: a map or list in the current format.

    Maps are printed with sorted keys as Go prints maps; ``struct=True`` keeps the given order
    (for outputs Vault builds from Go structs).
    """
    chosen = output_format()
    if chosen == "json":
        out(fmt.to_json(data if struct else fmt.sort_maps(data)))
    elif chosen in {"yaml", "yml"}:
        out(fmt.to_yaml(data))
    elif isinstance(data, Mapping):
        text = fmt.map_table(data)
        if text:
            out(text)
    elif isinstance(data, list):
        text = fmt.list_table(data)
        if text:
            out(text)
    else:
        out(fmt.go_value(data))
    return Exit.OK


def output_list(secret: Mapping[str, Any]) -> int:
    """Vault's ``OutputList``: the ``keys`` of a LIST response in the current format."""
    data = secret.get("data") or {}
    keys = data.get("keys") if isinstance(data, Mapping) else None
    field = field_flag()
    if field:
        return print_field(fmt.raw_field(secret, field), field)
    chosen = output_format()
    if chosen == "table":
        print_warnings(secret)
    return output_data(list(keys or []))


def run(func: Callable[..., int | None]) -> Callable[..., None]:
    """Wrap a command body so its return value becomes the process exit code."""

    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            code = func(*args, **kwargs) or 0
        except CommandExit as exc:
            code = exc.code
        ctx = click.get_current_context()
        ctx.exit(code)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper
