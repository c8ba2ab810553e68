"""``sealbox server`` and ``sealbox sops``: thin doors onto modules imported lazily.

The server lives in ``sealbox.server.run`` and the SOPS tool in ``sealbox.sops.cli``; neither
is imported until its command runs, so client commands start fast and stay usable while those
modules are being built.
"""

from __future__ import annotations

import importlib

import click

from sealbox.cli.base import VaultCommand, fail, run


@click.command("server", cls=VaultCommand)
@click.option("--config", "config_paths", multiple=True, help="Configuration file (repeatable).")
@click.option("--dev", is_flag=True, default=False, help="In-memory, unsealed dev server.")
@click.option("--dev-root-token-id", envvar="SEALBOX_DEV_ROOT_TOKEN_ID", default=None)
@click.option("--dev-listen-address", default="127.0.0.1:8200", show_default=True)
@click.option(
    "--dev-aws-listen-address",
    default="",
    help="Where dev mode serves the AWS door (default: the dev port + 10, or a free port; "
    "off: no AWS door).",
)
@click.option(
    "--dev-gcp-listen-address",
    default="",
    help="Where dev mode serves the GCP door (default: the dev port + 20, or a free port; "
    "off: no GCP door).",
)
@click.option("--log-level", default="info", show_default=True)
@run
def server_cmd(
    config_paths: tuple[str, ...],
    dev: bool,
    dev_root_token_id: str | None,
    dev_listen_address: str,
    dev_aws_listen_address: str,
    dev_gcp_listen_address: str,
    log_level: str,
) -> int:
    """Start a sealbox server."""
    if not dev and not config_paths:
        fail("At least one config path must be specified with -config")
    try:
        module = importlib.import_module("sealbox.server.run")
    except ImportError as exc:
        fail(f"Error loading the server: {exc}")
    aws = {"dev_aws_listen_address": dev_aws_listen_address} if dev_aws_listen_address else {}
    if dev_gcp_listen_address:
        aws["dev_gcp_listen_address"] = dev_gcp_listen_address
    code: int = module.run_server(
        config_paths=list(config_paths),
        dev=dev,
        dev_root_token_id=dev_root_token_id,
        dev_listen_address=dev_listen_address,
        log_level=log_level,
        **aws,
    )
    return code


@click.command(
    "sops",
    add_help_option=False,
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
)
@click.argument("argv", nargs=-1, type=click.UNPROCESSED)
@run
def sops_cmd(argv: tuple[str, ...]) -> int:
    """Encrypt and decrypt SOPS-compatible files (all arguments go to the SOPS tool)."""
    try:
        module = importlib.import_module("sealbox.sops.cli")
    except ImportError as exc:
        fail(f"Error loading the SOPS tool: {exc}")
    code: int = module.main(list(argv))
    return code


COMMANDS = (server_cmd, sops_cmd)
