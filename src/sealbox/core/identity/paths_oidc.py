"""``identity/oidc/*``: identity tokens (signed JWTs about the caller's entity) and their keys.

Mirrors OpenBao's identity_store_oidc.go (shapes and messages observed on ``bao`` 2.x): named
keys (``key/:name``, ``key/:name/rotate``), roles (``role/:name``: key, claims template, TTL,
generated ``client_id``), ``token/:role`` for the caller's entity, ``introspect``, and the
unauthenticated ``.well-known/openid-configuration`` and ``.well-known/keys`` documents, so
any OIDC library can verify the tokens. A token's claims are ``aud`` (the role's client ID),
``exp``, ``iat``, ``iss`` (``<issuer or api_addr>/v1/identity/oidc``), ``namespace`` and
``sub`` (the entity ID), plus what the role's template renders.
"""

from __future__ import annotations

import re
import secrets
import string
import time
from collections.abc import Callable
from typing import Any

import jwt
import orjson

from sealbox.core.identity.model import Entity
from sealbox.core.identity.oidc_keys import ALGORITHMS, DAY, NamedKey, OIDCStore, TokenRole
from sealbox.core.identity.store import IdentityStore
from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.framework.path import segment
from sealbox.logical import Operation, Request, Response

_D, _S = FieldType.DURATION, FieldType.STRING
_KEY_FIELDS = {
    "name": FieldSchema(_S, "Name of the key."),
    "rotation_period": FieldSchema(_D, "How often the key rotates.", default=DAY),
    "verification_ttl": FieldSchema(_D, "How long a rotated key still verifies.", default=DAY),
    "allowed_client_ids": FieldSchema(FieldType.COMMA_STRING_LIST, "Client IDs (or *)."),
    "algorithm": FieldSchema(_S, "RS256 or ES256.", default="RS256"),
}
_ROLE_FIELDS = {
    "name": FieldSchema(_S, "Name of the role."),
    "key": FieldSchema(_S, "Named key that signs the role's tokens."),
    "template": FieldSchema(_S, "JSON claims template."),
    "ttl": FieldSchema(_D, "Lifetime of the tokens.", default=DAY),
    "client_id": FieldSchema(_S, "Audience of the tokens (generated)."),
}
_RESERVED = frozenset({"iat", "aud", "exp", "iss", "sub", "namespace", "nbf", "auth_time"})
_PLACEHOLDER = re.compile(r"\{\{\s*identity\.entity\.([a-z_.\-A-Z0-9]+)\s*\}\}")
_ALNUM = string.ascii_letters + string.digits


class OIDCHandlers:
    """Identity-token handlers over the identity store and its OIDC settings."""

    def __init__(self, store: IdentityStore, oidc: OIDCStore, api_addr: Callable[[], str]) -> None:
        self.store, self.oidc, self.api_addr = store, oidc, api_addr

    async def _issuer(self) -> str:
        return ((await self.oidc.issuer()) or self.api_addr()).rstrip("/") + "/v1/identity/oidc"

    async def read_config(self, req: Request, d: FieldData) -> Response:
        """GET /identity/oidc/config."""
        del req, d
        return Response(data={"issuer": await self.oidc.issuer()})

    async def write_config(self, req: Request, d: FieldData) -> Response | None:
        """POST /identity/oidc/config {issuer} (warns when one is set, as OpenBao does)."""
        del req
        await self.oidc.set_issuer(d.get("issuer"))
        if not d.get("issuer"):
            return None
        return Response(
            warnings=[
                'If "issuer" is set explicitly, all tokens must be validated against that address, '
                'including those issued by secondary clusters. Setting issuer to "" will restore '
                "the default behavior of using the cluster's api_addr as the issuer."
            ]
        )

    # ---- keys ----------------------------------------------------------------------

    async def list_keys(self, req: Request, d: FieldData) -> Response | None:
        """LIST /identity/oidc/key."""
        del req, d
        return Response(data={"keys": await self.oidc.key_names()})

    async def read_key(self, req: Request, d: FieldData) -> Response | None:
        """GET /identity/oidc/key/:name."""
        del req
        key = await self.oidc.key(d.get("name"))
        return None if key is None else Response(data=key.to_wire())

    async def write_key(self, req: Request, d: FieldData) -> None:
        """POST /identity/oidc/key/:name."""
        del req
        key = await self.oidc.key(d.get("name")) or NamedKey(name=d.get("name"))
        algorithm = d.get("algorithm") if d.supplied("algorithm") else key.algorithm
        if algorithm not in ALGORITHMS:
            raise InvalidRequest(f"unknown signing algorithm {algorithm!r}")
        for name in ("rotation_period", "verification_ttl", "allowed_client_ids"):
            if d.supplied(name) or not key.versions:
                setattr(key, name, d.get(name))
        if algorithm != key.algorithm or not key.versions:
            key.algorithm = algorithm
            key.rotate(time.time())
        await self.oidc.save_key(key)

    async def delete_key(self, req: Request, d: FieldData) -> None:
        """DELETE /identity/oidc/key/:name (refused while a role uses it)."""
        del req
        await self.oidc.delete_key(d.get("name"))

    async def rotate_key(self, req: Request, d: FieldData) -> None:
        """POST /identity/oidc/key/:name/rotate."""
        del req
        key = await self.oidc.key(d.get("name"))
        if key is None:
            raise InvalidRequest(f'no named key found at "{d.get("name")}"')
        if d.supplied("verification_ttl"):
            key.verification_ttl = d.get("verification_ttl")
        key.rotate(time.time())
        await self.oidc.save_key(key)

    # ---- roles ---------------------------------------------------------------------

    async def list_roles(self, req: Request, d: FieldData) -> Response | None:
        """LIST /identity/oidc/role."""
        del req, d
        names = sorted(r.name for r in await self.oidc.roles())
        return Response(data={"keys": names}) if names else None

    async def read_role(self, req: Request, d: FieldData) -> Response | None:
        """GET /identity/oidc/role/:name."""
        del req
        role = await self.oidc.role(d.get("name"))
        if role is None:
            return None
        return Response(
            data={
                "client_id": role.client_id,
                "key": role.key,
                "template": role.template,
                "ttl": role.ttl,
            }
        )

    async def write_role(self, req: Request, d: FieldData) -> None:
        """POST /identity/oidc/role/:name."""
        del req
        role = await self.oidc.role(d.get("name")) or TokenRole(name=d.get("name"), key="")
        for name in ("key", "template", "ttl"):
            if d.supplied(name):
                setattr(role, name, d.get(name))
        if not role.key or await self.oidc.key(role.key) is None:
            raise InvalidRequest(f'cannot find key "{role.key}"')
        if role.template:
            _render(role.template, Entity(id="", name=""), self.store)
        role.client_id = role.client_id or "".join(secrets.choice(_ALNUM) for _ in range(26))
        await self.oidc.save_role(role)

    async def delete_role(self, req: Request, d: FieldData) -> None:
        """DELETE /identity/oidc/role/:name."""
        del req
        await self.oidc.delete_role(d.get("name"))

    # ---- tokens --------------------------------------------------------------------

    async def token(self, req: Request, d: FieldData) -> Response:
        """GET /identity/oidc/token/:name. A signed identity token for the caller's entity."""
        entity_id = getattr(req.token_entry, "entity_id", "")
        entity = self.store.entities.get(entity_id) if entity_id else None
        if entity is None:
            raise InvalidRequest("no entity associated with the request's token")
        role = await self.oidc.role(d.get("name"))
        if role is None:
            raise InvalidRequest(f'role "{d.get("name")}" not found')
        key = await self.oidc.key(role.key)
        if key is None:
            raise InvalidRequest(f'key "{role.key}" not found')
        if not key.allows(role.client_id):
            raise InvalidRequest(
                f'the key "{key.name}" does not list the client ID of the role "{role.name}" '
                "as an allowed client ID"
            )
        now = time.time()
        if now - key.current().created >= key.rotation_period > 0:
            key.rotate(now)
            await self.oidc.save_key(key)
        claims: dict[str, Any] = _render(role.template, entity, self.store) if role.template else {}
        claims.update(
            {
                "aud": role.client_id,
                "exp": int(now) + role.ttl,
                "iat": int(now),
                "iss": await self._issuer(),
                "namespace": "root",
                "sub": entity.id,
            }
        )
        version = key.current()
        token = jwt.encode(
            claims, version.private_pem, algorithm=key.algorithm, headers={"kid": version.kid}
        )
        return Response(data={"client_id": role.client_id, "token": token, "ttl": role.ttl})

    async def _public_keys(self) -> list[dict[str, Any]]:
        now = time.time()
        keys: list[dict[str, Any]] = []
        for name in await self.oidc.key_names():
            key = await self.oidc.key(name)
            if key is not None:
                keys.extend(key.public_jwks(now))
        return keys

    async def introspect(self, req: Request, d: FieldData) -> Response:
        """POST /identity/oidc/introspect {token, client_id}. Raw ``{"active": ...}``."""
        del req
        token, client_id = d.get("token"), d.get("client_id")
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            jwk = next((k for k in await self._public_keys() if k["kid"] == kid), None)
            if jwk is None:
                raise InvalidRequest("unable to find key")
            options: Any = {"verify_aud": bool(client_id)}
            jwt.decode(
                token,
                jwt.PyJWK(jwk).key,
                algorithms=list(ALGORITHMS),
                audience=client_id or None,
                issuer=await self._issuer(),
                options=options,
            )
        except jwt.DecodeError:
            return Response(
                data={
                    "active": False,
                    "error": "error parsing token: go-jose/go-jose: compact JWS format must have three parts",
                }
            )
        except (jwt.PyJWTError, InvalidRequest) as err:
            return Response(
                data={"active": False, "error": f"error validating token: {type(err).__name__}"}
            )
        return Response(data={"active": True})

    async def discovery(self, req: Request, d: FieldData) -> Response:
        """GET /identity/oidc/.well-known/openid-configuration (unauthenticated, raw)."""
        del req, d
        issuer = await self._issuer()
        return Response(
            data={
                "issuer": issuer,
                "jwks_uri": issuer + "/.well-known/keys",
                "response_types_supported": ["id_token"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": [
                    "RS256",
                    "RS384",
                    "RS512",
                    "ES256",
                    "ES384",
                    "ES512",
                    "EdDSA",
                ],
            }
        )

    async def keys(self, req: Request, d: FieldData) -> Response:
        """GET /identity/oidc/.well-known/keys (unauthenticated, raw JWKS)."""
        del req, d
        return Response(data={"keys": await self._public_keys()})


def _render(template: str, entity: Entity, store: IdentityStore) -> dict[str, Any]:
    """The claims a role template gives for ``entity`` (OpenBao's identity templating subset)."""
    groups = [
        store.groups[g]
        for g in [*store.direct_groups(entity.id), *store.inherited_groups(entity.id)]
        if g in store.groups
    ]

    def value(match: re.Match[str]) -> str:
        path = match.group(1)
        found: Any
        if path == "id":
            found = entity.id
        elif path == "name":
            found = entity.name
        elif path == "metadata":
            found = entity.metadata
        elif path.startswith("metadata."):
            found = entity.metadata.get(path.removeprefix("metadata."), "")
        elif path == "groups.ids":
            found = [g.id for g in groups]
        elif path == "groups.names":
            found = [g.name for g in groups]
        else:
            raise InvalidRequest(f"unsupported template parameter identity.entity.{path}")
        return orjson.dumps(found).decode()

    try:
        claims = orjson.loads(_PLACEHOLDER.sub(value, template))
    except orjson.JSONDecodeError as err:
        raise InvalidRequest("error parsing template JSON") from err
    if not isinstance(claims, dict):
        raise InvalidRequest("template must be a JSON object")
    reserved = sorted(_RESERVED & set(claims))
    if reserved:
        raise InvalidRequest(f'top level key "{reserved[0]}" is reserved')
    return claims


def oidc_paths(h: OIDCHandlers) -> list[Path]:
    """Routes of identity tokens."""
    ops = Operation
    rw = {
        ops.READ: h.read_key,
        ops.CREATE: h.write_key,
        ops.UPDATE: h.write_key,
        ops.DELETE: h.delete_key,
    }
    roles = {
        ops.READ: h.read_role,
        ops.CREATE: h.write_role,
        ops.UPDATE: h.write_role,
        ops.DELETE: h.delete_role,
    }
    name = {"name": _KEY_FIELDS["name"]}
    return [
        Path(
            "oidc/config",
            {"issuer": FieldSchema(_S, "Issuer URL of identity tokens.")},
            {ops.READ: h.read_config, ops.UPDATE: h.write_config},
            synopsis="Issuer.",
        ),
        Path("oidc/key/?", {}, {ops.LIST: h.list_keys}, synopsis="List named keys."),
        Path(
            "oidc/key/" + segment("name") + "/rotate",
            {**name, "verification_ttl": _KEY_FIELDS["verification_ttl"]},
            {ops.UPDATE: h.rotate_key},
            synopsis="Rotate a key.",
        ),
        Path("oidc/key/" + segment("name"), _KEY_FIELDS, rw, synopsis="Manage named keys."),
        Path("oidc/role/?", {}, {ops.LIST: h.list_roles}, synopsis="List roles."),
        Path("oidc/role/" + segment("name"), _ROLE_FIELDS, roles, synopsis="Manage roles."),
        Path("oidc/token/" + segment("name"), name, {ops.READ: h.token}, synopsis="Issue a token."),
        Path(
            "oidc/introspect",
            {"token": FieldSchema(_S, "Token."), "client_id": FieldSchema(_S, "Audience.")},
            {ops.UPDATE: h.introspect},
            synopsis="Verify a token.",
        ),
        Path(
            "oidc/.well-known/openid-configuration",
            {},
            {ops.READ: h.discovery},
            synopsis="Discovery.",
        ),
        Path("oidc/.well-known/keys", {}, {ops.READ: h.keys}, synopsis="Public keys."),
    ]
