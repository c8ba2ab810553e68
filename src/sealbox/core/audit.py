"""The audit broker: the audit table, per-device salts, and fail-closed logging.

Mirrors OpenBao's vault/audit.go (the table at ``core/audit``, ``enableAudit`` with its
"path already in use" prefix check, ``disableAudit``, ``setupAudits`` after unseal) and
vault/audit_broker.go (``LogRequest``/``LogResponse`` succeed when at least one device
records the entry; ``GetHash`` answers ``sys/audit-hash``).

Storage: the table is JSON at ``core/audit``; each device's salt (a random UUID string, the
form OpenBao's salt package creates) lives at ``audit/<uuid>/salt`` so ``list()`` can never
show it. Both are written in one transaction. The salt is made at enable time and reloaded by
``load()``, so hashes stay comparable across restarts.

Fail-closed: while at least one device is enabled, ``log_request``/``log_response`` raise
``AuditFailure`` (500 "internal error") when no device recorded the entry; the core must
then refuse the request. Device errors are logged by device path and error class only.

The broker expects ``req.path`` to be the path as the client sent it (relative to the API
root, e.g. ``secret/data/x``) with the mount fields filled in by the router.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from sealbox.audit import DEVICE_TYPES, AuditDevice
from sealbox.audit.format import EntryFormatter, Salt
from sealbox.errors import InternalError, InvalidRequest
from sealbox.goformat import parse_bool, rfc3339_nano
from sealbox.logical import Request, Response, Storage, TxOp

AUDIT_TABLE_KEY = "core/audit"
_SALT_KEY = "audit/{uuid}/salt"
_log = logging.getLogger(__name__)


class AuditFailure(InternalError):
    """No enabled audit device could record an entry; the request must be refused."""

    default_message = "internal error"


@dataclass(slots=True)
class AuditEntry:
    """One row of the audit table (OpenBao's MountEntry with table "audit")."""

    path: str
    type: str
    description: str = ""
    options: dict[str, str] = field(default_factory=dict)
    local: bool = False
    uuid: str = ""
    accessor: str = ""

    def to_wire(self) -> dict[str, Any]:
        """The ``sys/audit`` listing shape."""
        return {
            "type": self.type,
            "description": self.description,
            "options": dict(self.options),
            "local": self.local,
            "path": self.path,
        }


@dataclass(slots=True)
class _Enabled:
    entry: AuditEntry
    device: AuditDevice = field(repr=False)
    formatter: EntryFormatter = field(repr=False)


class AuditBroker:
    """The audit table and the fan-out of entries to its devices."""

    def __init__(
        self,
        storage: Storage,
        allowed_dirs: Sequence[str],
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._storage = storage
        self._allowed_dirs = tuple(allowed_dirs)
        self._clock = clock or _utc_now
        self._devices: dict[str, _Enabled] = {}
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"AuditBroker(devices={sorted(self._devices)!r})"

    @property
    def enabled(self) -> bool:
        """Whether any device is enabled (then logging is mandatory)."""
        return bool(self._devices)

    def list(self) -> dict[str, dict[str, Any]]:
        """``GET sys/audit``: ``{"file/": {type, description, options, local, path}}``."""
        return {path: dev.entry.to_wire() for path, dev in sorted(self._devices.items())}

    async def load(self) -> None:
        """Rebuild the devices from storage (after unseal); replaces any open ones."""
        async with self._lock:
            await self._close_all()
            raw = await self._storage.get(AUDIT_TABLE_KEY)
            table = orjson.loads(raw) if raw else {}
            loaded: dict[str, _Enabled] = {}
            try:
                for item in table.get("entries", []):
                    entry = AuditEntry(**{k: item[k] for k in _ENTRY_FIELDS if k in item})
                    loaded[entry.path] = await self._open(entry)
            except (InvalidRequest, OSError) as err:
                for dev in loaded.values():
                    await dev.device.close()
                reason = err.public_message if isinstance(err, InvalidRequest) else "I/O error"
                raise AuditFailure(f"failed to set up audit table: {reason}") from None
            self._devices = loaded

    async def enable(
        self,
        path: str,
        type: str,
        description: str = "",
        options: Mapping[str, str] | None = None,
        local: bool = False,
    ) -> None:
        """``POST sys/audit/:path``: open the device, make its salt, persist the table."""
        path = _normalise(path)
        if type not in DEVICE_TYPES:
            raise InvalidRequest(f'unknown backend type: "{type}"')
        opts = {str(k): str(v) for k, v in (options or {}).items()}
        entry = AuditEntry(
            path=path,
            type=type,
            description=description,
            options=opts,
            local=local,
            uuid=str(uuid.uuid4()),
            accessor=f"audit_{type}_{secrets.token_hex(4)}",
        )
        async with self._lock:
            for existing in self._devices:
                if existing.startswith(path) or path.startswith(existing):
                    raise InvalidRequest("path already in use")
            salt = str(uuid.uuid4())
            formatter = _formatter(salt, opts)
            device = DEVICE_TYPES[type](opts, self._allowed_dirs)
            enabled = {**self._devices, path: _Enabled(entry, device, formatter)}
            try:
                await self._storage.transaction(
                    [
                        TxOp(AUDIT_TABLE_KEY, _encode_table(enabled)),
                        TxOp(_SALT_KEY.format(uuid=entry.uuid), salt.encode()),
                    ]
                )
            except BaseException:
                await device.close()
                raise
            self._devices = enabled

    async def disable(self, path: str) -> bool:
        """``DELETE sys/audit/:path``; False when nothing was enabled there."""
        path = _normalise(path)
        async with self._lock:
            dev = self._devices.get(path)
            if dev is None:
                return False
            remaining = {p: d for p, d in self._devices.items() if p != path}
            await self._storage.transaction(
                [
                    TxOp(AUDIT_TABLE_KEY, _encode_table(remaining)),
                    TxOp(_SALT_KEY.format(uuid=dev.entry.uuid), None),
                ]
            )
            self._devices = remaining
        await dev.device.close()
        return True

    async def hash(self, path: str, input: str) -> str:
        """``POST sys/audit-hash/:path``: the HMAC the device would log for ``input``."""
        path = _normalise(path)
        dev = self._devices.get(path)
        if dev is None:
            raise InvalidRequest(f'unknown audit backend "{path}"')
        return dev.formatter.salt.hmac(input)

    async def log_request(
        self, req: Request, auth: Mapping[str, Any] | None, error: str | None = None
    ) -> None:
        """Record the request entry on every device; raise ``AuditFailure`` if none could."""
        if not self._devices:
            return
        time = _format_time(self._clock())
        await self._broadcast(lambda fmt: fmt.request_entry(time, req, auth, error))

    async def log_response(
        self,
        req: Request,
        auth: Mapping[str, Any] | None,
        resp: Response | None,
        error: str | None = None,
    ) -> None:
        """Record the response entry on every device; raise ``AuditFailure`` if none could."""
        if not self._devices:
            return
        time = _format_time(self._clock())
        await self._broadcast(lambda fmt: fmt.response_entry(time, req, auth, resp, error))

    async def close(self) -> None:
        """Close every device (on seal); the table stays in storage for ``load()``."""
        async with self._lock:
            await self._close_all()

    async def _broadcast(self, build: Callable[[EntryFormatter], dict[str, Any]]) -> None:
        recorded = 0
        raw_line: bytes | None = None  # log_raw devices all print the same bytes
        for path, dev in list(self._devices.items()):
            try:
                if dev.formatter.log_raw and raw_line is not None:
                    line = raw_line
                else:
                    line = orjson.dumps(build(dev.formatter), option=orjson.OPT_APPEND_NEWLINE)
                    if dev.formatter.log_raw:
                        raw_line = line
                await dev.device.write(line)
            except (OSError, TypeError) as err:  # orjson.JSONEncodeError is a TypeError
                _log.error("audit device %s failed to record an entry: %s", path, _reason(err))
                continue
            recorded += 1
        if not recorded:
            raise AuditFailure

    async def _open(self, entry: AuditEntry) -> _Enabled:
        key = _SALT_KEY.format(uuid=entry.uuid)
        stored = await self._storage.get(key)
        if stored is None:  # OpenBao creates a missing salt lazily; keep it from now on
            stored = str(uuid.uuid4()).encode()
            await self._storage.put(key, stored)
        factory = DEVICE_TYPES.get(entry.type)
        if factory is None:
            raise InvalidRequest(f'unknown backend type: "{entry.type}"')
        formatter = _formatter(stored.decode(), entry.options)
        return _Enabled(entry, factory(entry.options, self._allowed_dirs), formatter)

    async def _close_all(self) -> None:
        devices, self._devices = self._devices, {}
        for dev in devices.values():
            try:
                await dev.device.close()
            except OSError as err:
                _log.warning("closing audit device %s: %s", dev.entry.path, _reason(err))


_ENTRY_FIELDS = ("path", "type", "description", "options", "local", "uuid", "accessor")


def _normalise(path: str) -> str:
    path = path.strip("/")
    if not path:
        raise InvalidRequest("backend path must be specified")
    return path + "/"


def _parse_bool(options: Mapping[str, str], key: str, default: bool) -> bool:
    """Go's strconv.ParseBool, which OpenBao uses for these options."""
    value = options.get(key)
    if value is None or value == "":
        return default
    try:
        return parse_bool(value)
    except ValueError:
        pass
    raise InvalidRequest(f"unable to parse '{key}': invalid syntax")


def _formatter(salt: str, options: Mapping[str, str]) -> EntryFormatter:
    return EntryFormatter(
        Salt(salt),
        log_raw=_parse_bool(options, "log_raw", False),
        hmac_accessor=_parse_bool(options, "hmac_accessor", True),
    )


def _encode_table(devices: Mapping[str, _Enabled]) -> bytes:
    entries = [dict(asdict(dev.entry), table="audit") for dev in devices.values()]
    return orjson.dumps({"type": "audit", "entries": entries})


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _format_time(moment: datetime) -> str:
    """Go's RFC3339Nano: UTC, ``Z``, fractional seconds without trailing zeros."""
    return rfc3339_nano(moment.astimezone(UTC))


def _reason(err: BaseException) -> str:
    if isinstance(err, OSError) and err.errno is not None:
        return f"{type(err).__name__} (errno {err.errno})"
    return type(err).__name__
