"""The ``userpass`` auth method: users with passwords, logging in for tokens.

Mirrors OpenBao's builtin/credential/userpass (path_users.go, path_user_password.go,
path_user_policies.go, path_login.go). Logins are counted toward the mount's user lockout;
a wrong password and an unknown user give the same 400 ``invalid username or password`` after
the same amount of hashing work.
"""

from __future__ import annotations

import asyncio

from sealbox.auth.lockout import Lockout, LockoutPolicy
from sealbox.auth.userpass.password import hash_password, verify_password
from sealbox.auth.userpass.users import User, UserStore
from sealbox.errors import InternalError, InvalidCredentials, InvalidRequest, PermissionDenied
from sealbox.framework import Backend, BackendConfig, FieldData, FieldSchema, FieldType, Path
from sealbox.framework.path import segment
from sealbox.framework.tokenutil import address_allowed, renew_terms, token_fields
from sealbox.logical import Alias, Auth, Operation, Request, Response

_NAME = segment("username")
_USERNAME = {"username": FieldSchema(FieldType.STRING, "Name of the user.")}
_PASSWORD = {"password": FieldSchema(FieldType.STRING, "Password of the user.")}
_USER_FIELDS = {
    **_USERNAME,
    **_PASSWORD,
    **token_fields(deprecated=("policies", "ttl", "max_ttl", "bound_cidrs")),
}


class UserpassAuthMethod(Backend):
    """Username and password logins."""

    backend_type = "userpass"
    unauthenticated_paths = ("login/*",)

    def __init__(self, config: BackendConfig) -> None:
        super().__init__(config)
        self.users = UserStore(config.storage)
        self.lockout = Lockout(lambda: LockoutPolicy.from_config(config.user_lockout))
        ops = Operation
        self.paths = [
            Path("users/?", {}, {ops.LIST: self.list_users}, synopsis="List users."),
            Path(
                "users/" + _NAME,
                _USER_FIELDS,
                {
                    ops.READ: self.read_user,
                    ops.CREATE: self.write_user,
                    ops.UPDATE: self.write_user,
                    ops.DELETE: self.delete_user,
                },
                existence_check=self.user_exists,
                synopsis="Manage users allowed to authenticate.",
            ),
            Path(
                "users/" + _NAME + "/password",
                {**_USERNAME, **_PASSWORD},
                {ops.UPDATE: self.update_password},
                synopsis="Reset a user's password.",
            ),
            Path(
                "users/" + _NAME + "/policies",
                {**_USERNAME, **token_fields(deprecated=("policies",))},
                {ops.UPDATE: self.update_policies},
                synopsis="Update a user's policies.",
            ),
            Path(
                "login/" + _NAME,
                {**_USERNAME, **_PASSWORD},
                {ops.UPDATE: self.login},
                synopsis="Log in with a username and password.",
            ),
        ]

    # ---- users ---------------------------------------------------------------------

    async def user_exists(self, req: Request, d: FieldData) -> bool:
        """Existence check: create vs update capability."""
        del req
        return await self.users.get(d.get("username").lower()) is not None

    async def list_users(self, req: Request, d: FieldData) -> Response | None:
        """LIST /auth/userpass/users."""
        del req, d
        names = await self.users.names()
        return Response(data={"keys": names}) if names else None

    async def read_user(self, req: Request, d: FieldData) -> Response | None:
        """GET /auth/userpass/users/:username. Token settings (never the password)."""
        del req
        user = await self.users.get(d.get("username").lower())
        return None if user is None else Response(data=user.token.to_wire())

    async def write_user(self, req: Request, d: FieldData) -> None:
        """POST /auth/userpass/users/:username. Create or update a user."""
        del req
        name = d.get("username").lower()
        user = await self.users.get(name)
        if user is None:
            if not d.get("password"):
                raise InvalidRequest("must provide either password or password_hash")
            user = User(name)
        token = user.token.updated(d)
        if d.get("password"):
            user.password_hash = await asyncio.to_thread(hash_password, d.get("password"))
        user.token = token
        await self.users.put(user)

    async def delete_user(self, req: Request, d: FieldData) -> None:
        """DELETE /auth/userpass/users/:username."""
        del req
        await self.users.delete(d.get("username").lower())

    async def update_password(self, req: Request, d: FieldData) -> None:
        """POST /auth/userpass/users/:username/password."""
        del req
        user = await self.users.get(d.get("username").lower())
        if user is None:
            # compat: OpenBao answers 500 here (path_user_password.go returns an error)
            raise InternalError("username does not exist")
        if not d.get("password"):
            raise InvalidRequest("missing password")
        user.password_hash = await asyncio.to_thread(hash_password, d.get("password"))
        await self.users.put(user)
        self.lockout.succeeded(user.name)

    async def update_policies(self, req: Request, d: FieldData) -> None:
        """POST /auth/userpass/users/:username/policies."""
        del req
        user = await self.users.get(d.get("username").lower())
        if user is None:
            raise InvalidRequest("username does not exist")
        user.token = user.token.updated(d)
        await self.users.put(user)

    # ---- login ---------------------------------------------------------------------

    async def login(self, req: Request, d: FieldData) -> Response:
        """POST /auth/userpass/login/:username. A token for a right password."""
        name = d.get("username").lower()
        password = d.get("password")
        if not password:
            # compat: OpenBao answers 500 "missing password" (path_login.go returns an error)
            raise InternalError("missing password")
        if self.lockout.locked(name):
            raise PermissionDenied()
        user = await self.users.get(name)
        stored = user.password_hash if user is not None else None
        if not await asyncio.to_thread(verify_password, password, stored) or user is None:
            self.lockout.failed(name)
            raise InvalidCredentials("invalid username or password")
        if not address_allowed(req.client_address, user.token.token_bound_cidrs):
            raise PermissionDenied()
        self.lockout.succeeded(name)
        auth = Auth(
            metadata={"username": name},
            display_name=name,
            alias=Alias(name=name),
        )
        return Response(auth=user.token.apply(auth))

    async def renew_auth(self, req: Request, auth: Auth) -> Auth:
        """Renew only while the user exists with the same policies (pathLoginRenew)."""
        del req
        name = (auth.metadata or {}).get("username", "")
        user = await self.users.get(name) if name else None
        if user is None:
            # compat: OpenBao answers a nil response, which the token renew reports so.
            raise InvalidRequest("user no longer exists")
        return renew_terms(user.token, auth)


def userpass_factory(config: BackendConfig) -> Backend:
    """Build a userpass mount (registered in ``core/plugins.py``)."""
    return UserpassAuthMethod(config)
