"""``sealbox``: the console-script entry point and the root command group.

Exit codes follow Vault: 0 on success, 1 for local and usage errors (click's usage errors are
mapped from 2 to 1), 2 for errors returned by the server.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from sealbox import __version__
from sealbox.cli import (
    audit,
    auth,
    generic,
    kv,
    kv_metadata,
    lease,
    login,
    operator,
    policy,
    scan,
    secrets,
    server,
    status,
    token,
)
from sealbox.cli.base import VaultGroup


@click.group(cls=VaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-v", prog_name="sealbox")
def cli() -> None:
    """sealbox: a secrets manager that speaks Vault's API."""


for _command in (
    *generic.COMMANDS,
    *server.COMMANDS,
    status.status_cmd,
    login.login_cmd,
    operator.operator,
    token.token,
    secrets.secrets,
    auth.auth,
    policy.policy,
    audit.audit,
    scan.scan_cmd,
    lease.lease,
):
    cli.add_command(_command)
kv.kv.add_command(kv_metadata.metadata)
cli.add_command(kv.kv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``) and exit with Vault's codes."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "version":
        args = ["--version"]
    try:
        code = cli.main(args, prog_name="sealbox", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help(), err=True)
        code = 127
    except click.UsageError as exc:
        exc.show()
        code = 1
    except click.ClickException as exc:
        exc.show()
        code = 1
    except click.Abort:
        click.echo("Aborted!", err=True)
        code = 1
    except KeyboardInterrupt:
        code = 130
    if argv is None:
        sys.exit(code if isinstance(code, int) else 0)
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    main()
