"""What ``secrets`` and ``auth`` share: mount flags, the tune/enable body, the list table."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import click

from sealbox.cli.args import ArgsError, parse_kv_args
from sealbox.cli.base import fail
from sealbox.cli.format import go_value, human_duration_value, sort_maps, table

F = TypeVar("F", bound=Callable[..., Any])

_CONFIG_FLAGS = (
    ("default_lease_ttl", "--default-lease-ttl"),
    ("max_lease_ttl", "--max-lease-ttl"),
    ("audit_non_hmac_request_keys", "--audit-non-hmac-request-keys"),
    ("audit_non_hmac_response_keys", "--audit-non-hmac-response-keys"),
    ("listing_visibility", "--listing-visibility"),
    ("passthrough_request_headers", "--passthrough-request-headers"),
    ("allowed_response_headers", "--allowed-response-headers"),
    ("plugin_version", "--plugin-version"),
    ("token_type", "--token-type"),
)
_LIST_KEYS = frozenset(
    {
        "audit_non_hmac_request_keys",
        "audit_non_hmac_response_keys",
        "passthrough_request_headers",
        "allowed_response_headers",
    }
)


def mount_flags(func: F) -> F:
    """Flags of ``secrets enable|tune`` and ``auth enable|tune``."""
    func = click.option("--description", default=None)(func)
    func = click.option("--options", "mount_options", multiple=True)(func)
    func = click.option("--version", "kv_version", type=int, default=0)(func)
    for name, flag in _CONFIG_FLAGS:
        multiple = name in _LIST_KEYS
        func = click.option(flag, name, multiple=multiple, default=None)(func)
    return func


def config_body(opts: Mapping[str, Any]) -> dict[str, Any]:
    """The ``config`` map built from the mount flags that were given."""
    config: dict[str, Any] = {}
    for name, _ in _CONFIG_FLAGS:
        value = opts.get(name)
        if value:
            config[name] = list(value) if name in _LIST_KEYS else value
    return config


def options_body(opts: Mapping[str, Any]) -> dict[str, Any]:
    """The ``options`` map (``-options=k=v`` and ``-version``)."""
    try:
        options = {k: str(v) for k, v in parse_kv_args(opts.get("mount_options") or ()).items()}
    except ArgsError as exc:
        fail(f"Error parsing options: {exc}")
    if opts.get("kv_version"):
        options["version"] = str(opts["kv_version"])
    return options


def mount_path(path: str) -> str:
    """A mount path as the API wants it: no leading slash, one trailing slash."""
    return path.strip().strip("/") + "/"


def enable_body(
    kind: str, opts: Mapping[str, Any], options: dict[str, Any], config: dict[str, Any]
) -> dict[str, Any]:
    """The body of ``sys/mounts/:path`` or ``sys/auth/:path`` from the enable flags."""
    body: dict[str, Any] = {"type": kind, "config": config}
    if opts["description"]:
        body["description"] = opts["description"]
    if options:
        body["options"] = options
    if opts["local"]:
        body["local"] = True
    if opts["seal_wrap"]:
        body["seal_wrap"] = True
    return body


def tune_body(opts: Mapping[str, Any]) -> dict[str, Any]:
    """The body of a ``.../tune`` call from the tune flags."""
    body: dict[str, Any] = config_body(opts)
    options = options_body(opts)
    if options:
        body["options"] = options
    if opts["description"] is not None:
        body["description"] = opts["description"]
    return body


def mount_table(mounts: Mapping[str, Any], *, with_version: bool) -> str:
    """The Path/Type/Accessor/Description table of ``secrets list`` and ``auth list``."""
    rows = []
    for path in sorted(mounts):
        entry = mounts[path]
        if not isinstance(entry, Mapping):
            continue
        row = [
            path,
            str(entry.get("type", "")),
            str(entry.get("accessor", "")),
            str(entry.get("description", "")),
        ]
        if with_version:
            row.append(str(entry.get("plugin_version", "")))
        rows.append(row)
    header = ["Path", "Type", "Accessor", "Description"]
    if with_version:
        header.append("Version")
    return table(header, rows)


def detailed_mount_table(mounts: Mapping[str, Any]) -> str:
    """The -detailed variant: adds TTLs, options and flags per mount."""
    rows = []
    for path in sorted(mounts):
        entry = mounts[path]
        if not isinstance(entry, Mapping):
            continue
        config = entry.get("config") or {}
        rows.append(
            [
                path,
                str(entry.get("plugin_version") or ""),
                str(entry.get("accessor", "")),
                str(human_duration_value(config.get("default_lease_ttl", 0)) or "system"),
                str(human_duration_value(config.get("max_lease_ttl", 0)) or "system"),
                go_value(bool(config.get("force_no_cache"))),
                "local" if entry.get("local") else "replicated",
                go_value(bool(entry.get("seal_wrap"))),
                go_value(entry.get("options")),
                str(entry.get("description", "")),
                str(entry.get("uuid", "")),
                str(entry.get("type", "")),
            ]
        )
    header = [
        "Path",
        "Plugin Version",
        "Accessor",
        "Default TTL",
        "Max TTL",
        "Force No Cache",
        "Replication",
        "Seal Wrap",
        "Options",
        "Description",
        "UUID",
        "Type",
    ]
    return table(header, rows)


def mounts_of(secret: Mapping[str, Any] | None) -> dict[str, Any]:
    """The mount map of a sys/mounts or sys/auth response (``data``, else top level)."""
    if not secret:
        return {}
    data = secret.get("data")
    if isinstance(data, Mapping) and data:
        return dict(data)
    return {k: v for k, v in secret.items() if k.endswith("/") and isinstance(v, Mapping)}


_ENTRY_DEFAULTS: tuple[tuple[str, Any], ...] = (
    ("uuid", ""),
    ("type", ""),
    ("description", ""),
    ("accessor", ""),
    ("config", None),
    ("options", None),
    ("local", False),
    ("seal_wrap", False),
    ("external_entropy_access", False),
    ("plugin_version", ""),
    ("running_plugin_version", ""),
    ("running_sha256", ""),
    ("deprecation_status", ""),
)
_CONFIG_ORDER = (
    "audit_non_hmac_request_keys",
    "audit_non_hmac_response_keys",
    "listing_visibility",
    "passthrough_request_headers",
    "allowed_response_headers",
    "token_type",
    "allowed_managed_keys",
    "user_lockout_config",
    "plugin_version",
)


def _config_shape(config: Mapping[str, Any]) -> dict[str, Any]:
    shaped: dict[str, Any] = {
        "default_lease_ttl": config.get("default_lease_ttl", 0),
        "max_lease_ttl": config.get("max_lease_ttl", 0),
        "force_no_cache": config.get("force_no_cache", False),
    }
    for key in _CONFIG_ORDER:
        if config.get(key):
            shaped[key] = sort_maps(config[key])
    return shaped


def mounts_shape(mounts: Mapping[str, Any]) -> dict[str, Any]:
    """Mount entries in the field order of Go's ``api.MountOutput`` (paths sorted)."""
    shaped: dict[str, Any] = {}
    for path in sorted(mounts):
        entry = mounts[path]
        if not isinstance(entry, Mapping):
            continue
        item = {key: entry.get(key, default) for key, default in _ENTRY_DEFAULTS}
        item["config"] = _config_shape(entry.get("config") or {})
        item["options"] = sort_maps(item["options"])
        shaped[path] = item
    return shaped
