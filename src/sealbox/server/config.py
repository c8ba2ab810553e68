"""The server configuration file: HCL or JSON, shaped like Vault's.

Accepted (Vault's names): ``storage "<type>" {...}`` (alias ``backend``), ``listener "tcp"
{address, tls_disable, tls_cert_file, tls_key_file, tls_client_ca_file}``, ``api_addr``,
``cluster_name``, ``default_lease_ttl``, ``max_lease_ttl``, ``disable_mlock``, ``ui``,
``log_level``, ``seal "<type>" {...}`` (transit, static; see barrier/seals); plus sealbox's
``audit_file_dirs`` (where API-enabled file audit devices may write; default
``/var/log/sealbox`` and the system temporary directory). Anything unknown or
malformed raises ConfigError naming the file, the line and the reason; relative paths are
resolved from the working directory, as Vault does.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sealbox.goformat import GO_FALSE, GO_TRUE, parse_duration

DEFAULT_AUDIT_DIRS = ("/var/log/sealbox", tempfile.gettempdir())
_TOP_KEYS = {
    "storage",
    "backend",
    "listener",
    "api_addr",
    "cluster_addr",
    "cluster_name",
    "disable_request_forwarding",
    "disable_performance_standby",
    "workers",
    "default_lease_ttl",
    "max_lease_ttl",
    "disable_mlock",
    "ui",
    "log_level",
    "audit_file_dirs",
    "pid_file",
    "seal",
}
_STORAGE_OPTIONS = {
    "inmem": set(),
    "sqlite": {"path"},
    "postgresql": {"connection_url", "table", "ha_enabled", "ha_table", "max_parallel"},
}
_LISTENER_KEYS = {
    "address",
    "tls_disable",
    "tls_cert_file",
    "tls_key_file",
    "tls_client_ca_file",
    "tls_min_version",
    "max_request_size",
    "tls_require_and_verify_client_cert",
    "cluster_address",
}
# listener "aws": the AWS Secrets Manager door (api/facades/aws/server.py reads its options).
_AWS_LISTENER_KEYS = _LISTENER_KEYS | {
    "mount",
    "account_id",
    "auth_mount",
    "token_file",
    "rotation_function",
}
# listener "gcp": the GCP Secret Manager door (api/facades/gcp/server.py reads its options).
_GCP_LISTENER_KEYS = _LISTENER_KEYS | {
    "mount",
    "project_id",
    "project_number",
    "grpc_address",
    "token_file",
    "auth_mount",
}


class ConfigError(Exception):
    """A configuration problem; the message names file, line and reason."""


@dataclass(frozen=True, slots=True)
class Listener:
    """One TCP listener."""

    address: str = "127.0.0.1:8200"
    tls_disable: bool = False
    tls_cert_file: str = ""
    tls_key_file: str = ""
    tls_client_ca_file: str = ""
    tls_require_client_cert: bool = False
    max_request_size: int = 32 * 1024 * 1024
    #: "tcp" (the Vault API) or "aws" (the Secrets Manager door, with its ``options``).
    kind: str = "tcp"
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def host_port(self) -> tuple[str, int]:
        """The address split into host and port."""
        host, _, port = self.address.rpartition(":")
        return host.strip("[]") or "127.0.0.1", int(port)


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """The parsed configuration."""

    storage_type: str = "inmem"
    storage_options: dict[str, str] = field(default_factory=dict)
    listeners: tuple[Listener, ...] = ()
    api_addr: str = ""
    cluster_name: str = ""
    default_lease_ttl: int = 768 * 3600
    max_lease_ttl: int = 768 * 3600
    ui: bool = False
    # HA standbys answer 307 to the active's api_addr instead of forwarding (Vault's redirect).
    disable_request_forwarding: bool = False
    # HA standbys answer reads themselves (473 in sys/health) unless this is set (Vault's
    # disable_performance_standby); then they forward everything, like OpenBao's standbys.
    disable_performance_standby: bool = False
    # Server processes sharing the listeners (SO_REUSEPORT) on one HA storage: the HA lock
    # picks the one that writes, the others are standbys (server/workers.py).
    workers: int = 1
    log_level: str = "info"
    audit_file_dirs: tuple[str, ...] = DEFAULT_AUDIT_DIRS
    # ``seal "<type>" {...}`` blocks as (type, settings); built in barrier/seals at start.
    seals: tuple[tuple[str, dict[str, str]], ...] = ()


class _Source:
    """The file's text, to point errors at a line."""

    def __init__(self, path: Path, text: str) -> None:
        self.path, self.text = path, text

    def line_of(self, needle: str) -> int:
        pattern = re.compile(r"(^|[\s{\"])" + re.escape(needle) + r"[\"\s=:{]", re.MULTILINE)
        match = pattern.search(self.text)
        return self.text.count("\n", 0, match.end(1)) + 1 if match else 1

    def error(self, key: str, reason: str) -> ConfigError:
        return ConfigError(f"{self.path}:{self.line_of(key)}: {reason}")


def _parse_text(path: Path, text: str) -> dict[str, Any]:
    if path.suffix == ".json" or text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise ConfigError(f"{path}:{err.lineno}: invalid JSON: {err.msg}") from err
    else:
        import hcl

        try:
            data = hcl.loads(text)
        except Exception as err:
            message = str(err)
            match = re.search(r"[Ll]ine:? ?(\d+)", message)
            line = match.group(1) if match else "1"
            raise ConfigError(f"{path}:{line}: invalid HCL: {message.splitlines()[0]}") from err
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: the configuration must be an object")
    return data


def _bool(source: _Source, key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str) and (value in GO_TRUE or value in GO_FALSE):
        return value in GO_TRUE
    raise source.error(key, f"{key} must be a boolean")


def _duration(source: _Source, key: str, value: Any) -> int:
    try:
        return parse_duration(value)
    except ValueError as err:
        raise source.error(key, f"{key}: invalid duration {value!r}") from err


def _single_block(source: _Source, key: str, value: Any) -> tuple[str, dict[str, Any]]:
    if isinstance(value, list):
        if len(value) != 1:
            raise source.error(key, f"exactly one {key} block is allowed")
        value = value[0]
    if not isinstance(value, dict) or len(value) != 1:
        raise source.error(key, f'{key} must be a block like {key} "<type>" {{ ... }}')
    kind, body = next(iter(value.items()))
    if not isinstance(body, dict):
        raise source.error(key, f"{key} {kind!r} must be a block")
    return kind, body


def _storage(source: _Source, value: Any) -> tuple[str, dict[str, str]]:
    kind, body = _single_block(source, "storage", value)
    if kind not in _STORAGE_OPTIONS:
        raise source.error(
            kind, f"unknown storage type {kind!r} (supported: inmem, sqlite, postgresql)"
        )
    options: dict[str, str] = {}
    for name, option in body.items():
        if name not in _STORAGE_OPTIONS[kind]:
            raise source.error(name, f"unknown option {name!r} in storage {kind!r}")
        options[name] = str(option)
    if kind == "sqlite":
        if not options.get("path"):
            raise source.error("sqlite", 'storage "sqlite" needs a path')
        path = Path(options["path"]).expanduser().absolute()
        if not path.parent.is_dir():
            raise source.error(
                "path", f'storage "sqlite": directory {str(path.parent)!r} does not exist'
            )
        options["path"] = str(path)
    if kind == "postgresql":
        _check_postgresql(source, options)
    return kind, options


def _check_postgresql(source: _Source, options: dict[str, str]) -> None:
    """Refuse malformed values now, naming the line (open_storage parses them again)."""
    if "ha_enabled" in options:
        options["ha_enabled"] = str(_bool(source, "ha_enabled", options["ha_enabled"])).lower()
    if "max_parallel" in options and not (
        options["max_parallel"].isdigit() and int(options["max_parallel"]) > 0
    ):
        raise source.error("max_parallel", "max_parallel must be a positive integer")


def _listeners(source: _Source, value: Any) -> tuple[Listener, ...]:
    blocks = value if isinstance(value, list) else [value]
    # pyhcl folds blocks of different types into one object: {"tcp": {...}, "aws": {...}}.
    blocks = [
        part
        for block in blocks
        for part in (
            [{kind: body} for kind, body in block.items()]
            if isinstance(block, dict) and len(block) > 1
            else [block]
        )
    ]
    out: list[Listener] = []
    for block in blocks:
        kind, body = _single_block(source, "listener", block)
        if kind not in ("tcp", "aws", "gcp"):
            raise source.error(kind, f"unknown listener type {kind!r} (supported: tcp, aws, gcp)")
        allowed = {"aws": _AWS_LISTENER_KEYS, "gcp": _GCP_LISTENER_KEYS}.get(kind, _LISTENER_KEYS)
        for name in body:
            if name not in allowed:
                raise source.error(name, f'unknown option {name!r} in listener "{kind}"')
        tls_disable = _bool(source, "tls_disable", body.get("tls_disable", False))
        listener = Listener(
            address=str(body.get("address", "127.0.0.1:8200")),
            tls_disable=tls_disable,
            tls_cert_file=_abs(body.get("tls_cert_file", "")),
            tls_key_file=_abs(body.get("tls_key_file", "")),
            tls_client_ca_file=_abs(body.get("tls_client_ca_file", "")),
            tls_require_client_cert=_bool(
                source,
                "tls_require_and_verify_client_cert",
                body.get("tls_require_and_verify_client_cert", False),
            ),
            kind=kind,
            options={k: v for k, v in body.items() if k not in _LISTENER_KEYS},
        )
        try:
            listener.host_port  # noqa: B018 - validates the address
        except ValueError as err:
            raise source.error("address", f"invalid listener address {listener.address!r}") from err
        if not tls_disable:
            for name in ("tls_cert_file", "tls_key_file"):
                path = getattr(listener, name)
                if not path:
                    raise source.error("listener", f"{name} is required unless tls_disable = true")
                if not Path(path).is_file():
                    raise source.error(name, f"{name}: no such file {path}")
        out.append(listener)
    return tuple(out)


def _seals(source: _Source, value: Any) -> tuple[tuple[str, dict[str, str]], ...]:
    """``seal "<type>" {...}`` blocks (at most two: the seal and one being migrated from)."""
    blocks: list[tuple[str, dict[str, str]]] = []
    for block in value if isinstance(value, list) else [value]:
        if not isinstance(block, dict):
            raise source.error("seal", 'seal must be a block like seal "transit" { ... }')
        for kind, bodies in block.items():
            for body in bodies if isinstance(bodies, list) else [bodies]:
                if not isinstance(body, dict):
                    raise source.error("seal", f"seal {kind!r} must be a block")
                blocks.append((str(kind), {k: _seal_value(v) for k, v in body.items()}))
    if len(blocks) > 2:
        raise source.error("seal", "at most two seal blocks are allowed (one for migration)")
    return tuple(blocks)


def _seal_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _abs(value: Any) -> str:
    return str(Path(str(value)).expanduser().absolute()) if value else ""


def load_config(paths: list[str]) -> ServerConfig:
    """Parse and merge configuration files (later files override earlier ones)."""
    merged: dict[str, Any] = {}
    sources: dict[str, _Source] = {}
    for name in paths:
        path = Path(name)
        try:
            text = path.read_text()
        except OSError as err:
            raise ConfigError(f"{path}: cannot read configuration: {err.strerror}") from err
        source = _Source(path, text)
        for key, value in _parse_text(path, text).items():
            if key not in _TOP_KEYS:
                raise source.error(key, f"unknown configuration key {key!r}")
            merged[key] = value
            sources[key] = source
    return _build(merged, sources)


def _build(raw: dict[str, Any], sources: dict[str, _Source]) -> ServerConfig:
    storage_key = "storage" if "storage" in raw else "backend"
    if storage_key not in raw:
        raise ConfigError('no storage configured: add a storage "sqlite" { path = ... } block')
    if "listener" not in raw:
        raise ConfigError('no listener configured: add a listener "tcp" { ... } block')
    storage_type, storage_options = _storage(sources[storage_key], raw[storage_key])
    listeners = _listeners(sources["listener"], raw["listener"])
    if all(listener.kind != "tcp" for listener in listeners):
        raise ConfigError('no listener configured: add a listener "tcp" { ... } block')
    values: dict[str, Any] = {}
    for key in ("default_lease_ttl", "max_lease_ttl"):
        if key in raw:
            values[key] = _duration(sources[key], key, raw[key])
    if "ui" in raw:
        values["ui"] = _bool(sources["ui"], "ui", raw["ui"])
    if "disable_request_forwarding" in raw:
        values["disable_request_forwarding"] = _bool(
            sources["disable_request_forwarding"],
            "disable_request_forwarding",
            raw["disable_request_forwarding"],
        )
    if "disable_performance_standby" in raw:
        values["disable_performance_standby"] = _bool(
            sources["disable_performance_standby"],
            "disable_performance_standby",
            raw["disable_performance_standby"],
        )
    if "workers" in raw:
        values["workers"] = _workers(sources["workers"], raw["workers"])
    if "disable_mlock" in raw:
        _bool(sources["disable_mlock"], "disable_mlock", raw["disable_mlock"])
    for key in ("api_addr", "cluster_name", "log_level"):
        if key in raw:
            values[key] = str(raw[key])
    if "audit_file_dirs" in raw:
        dirs = raw["audit_file_dirs"]
        if not isinstance(dirs, list) or not all(isinstance(d, str) for d in dirs):
            raise sources["audit_file_dirs"].error("audit_file_dirs", "must be a list of paths")
        values["audit_file_dirs"] = tuple(_abs(d) for d in dirs)
    if "seal" in raw:
        values["seals"] = _seals(sources["seal"], raw["seal"])
    config = ServerConfig(
        storage_type=storage_type, storage_options=storage_options, listeners=listeners, **values
    )
    if config.default_lease_ttl > config.max_lease_ttl:
        source = sources.get("default_lease_ttl") or sources[storage_key]
        raise source.error("default_lease_ttl", "default_lease_ttl exceeds max_lease_ttl")
    return config


_MAX_WORKERS = 64


def _workers(source: _Source, value: Any) -> int:
    """``workers = N``: a whole number of processes, 1 to 64."""
    try:
        count = int(str(value))
    except ValueError:
        count = 0
    if not 1 <= count <= _MAX_WORKERS or isinstance(value, bool):
        raise source.error("workers", f"workers must be a whole number from 1 to {_MAX_WORKERS}")
    return count


@dataclass(frozen=True, slots=True)
class MigrationConfig:
    """``operator migrate``'s file: Vault's storage_source and storage_destination blocks."""

    source_type: str
    source_options: dict[str, str]
    destination_type: str
    destination_options: dict[str, str]


def load_migration_config(name: str) -> MigrationConfig:
    """Parse a migrate.hcl (cluster_addr is accepted and ignored: the copy is offline)."""
    path = Path(name)
    try:
        text = path.read_text()
    except OSError as err:
        raise ConfigError(f"{path}: cannot read configuration: {err.strerror}") from err
    source = _Source(path, text)
    raw = _parse_text(path, text)
    for key in raw:
        if key not in ("storage_source", "storage_destination", "cluster_addr"):
            raise source.error(key, f"unknown configuration key {key!r}")
    for key in ("storage_source", "storage_destination"):
        if key not in raw:
            raise ConfigError(f'{path}: missing {key} "<type>" {{ ... }} block')
    src_type, src_options = _storage(source, raw["storage_source"])
    dst_type, dst_options = _storage(source, raw["storage_destination"])
    return MigrationConfig(src_type, src_options, dst_type, dst_options)
