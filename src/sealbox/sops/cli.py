"""``sealbox-sops``: Go sops's command line, both the subcommands and the older flag form.

Accepts ``sops encrypt|decrypt|edit|rotate|updatekeys|set|unset|filestatus|exec-env|exec-file
[flags] FILE …`` and the legacy ``sops -e|-d|-r|--set … FILE`` (a bare ``sops FILE`` edits), with
Go sops's flag names, so scripts and tools that shell out to sops (helm-secrets, pre-commit
hooks, CI) work unchanged. Errors print one clear message to stderr and exit with Go sops's code
(cmd/sops/codes/codes.go). Flags are parsed by ``options`` (argparse is slow to import) and every command
module is imported on demand, so start-up stays well under Go sops's.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sealbox.sops.errors import SopsError
    from sealbox.sops.options import Options

VERSION = "3.11.0"
_COMMANDS: dict[str, tuple[str, str]] = {
    "encrypt": ("sealbox.sops.commands", "encrypt"),
    "decrypt": ("sealbox.sops.commands", "decrypt"),
    "set": ("sealbox.sops.commands", "set_value"),
    "unset": ("sealbox.sops.commands", "unset_value"),
    "filestatus": ("sealbox.sops.commands", "filestatus"),
    "edit": ("sealbox.sops.edit", "edit"),
    "rotate": ("sealbox.sops.rekey", "rotate"),
    "updatekeys": ("sealbox.sops.rekey", "updatekeys"),
    "exec-env": ("sealbox.sops.execs", "exec_env"),
    "exec-file": ("sealbox.sops.execs", "exec_file"),
}
# Go sops subcommands that are out of scope; never mistake them for a file name to edit.
_UNSUPPORTED = frozenset({"groups", "publish", "keyservice", "completion"})
_USAGE = """usage: sealbox-sops [command] [flags] FILE
commands: encrypt, decrypt, edit, rotate, updatekeys, set, unset, filestatus, exec-env, exec-file
legacy form: sealbox-sops -e|-d|-r|--set '["k"] value'|(edit) [flags] FILE
"""


def _legacy_command(ns: Options) -> str:
    """Go sops's pre-subcommand form: -e, -d, -r, --set, else edit."""
    if ns.encrypt:
        return "encrypt"
    if ns.decrypt:
        return "decrypt"
    if ns.rotate:
        return "rotate"
    if ns.legacy_set:
        path, _, value = ns.legacy_set.partition(" ")
        # compat: `--set '["a"]["b"] value'` is `set FILE '["a"]["b"]' value`
        ns.files = [*ns.files[:1], path.replace("'", '"'), value.strip()]
        return "set"
    return "edit"


def main(argv: list[str] | None = None) -> int:
    """Run one sops command; returns the process exit status."""
    from sealbox.sops.options import UsageError, parse

    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in _UNSUPPORTED:
        from sealbox.sops.errors import UnsupportedCommandError

        return _report(UnsupportedCommandError(f"sealbox-sops does not implement 'sops {args[0]}'"))
    command = args.pop(0) if args and args[0] in _COMMANDS else None
    try:
        ns = parse(args)
    except UsageError as err:
        return _report(err, _USAGE)
    if ns.version:
        sys.stdout.write(f"sops {VERSION} (sealbox)\n")
        return 0
    if ns.help or (command is None and not ns.files) or ns.files == ["help"]:
        sys.stdout.write(_USAGE)
        return 0
    if command is None:
        command = _legacy_command(ns)
    module, name = _COMMANDS[command]
    handler: Callable[[Options], int] = getattr(importlib.import_module(module), name)
    return _run(handler, ns)


def _report(err: SopsError, extra: str = "") -> int:
    """The one place an error becomes output: its message, then its class's exit status."""
    message = str(err)
    sys.stderr.write(f"{message}\n{extra}" if message else extra)
    return err.exit_code


def _run(handler: Callable[[Options], int], ns: Options) -> int:
    from sealbox.sops.errors import InterruptedByUserError, SopsError, UnexpectedError

    try:
        return handler(ns)
    except SopsError as err:  # key-source errors (MasterKeyError) included
        return _report(err)
    except KeyboardInterrupt:
        return _report(InterruptedByUserError())
    except Exception as err:  # last-resort renderer: never echo a message
        # Messages of unexpected errors may quote input (e.g. int("…")); only the type is shown.
        if os.environ.get("SEALBOX_SOPS_DEBUG"):
            raise
        name = type(err).__name__
        return _report(UnexpectedError(f"Error: unexpected {name}; set SEALBOX_SOPS_DEBUG=1"))


if __name__ == "__main__":
    sys.exit(main())
