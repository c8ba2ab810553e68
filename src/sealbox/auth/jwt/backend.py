"""The ``jwt`` / ``oidc`` auth method: log in with a signed JWT or through an OIDC provider.

Mirrors vault-plugin-auth-jwt as OpenBao builds it in (path_login.go, path_oidc.go): a JWT
login verifies the signature with the mount's key source, checks the claims against the role,
and logs in as the ``user_claim`` value, with the ``groups_claim`` values as group aliases (so
external identity groups named after them apply). OIDC roles log in through ``oidc/auth_url``
and ``oidc/callback`` instead. Renewal needs the role to still exist; its TTLs apply again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sealbox.auth.jwt.claims import login_auth, validate
from sealbox.auth.jwt.config import CONFIG_FIELDS, JWTConfig, config_from, load_config, save_config
from sealbox.auth.jwt.keys import KeySource
from sealbox.auth.jwt.oidc import OIDCFlow
from sealbox.auth.jwt.roles import ROLE_FIELDS, JWTRole, updated_role
from sealbox.auth.roles import RoleStore, role_paths
from sealbox.errors import InvalidRequest, PermissionDenied
from sealbox.framework import Backend, BackendConfig, FieldData, FieldSchema, FieldType, Path
from sealbox.framework.tokenutil import address_allowed
from sealbox.logical import Auth, Operation, Request, Response, Storage

_S = FieldType.STRING
_LOGIN = {"role": FieldSchema(_S, "Role to log in with."), "jwt": FieldSchema(_S, "The JWT.")}
_AUTH_URL = {
    "role": FieldSchema(_S, "OIDC role to log in with."),
    "redirect_uri": FieldSchema(_S, "Where the provider sends the user back."),
    "client_nonce": FieldSchema(_S, "Optional nonce the callback must repeat."),
}
_CALLBACK = {
    "state": FieldSchema(_S, "State from the authorization URL."),
    "code": FieldSchema(_S, "Authorization code from the provider."),
    "id_token": FieldSchema(_S, "Unsupported (form_post mode)."),
    "client_nonce": FieldSchema(_S, "The nonce given to auth_url."),
}


def _utcnow() -> datetime:
    return datetime.now(UTC)


class JWTAuthMethod(Backend):
    """JWT and OIDC logins."""

    backend_type = "jwt"
    unauthenticated_paths = ("login", "oidc/auth_url", "oidc/callback")

    def __init__(self, config: BackendConfig, clock: Callable[[], datetime] = _utcnow) -> None:
        super().__init__(config)
        self.clock = clock
        self.roles = RoleStore(config.storage, JWTRole)
        self.oidc = OIDCFlow()
        self._source: tuple[JWTConfig, KeySource] | None = None
        ops = Operation
        self.paths = [
            Path(
                "config",
                CONFIG_FIELDS,
                {ops.READ: self.read_config, ops.UPDATE: self.write_config},
                synopsis="Configure keys and the OIDC client.",
            ),
            *role_paths(self.roles, ROLE_FIELDS, updated_role),
            Path("login", _LOGIN, {ops.UPDATE: self.login}, synopsis="Log in with a JWT."),
            Path(
                "oidc/auth_url",
                _AUTH_URL,
                {ops.UPDATE: self.auth_url},
                synopsis="Start an OIDC login.",
            ),
            Path(
                "oidc/callback",
                _CALLBACK,
                {ops.READ: self.callback, ops.UPDATE: self.callback},
                synopsis="Finish an OIDC login.",
            ),
        ]

    async def _config(self, storage: Storage) -> tuple[JWTConfig, KeySource]:
        if self._source is None:
            config = await load_config(storage)
            if config is None:
                raise InvalidRequest("could not load configuration")
            self._source = (config, config.key_source())
        return self._source

    # ---- config and roles ----------------------------------------------------------

    async def read_config(self, req: Request, d: FieldData) -> Response | None:
        """GET /auth/jwt/config."""
        del d
        config = await load_config(req.view)
        return None if config is None else Response(data=config.to_wire())

    async def write_config(self, req: Request, d: FieldData) -> None:
        """POST /auth/jwt/config."""
        config = await config_from(d)
        await save_config(req.view, config)
        self._source = None

    # ---- logins --------------------------------------------------------------------

    async def _role(self, config: JWTConfig, name: str) -> JWTRole:
        name = name.strip() or config.default_role
        if not name:
            raise InvalidRequest("missing role")
        role = await self.roles.get(name)
        if role is None:
            raise InvalidRequest(f'role "{name}" could not be found')
        return role

    async def login(self, req: Request, d: FieldData) -> Response:
        """POST /auth/jwt/login {role, jwt}."""
        config, source = await self._config(req.view)
        role = await self._role(config, d.get("role"))
        if role.role_type == "oidc":
            raise InvalidRequest("role with oidc role_type is not allowed")
        if not address_allowed(req.client_address, role.token.token_bound_cidrs):
            raise PermissionDenied()
        token = d.get("jwt").strip()
        if not token:
            raise InvalidRequest("missing token")
        claims = await source.verify(token, config.jwt_supported_algs)
        validate(
            claims,
            role,
            issuer=config.bound_issuer,
            audiences=role.bound_audiences,
            now=self.clock(),
        )
        return Response(auth=login_auth(claims, role))

    async def auth_url(self, req: Request, d: FieldData) -> Response:
        """POST /auth/jwt/oidc/auth_url {role, redirect_uri, client_nonce}."""
        config, source = await self._config(req.view)
        if not config.oidc_discovery_url or not config.oidc_client_id:
            raise InvalidRequest("OIDC login is not configured for this mount")
        role = await self._role(config, d.get("role"))
        url = await self.oidc.auth_url(
            config, source, role, d.get("redirect_uri"), d.get("client_nonce")
        )
        return Response(data={"auth_url": url})

    async def callback(self, req: Request, d: FieldData) -> Response:
        """GET|POST /auth/jwt/oidc/callback {state, code, client_nonce}."""
        pending = self.oidc.take(d.get("state"), d.get("client_nonce"))
        config, source = await self._config(req.view)
        role = await self._role(config, pending.role)
        if not d.get("code"):
            raise InvalidRequest("OpenBao login failed. No code or id_token received.")
        id_token = await self.oidc.exchange(config, source, d.get("code"), pending.redirect_uri)
        claims = await source.verify(id_token, config.jwt_supported_algs)
        issuer = str((await source.discovery()).get("issuer", ""))
        audiences = role.bound_audiences or [config.oidc_client_id]
        validate(
            claims,
            role,
            issuer=config.bound_issuer or issuer,
            audiences=audiences,
            now=self.clock(),
        )
        if claims.get("nonce") != pending.nonce:
            raise InvalidRequest("invalid ID token nonce")
        if role.max_age > 0:
            # compat: OpenBao requires auth_time and refuses a login older than max_age
            auth_time = claims.get("auth_time")
            if not isinstance(auth_time, int | float):
                raise InvalidRequest("auth_time claim required when max_age is set")
            if self.clock().timestamp() - auth_time > role.max_age:
                raise InvalidRequest("auth_time is beyond max_age")
        return Response(auth=login_auth(claims, role))

    async def renew_auth(self, req: Request, auth: Auth) -> Auth:
        """Renew while the role exists; its current TTLs apply (pathLoginRenew)."""
        del req
        name = (auth.metadata or {}).get("role", "")
        role = await self.roles.get(name) if name else None
        if role is None:
            raise InvalidRequest(f'role "{name}" could not be found during renewal')
        return role.token.renewal()


def jwt_factory(config: BackendConfig) -> Backend:
    """Build a JWT/OIDC mount (types ``jwt`` and ``oidc``, registered in ``core/plugins.py``)."""
    return JWTAuthMethod(config)
