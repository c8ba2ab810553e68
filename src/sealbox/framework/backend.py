"""The base of every secrets engine and auth method.

A backend is data (its ``paths`` and special paths) plus small async handlers. ``handle``
routes a mount-relative request to the first matching Path (list order, as Vault's
framework does), validates fields, and calls the handler. Backends raise errors from
``sealbox.errors``; they never build HTTP responses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sealbox.errors import InvalidRequest, UnsupportedOperation, UnsupportedPath
from sealbox.framework.fields import FieldData
from sealbox.framework.path import Path
from sealbox.logical import Auth, Operation, Request, Response, Secret, Storage
from sealbox.logical.passwords import PasswordPolicies


@dataclass(slots=True)
class BackendConfig:
    """What a backend learns about its mount when it is created.

    An engine sees only this: its own storage view and mount settings. Backends that need
    core services (the ``sys/`` and ``token`` backends) receive typed views of exactly those
    services as constructor arguments from the core, never the core itself.
    """

    mount_path: str
    mount_type: str
    storage: Storage
    options: dict[str, str] = field(default_factory=dict)
    default_lease_ttl: int = 0
    max_lease_ttl: int = 0
    #: Named password policies (sys/policies/password). The core always provides them; an
    #: engine that generates passwords refuses to mount without them.
    password_policies: PasswordPolicies | None = None
    #: An auth mount's tuned ``user_lockout_config`` (lockout_threshold, lockout_duration,
    #: lockout_counter_reset in seconds, lockout_disable); empty = OpenBao's defaults.
    user_lockout: dict[str, Any] = field(default_factory=dict)


class Backend:
    """Routes requests to Paths. Subclasses set ``paths`` in ``__init__``."""

    backend_type: str = ""
    #: Paths (relative to the mount; trailing ``*`` = prefix, ``+`` = one segment) served
    #: without a token.
    unauthenticated_paths: tuple[str, ...] = ()
    #: Paths that additionally need ``sudo``.
    root_paths: tuple[str, ...] = ()

    #: (the ``paths`` it was made for, path -> route): ``route``'s memo.
    _route_memo: tuple[Sequence[Path], dict[str, tuple[Path, dict[str, str]]]] | None = None

    def __init__(self, config: BackendConfig) -> None:
        self.config = config
        self.paths: Sequence[Path] = ()

    async def initialize(self) -> None:
        """Called once after mounting (and after every unseal)."""

    async def cleanup(self) -> None:
        """Called before unmounting."""

    def invalidate(self, key: str) -> None:
        """``key`` (relative to this mount's storage) was changed by another node: drop
        anything cached from it. Called on HA standbys that answer requests themselves, as
        Vault's ``InvalidateFunc``; backends that cache nothing ignore it."""

    #: Seconds between calls of ``periodic`` by the core (0: never), like Vault's PeriodicFunc.
    periodic_interval: float = 0

    async def periodic(self) -> None:
        """Background work that needs no request (key auto-rotation, tidy, expiry sweeps)."""

    async def renew_lease(self, req: Request, secret: Secret) -> Secret:  # noqa: ARG002
        """Extend the lease ``secret`` issued by this backend; returns it with its new TTL.

        The expiration manager calls this (``req.storage`` is the mount's view) with the
        ``internal_data`` the backend attached when it issued the secret. A backend whose
        leases are renewable overrides it; the default refuses, as Vault does.
        """
        raise UnsupportedOperation("lease is not renewable")

    async def revoke_lease(self, req: Request, secret: Secret) -> None:
        """Undo what issuing ``secret`` created (drop a database user, revoke a certificate).

        Raise on failure: the expiration manager keeps the lease and retries with back-off.
        """

    async def renew_auth(self, req: Request, auth: Auth) -> Auth:  # noqa: ARG002
        """Approve renewing a token this auth method issued; returns the terms to apply.

        ``auth`` carries the token's metadata, display name and token policies; the method
        checks the user or role still allows the token (raising otherwise) and returns an
        Auth whose ``ttl``, ``max_ttl`` and ``period`` bound the renewal. The default refuses,
        as Vault's framework does when a backend has no AuthRenew.
        """
        raise InvalidRequest("this auth type doesn't support renew")

    def route(self, path: str) -> tuple[Path, dict[str, str]]:
        """The first Path matching ``path`` and its captures (shared: do not change them).

        Matching tries the patterns in order, a dozen or more before a late one such as
        transit's ``decrypt/``, and a write routes twice (existence check, then handler):
        the answers for recent paths are kept, for as long as ``paths`` stays the same list.
        """
        paths = self.paths
        memo = self._route_memo
        if memo is None or memo[0] is not paths:
            memo = self._route_memo = (paths, {})
        known = memo[1]
        hit = known.get(path)
        if hit is not None:
            return hit
        for candidate in paths:
            match = candidate.regex.match(path)
            if match is not None:
                captures = {k: v for k, v in match.groupdict().items() if v is not None}
                if len(known) >= _ROUTE_MEMO_SIZE:
                    known.clear()
                known[path] = candidate, captures
                return candidate, captures
        raise UnsupportedPath("unsupported path")

    def field_data(self, req: Request) -> tuple[Path, FieldData]:
        """Route ``req`` and bind its data (captures override the body)."""
        path, captures = self.route(req.path)
        return path, _bind(path, req, captures)

    def checks_existence(self, path: str) -> bool:
        """Whether the Path serving ``path`` declares an existence check (raises
        ``UnsupportedPath`` as routing does), so a write needs ``exists`` to tell CREATE from
        UPDATE."""
        return self.route(path)[0].existence_check is not None

    async def exists(self, req: Request) -> bool | None:
        """Existence check for a write: None when the path declares none."""
        path, captures = self.route(req.path)
        if path.existence_check is None:
            return None
        return await path.existence_check(req, _bind(path, req, captures))

    async def handle(self, req: Request) -> Response | None:
        """Route, validate and dispatch one request."""
        path, data = self.field_data(req)
        handler = path.handler_for(req.operation)
        if handler is None:
            raise UnsupportedOperation()
        data.validate()
        response = await handler(req, data)
        if not path.takes_arbitrary_input:
            ignored = [k for k in data.unknown() if k not in _SILENT_KEYS]
            if ignored and response is not None and req.operation in _WRITES:
                response.warnings.append(
                    "Endpoint ignored these unrecognized parameters: [" + " ".join(ignored) + "]"
                )
        return response

    def help_text(self, path: str) -> str:
        """Markdown help for ``path``, built from the declarations."""
        try:
            route, _ = self.route(path)
        except UnsupportedPath:
            return f"## PATH\n\n{path}\n\nNo help is available for this path.\n"
        # compat: OpenBao prints the requested (mount-relative) path, then the pattern
        lines = [f"Request:        {path}", f"Matching Route: ^{route.pattern}$", ""]
        lines += [route.synopsis, "", "## PARAMETERS", ""]
        for name, spec in sorted(route.fields.items()):
            lines += [f"{name} ({spec.type.value})", "", f"    {spec.description}", ""]
        lines += ["## DESCRIPTION", "", route.description or route.synopsis]
        return "\n".join(lines) + "\n"


_WRITES = frozenset({Operation.CREATE, Operation.UPDATE, Operation.PATCH})
_ROUTE_MEMO_SIZE = 1024  # paths remembered per backend; all forgotten when full
# Keys the HTTP layer may add that are not parameters of any path.
_SILENT_KEYS = frozenset({"help", "list"})


def _bind(path: Path, req: Request, captures: dict[str, str]) -> FieldData:
    raw = {**req.data, **captures} if captures else req.data
    return FieldData(raw, path.fields)
