"""Go sops's command-line flags, parsed without argparse (whose import costs start-up time).

Mirrors the flags of cmd/sops/main.go (urfave/cli): long flags as ``--name value`` or
``--name=value``, the short forms Go sops has (``-e -d -r -i -s -y -a -p -k -v``), repeatable key
flags whose values may also be comma-separated, and flags anywhere among the positional
arguments; ``--`` ends flag parsing. ``Options`` is the typed result every command receives.
"""

from __future__ import annotations

from sealbox.sops.errors import SopsError

_FORMATS = ("yaml", "json", "dotenv", "ini", "binary")
_KEY_TYPES = ("age", "pgp", "kms", "gcp_kms", "azure_kv", "hc_vault_transit")
_RULE_FLAGS = (
    "unencrypted_suffix",
    "encrypted_suffix",
    "unencrypted_regex",
    "encrypted_regex",
    "unencrypted_comment_regex",
    "encrypted_comment_regex",
)
_BOOLS = (
    "encrypt",
    "decrypt",
    "rotate",
    "in_place",
    "ignore_mac",
    "mac_only_encrypted",
    "show_master_keys",
    "yes",
    "idempotent",
    "value_file",
    "value_stdin",
    "pristine",
    "no_fifo",
    "background",
    "same_process",
    "verbose",
    "enable_local_keyservice",
    "disable_version_check",
    "check_for_updates",
    "version",
    "help",
)
_STRINGS = (
    "output",
    "extract",
    "input_type",
    "output_type",
    "filename_override",
    "decryption_order",
    "config",
    "filename",
    "user",
    "keyservice",
    *_RULE_FLAGS,
)
_INTS = ("indent", "shamir_secret_sharing_threshold")
_SHORT = {
    "e": "encrypt",
    "d": "decrypt",
    "r": "rotate",
    "i": "in_place",
    "s": "show_master_keys",
    "y": "yes",
    "a": "age",
    "p": "pgp",
    "k": "kms",
    "v": "version",
    "h": "help",
}
_APPENDS = (
    *_KEY_TYPES,
    *(f"add_{kind}" for kind in _KEY_TYPES),
    *(f"rm_{kind}" for kind in _KEY_TYPES),
)


class UsageError(SopsError):
    """A flag Go sops does not have, or a flag without its value."""


class Options:
    """Parsed command line; attribute names are the flag names with ``_`` for ``-``."""

    files: list[str]
    legacy_set: str | None
    # booleans
    encrypt: bool
    decrypt: bool
    rotate: bool
    in_place: bool
    ignore_mac: bool
    mac_only_encrypted: bool
    show_master_keys: bool
    yes: bool
    idempotent: bool
    value_file: bool
    value_stdin: bool
    pristine: bool
    no_fifo: bool
    version: bool
    help: bool
    # strings
    output: str | None
    extract: str | None
    input_type: str | None
    output_type: str | None
    filename_override: str | None
    decryption_order: str | None
    config: str | None
    filename: str | None
    unencrypted_suffix: str | None
    encrypted_suffix: str | None
    unencrypted_regex: str | None
    encrypted_regex: str | None
    unencrypted_comment_regex: str | None
    encrypted_comment_regex: str | None
    # integers
    indent: int | None
    shamir_secret_sharing_threshold: int | None
    # key flags (repeatable)
    age: list[str]
    pgp: list[str]
    kms: list[str]
    gcp_kms: list[str]
    azure_kv: list[str]
    hc_vault_transit: list[str]
    add_age: list[str]
    add_pgp: list[str]
    add_kms: list[str]
    add_gcp_kms: list[str]
    add_azure_kv: list[str]
    add_hc_vault_transit: list[str]
    rm_age: list[str]
    rm_pgp: list[str]
    rm_kms: list[str]
    rm_gcp_kms: list[str]
    rm_azure_kv: list[str]
    rm_hc_vault_transit: list[str]

    def __init__(self) -> None:
        self.files = []
        self.legacy_set = None
        for name in _BOOLS:
            setattr(self, name, False)
        for name in (*_STRINGS, *_INTS):
            setattr(self, name, None)
        for name in _APPENDS:
            setattr(self, name, [])

    def keys(self, prefix: str, kind: str) -> list[str]:
        """Values of ``--add-<kind>``/``--rm-<kind>``/``--<kind>`` (prefix "add", "rm", "")."""
        values: list[str] = getattr(self, f"{prefix}_{kind}" if prefix else kind)
        return values


def parse(args: list[str]) -> Options:
    """Parse flags and positional arguments; UsageError (exit 1) on unknown flags."""
    options = Options()
    queue = list(args)
    while queue:
        arg = queue.pop(0)
        if arg == "--":
            options.files.extend(queue)
            break
        if arg.startswith("--") and len(arg) > 2:
            name, has_value, value = arg[2:].partition("=")
            _apply(options, name.replace("-", "_"), value if has_value else None, queue, arg)
        elif arg.startswith("-") and len(arg) == 2 and arg[1] in _SHORT:
            _apply(options, _SHORT[arg[1]], None, queue, arg)
        else:
            options.files.append(arg)
    return options


def _apply(options: Options, name: str, value: str | None, queue: list[str], arg: str) -> None:
    if name == "set":
        name = "legacy_set"
    if name in _BOOLS:
        setattr(options, name, value is None or value.lower() in ("true", "1"))
        return
    if name not in (*_STRINGS, *_INTS, *_APPENDS, "legacy_set"):
        raise UsageError(f"flag provided but not defined: {arg.split('=')[0]}")
    if value is None:
        if not queue:
            raise UsageError(f"flag needs an argument: {arg}")
        value = queue.pop(0)
    if name in _INTS:
        try:
            setattr(options, name, int(value))
        except ValueError as err:
            raise UsageError(f"invalid value {value!r} for flag {arg}") from err
    elif name in _APPENDS:
        getattr(options, name).append(value)
    else:
        if name in ("input_type", "output_type") and value not in _FORMATS:
            raise UsageError(f"invalid {arg.lstrip('-')} {value!r}: use {', '.join(_FORMATS)}")
        setattr(options, name, value)
