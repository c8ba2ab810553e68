"""sys/mounts, sys/auth, their tune endpoints, sys/remount and sys/internal/ui/mounts.

Mirrors OpenBao's logical_system.go mount handlers and api/system/mounts.mdx shapes.
"""

from __future__ import annotations

import uuid
from typing import Any

from sealbox.core.mount_table import MountTable
from sealbox.core.mounts import MountConfig, MountEntry
from sealbox.core.system.user_lockout import lockout_wire, merged_lockout
from sealbox.errors import InvalidRequest, PermissionDenied
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.framework.path import match_all
from sealbox.goformat import parse_duration
from sealbox.logical import Operation, Request, Response

_PROTECTED = frozenset({"sys/", "cubbyhole/", "identity/", "token/"})
_NON_REMOVABLE_TYPES = frozenset({"system", "cubbyhole", "identity", "token"})

_MOUNT_FIELDS = {
    "path": FieldSchema(FieldType.STRING, "Mount path."),
    "type": FieldSchema(FieldType.STRING, "Type of the backend (e.g. kv)."),
    "description": FieldSchema(FieldType.STRING, "Human-friendly description."),
    "config": FieldSchema(FieldType.MAP, "Mount configuration (TTLs, ...)."),
    "options": FieldSchema(FieldType.KV_PAIRS, "Backend options, e.g. version=2 for kv."),
    "local": FieldSchema(FieldType.BOOL, "Not replicated."),
    "seal_wrap": FieldSchema(FieldType.BOOL, "Seal-wrap the mount's data."),
    "external_entropy_access": FieldSchema(FieldType.BOOL, "Unused; accepted for compatibility."),
    "plugin_name": FieldSchema(FieldType.STRING, "Deprecated alias of type."),
    "plugin_version": FieldSchema(FieldType.STRING, "Plugin version (builtin only)."),
}

_TUNE_FIELDS = {
    "path": FieldSchema(FieldType.STRING, "Mount path."),
    "default_lease_ttl": FieldSchema(FieldType.STRING, "Default lease TTL."),
    "max_lease_ttl": FieldSchema(FieldType.STRING, "Maximum lease TTL."),
    "description": FieldSchema(FieldType.STRING, "Human-friendly description."),
    "options": FieldSchema(FieldType.KV_PAIRS, "Backend options."),
    "listing_visibility": FieldSchema(FieldType.STRING, "unauth or hidden."),
    "token_type": FieldSchema(FieldType.STRING, "Token type issued by an auth mount."),
    "audit_non_hmac_request_keys": FieldSchema(FieldType.COMMA_STRING_LIST, "Keys not HMAC'd."),
    "audit_non_hmac_response_keys": FieldSchema(FieldType.COMMA_STRING_LIST, "Keys not HMAC'd."),
    "passthrough_request_headers": FieldSchema(FieldType.COMMA_STRING_LIST, "Headers passed."),
    "allowed_response_headers": FieldSchema(FieldType.COMMA_STRING_LIST, "Headers allowed."),
    "plugin_version": FieldSchema(FieldType.STRING, "Plugin version."),
    "user_lockout_config": FieldSchema(FieldType.MAP, "Auth mounts: failed-login lockout."),
}


def _ttl(value: Any, name: str = "TTL") -> int:
    # compat: OpenBao lets a mount's TTLs exceed the system maximum when tuned.
    if value in (None, "", "system"):
        return 0
    try:
        seconds = parse_duration(value)
    except ValueError as err:
        # The value is not echoed: error texts reach the audit log unhashed.
        raise InvalidRequest(f"unable to parse {name}: invalid duration") from err
    return seconds


def _normalize(path: str) -> str:
    path = path.strip("/")
    if not path:
        raise InvalidRequest("path cannot be empty")
    return path + "/"


def _table_listing(mounts: MountTable, table: str) -> dict[str, Any]:
    default, maximum = mounts.config.default_lease_ttl, mounts.config.max_lease_ttl
    return {entry.path: entry.to_wire(default, maximum) for entry in mounts.entries(table)}


def _config_from(raw: dict[str, Any]) -> MountConfig:
    config = MountConfig(
        default_lease_ttl=_ttl(raw.get("default_lease_ttl"), "default_lease_ttl"),
        max_lease_ttl=_ttl(raw.get("max_lease_ttl"), "max_lease_ttl"),
        force_no_cache=bool(raw.get("force_no_cache", False)),
        listing_visibility=str(raw.get("listing_visibility", "") or ""),
        token_type=str(raw.get("token_type", "") or ""),
    )
    for key in (
        "audit_non_hmac_request_keys",
        "audit_non_hmac_response_keys",
        "passthrough_request_headers",
        "allowed_response_headers",
    ):
        value = raw.get(key)
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if value:
            setattr(config, key, list(value))
    return config


def paths(mounts: MountTable) -> list[Path]:
    """The mount-table paths of the sys backend."""

    def make_list(table: str) -> Any:
        async def list_mounts(req: Request, d: FieldData) -> Response:
            del req, d
            return Response(data=_table_listing(mounts, table))

        return list_mounts

    def make_enable(table: str) -> Any:
        async def enable(req: Request, d: FieldData) -> Response | None:
            del req
            path = _normalize(d.get("path"))
            kind = d.get("type") or d.get("plugin_name")
            if not kind:
                raise InvalidRequest("backend type must be specified as a string")
            if path in _PROTECTED or (table == "mounts" and path.startswith("auth/")):
                raise InvalidRequest(
                    f"cannot mount to protected path: {path}"
                    if table == "auth"
                    else f'cannot mount "{path}"'  # compat: mount.go uses %q
                )
            options = dict(d.get("options"))
            if kind == "kv-v2":
                kind, options["version"] = "kv", "2"
            elif kind == "kv-v1":
                kind, options["version"] = "kv", "1"
            if kind == "kv" and "version" not in options:
                options["version"] = "1"
            if table == "auth" and kind == "token":
                # compat: auth.go enableCredentialInternal refuses a second token mount so
                raise InvalidRequest("token credential backend cannot be instantiated")
            if kind not in mounts.catalog.known_types(table) and kind != "generic":
                raise InvalidRequest(f"plugin not found in the catalog: {kind}")
            entry = MountEntry(
                path=path,
                type=kind,
                description=d.get("description"),
                options=options,
                config=_config_from(d.get("config")),
                local=d.get("local"),
                seal_wrap=d.get("seal_wrap"),
                table=table,
            )
            await mounts.add(entry)
            return None

        return enable

    def make_read(table: str) -> Any:
        async def read(req: Request, d: FieldData) -> Response | None:
            del req
            entry = mounts.find(d.get("path"), table)
            if entry is None:
                raise InvalidRequest(
                    f"No {'auth' if table == 'auth' else 'secret'} engine mount "
                    f"at {_normalize(d.get('path'))}"
                )
            wire = entry.to_wire(mounts.config.default_lease_ttl, mounts.config.max_lease_ttl)
            return Response(data=wire)

        return read

    def make_disable(table: str) -> Any:
        async def disable(req: Request, d: FieldData) -> Response | None:
            del req
            entry = mounts.find(d.get("path"), table)
            if entry is None:
                return None
            if entry.type == "token":
                # compat: OpenBao's wording for the token method (auth.go disableCredential)
                raise InvalidRequest("token credential backend cannot be disabled")
            if entry.type in _NON_REMOVABLE_TYPES:
                raise InvalidRequest(f'cannot unmount "{entry.path}"')  # compat: Go's %q
            await mounts.remove(entry)
            return None

        return disable

    def make_read_tune(table: str) -> Any:
        async def read_tune(req: Request, d: FieldData) -> Response | None:
            del req
            entry = mounts.find(d.get("path"), table)
            if entry is None:
                # compat: Go's %q quoting (logical_system.go handleTuneReadCommon)
                raise InvalidRequest(f'cannot fetch sysview for path "{_normalize(d.get("path"))}"')
            data: dict[str, Any] = {
                "default_lease_ttl": entry.config.default_lease_ttl
                or mounts.config.default_lease_ttl,
                "max_lease_ttl": entry.config.max_lease_ttl or mounts.config.max_lease_ttl,
                "force_no_cache": entry.config.force_no_cache,
                "description": entry.description,
            }
            if entry.options:
                data["options"] = dict(entry.options)
            if table == "auth":
                data["token_type"] = entry.config.token_type or "default-service"
            for key in (
                "audit_non_hmac_request_keys",
                "audit_non_hmac_response_keys",
                "passthrough_request_headers",
                "allowed_response_headers",
            ):
                if getattr(entry.config, key):
                    data[key] = list(getattr(entry.config, key))
            if entry.config.listing_visibility:
                data["listing_visibility"] = entry.config.listing_visibility
            if table == "auth":
                data.update(lockout_wire(entry.config.user_lockout_config))
            return Response(data=data)

        return read_tune

    def make_tune(table: str) -> Any:
        async def tune(req: Request, d: FieldData) -> Response | None:
            del req
            entry = mounts.find(d.get("path"), table)
            if entry is None:
                raise InvalidRequest(f"cannot tune {_normalize(d.get('path'))!r}: no such mount")
            new_default = (
                _ttl(d.raw.get("default_lease_ttl"), "default_lease_ttl")
                if d.supplied("default_lease_ttl")
                else entry.config.default_lease_ttl
            )
            new_max = (
                _ttl(d.raw.get("max_lease_ttl"), "max_lease_ttl")
                if d.supplied("max_lease_ttl")
                else entry.config.max_lease_ttl
            )
            if new_max and new_default > new_max:
                raise InvalidRequest(
                    f"backend max lease TTL of {new_max} would be less than backend default lease TTL of {new_default}"
                )
            entry.config.default_lease_ttl, entry.config.max_lease_ttl = new_default, new_max
            if d.supplied("description"):
                entry.description = d.get("description")
            if d.supplied("options"):
                options = dict(d.get("options"))
                if (
                    entry.type == "kv"
                    and options.get("version") == "1"
                    and entry.options.get("version") == "2"
                ):
                    raise InvalidRequest("cannot downgrade mount from KV version 2 to version 1")
                entry.options.update(options)
            if d.supplied("listing_visibility"):
                entry.config.listing_visibility = d.get("listing_visibility")
            if d.supplied("token_type"):
                entry.config.token_type = d.get("token_type")
            if table == "auth" and d.supplied("user_lockout_config"):
                entry.config.user_lockout_config = merged_lockout(
                    entry.config.user_lockout_config, d.get("user_lockout_config")
                )
            for key in (
                "audit_non_hmac_request_keys",
                "audit_non_hmac_response_keys",
                "passthrough_request_headers",
                "allowed_response_headers",
            ):
                if d.supplied(key):
                    setattr(entry.config, key, d.get(key))
            await mounts.retune(entry)
            return None

        return tune

    migrations: dict[str, tuple[str, str]] = {}

    async def remount(req: Request, d: FieldData) -> Response:
        del req
        source, target = d.get("from").strip("/"), d.get("to").strip("/")
        if not source or not target:
            raise InvalidRequest("both 'from' and 'to' paths are required")
        table = "auth" if source.startswith("auth/") else "mounts"
        entry = mounts.find(source.removeprefix("auth/") if table == "auth" else source, table)
        if entry is None:
            raise InvalidRequest(f'no matching mount at "{source}/"')  # compat: Go's %q
        if entry.type in _NON_REMOVABLE_TYPES:
            raise InvalidRequest(f'cannot remount "{source}/"')
        if (table == "auth") != target.startswith("auth/"):
            raise InvalidRequest("cannot remount between secrets engines and auth methods")
        await mounts.move(entry, target + "/")
        migration_id = str(uuid.uuid4())
        # compat: the move is synchronous here; remember it for sys/remount/status
        migrations[migration_id] = (source + "/", target + "/")
        return Response(data={"migration_id": migration_id})

    async def remount_status(req: Request, d: FieldData) -> Response | None:
        del req
        moved = migrations.get(d.get("migration_id"))
        if moved is None:
            return None  # compat: unknown migration id -> 404
        info = {"source_mount": moved[0], "target_mount": moved[1], "status": "success"}
        return Response(data={"migration_id": d.get("migration_id"), "migration_info": info})

    async def ui_mounts(req: Request, d: FieldData) -> Response:
        del d
        if req.token_entry is None:
            raise PermissionDenied()
        return Response(
            data={
                "secret": _table_listing(mounts, "mounts"),
                "auth": _table_listing(mounts, "auth"),
            }
        )

    async def ui_mount(req: Request, d: FieldData) -> Response | None:
        if req.token_entry is None:
            raise PermissionDenied()
        route_match = mounts.router.match(d.get("path"))
        if route_match is None:
            # compat: OpenBao answers an unmounted path with its preflight 403 (logical_system.go).
            path = d.get("path").rstrip("/") + "/"
            raise PermissionDenied(
                "preflight capability check returned 403, please ensure client's policies "
                f'grant access to path "{path}"'
            )
        route, _ = route_match
        wire = route.entry.to_wire(mounts.config.default_lease_ttl, mounts.config.max_lease_ttl)
        path = (
            route.mount_path.removeprefix("auth/")
            if route.entry.table == "auth"
            else route.mount_path
        )
        wire["path"] = path
        return Response(data=wire)

    tables = (("mounts", "mounts"), ("auth", "auth"))
    out: list[Path] = []
    for prefix, table in tables:
        out.append(
            Path(
                prefix + "/?",
                {},
                {Operation.READ: make_list(table)},
                synopsis=f"List the {table} table.",
            )
        )
        out.append(
            Path(
                f"{prefix}/(?P<path>.+?)/tune/?",
                _TUNE_FIELDS,
                {Operation.READ: make_read_tune(table), Operation.UPDATE: make_tune(table)},
                synopsis="Tune a mount's configuration.",
            )
        )
        out.append(
            Path(
                f"{prefix}/{match_all('path')}",
                _MOUNT_FIELDS,
                {
                    Operation.READ: make_read(table),
                    Operation.UPDATE: make_enable(table),
                    Operation.DELETE: make_disable(table),
                },
                synopsis="Enable, read or disable a mount.",
            )
        )
    out.append(
        Path(
            "remount",
            {
                "from": FieldSchema(FieldType.STRING, "Current mount path."),
                "to": FieldSchema(FieldType.STRING, "New mount path."),
            },
            {Operation.UPDATE: remount},
            synopsis="Move a mount to a new path.",
        )
    )
    out.append(
        Path(
            f"remount/status/{match_all('migration_id')}",
            {
                "migration_id": FieldSchema(FieldType.STRING, "Migration id."),
            },
            {Operation.READ: remount_status},
            synopsis="Status of a remount.",
        )
    )
    out.append(
        Path(
            "internal/ui/mounts/?",
            {},
            {Operation.READ: ui_mounts},
            synopsis="Mounts visible to the UI.",
        )
    )
    out.append(
        Path(
            f"internal/ui/mounts/{match_all('path')}",
            {
                "path": FieldSchema(FieldType.STRING, "Path inside a mount."),
            },
            {Operation.READ: ui_mount},
            synopsis="The mount serving a path (KV version detection).",
        )
    )
    return out
