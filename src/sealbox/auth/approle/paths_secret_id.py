"""``role/:role_name/secret-id*`` and ``custom-secret-id``: issuing and managing secret IDs.

Mirrors OpenBao's approle path_role.go secret-ID handlers: a secret ID's ``num_uses`` and
``ttl`` may only tighten the role's (``num_uses cannot be higher than the role's
secret_id_num_uses``, ``ttl cannot be longer than the role's secret_id_ttl``); its
``cidr_list`` and ``token_bound_cidrs`` must lie inside the role's; ``metadata`` is a JSON
object of strings sent as a string. A generate answer can be response-wrapped by the core
(``X-Vault-Wrap-TTL``), so the secret ID reaches the workload unseen by the operator.
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from sealbox.auth.approle.paths_role import ROLE_NAME, RoleHandlers
from sealbox.auth.approle.store import AppRoleStore, Role, SecretID
from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.framework.tokenutil import parse_cidrs
from sealbox.goformat import rfc3339_nano
from sealbox.logical import Operation, Request, Response

_NAME = {"role_name": FieldSchema(FieldType.STRING, "Name of the role.")}
_GENERATE = {
    **_NAME,
    "metadata": FieldSchema(FieldType.STRING, "JSON object of string metadata."),
    "cidr_list": FieldSchema(FieldType.COMMA_STRING_LIST, "Where this secret ID works."),
    "token_bound_cidrs": FieldSchema(FieldType.COMMA_STRING_LIST, "Where its tokens work."),
    "num_uses": FieldSchema(FieldType.INT, "Uses of this secret ID (0 = the role's)."),
    "ttl": FieldSchema(FieldType.DURATION, "Lifetime of this secret ID (0 = the role's)."),
}
_SECRET = {**_NAME, "secret_id": FieldSchema(FieldType.STRING, "The secret ID.")}
_ACCESSOR = {**_NAME, "secret_id_accessor": FieldSchema(FieldType.STRING, "Its accessor.")}
_NEVER = "0001-01-01T00:00:00Z"


def _rfc3339(moment: datetime | None) -> str:
    return _NEVER if moment is None else rfc3339_nano(moment.astimezone(UTC))


def secret_wire(entry: SecretID) -> dict[str, Any]:
    """The lookup shape of a secret ID."""
    return {
        "cidr_list": list(entry.cidr_list),
        "creation_time": _rfc3339(entry.creation_time),
        "expiration_time": _rfc3339(entry.expiration_time),
        "last_updated_time": _rfc3339(entry.last_updated_time),
        "metadata": dict(entry.metadata),
        "secret_id_accessor": entry.secret_id_accessor,
        "secret_id_num_uses": entry.secret_id_num_uses,
        "secret_id_ttl": entry.secret_id_ttl,
        "token_bound_cidrs": list(entry.token_bound_cidrs),
    }


def _metadata(raw: str) -> dict[str, str]:
    if not raw:
        return {}
    try:
        parsed = orjson.loads(raw)
    except orjson.JSONDecodeError as err:
        raise InvalidRequest("failed to parse metadata") from err
    if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
        raise InvalidRequest("failed to parse metadata: expected a map of strings")
    return parsed


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _subnet(inner: Network, outer: Network) -> bool:
    if isinstance(inner, ipaddress.IPv4Network) and isinstance(outer, ipaddress.IPv4Network):
        return inner.subnet_of(outer)
    if isinstance(inner, ipaddress.IPv6Network) and isinstance(outer, ipaddress.IPv6Network):
        return inner.subnet_of(outer)
    return False


def _inside(cidrs: list[str], bounds: list[str], what: str) -> None:
    if not cidrs or not bounds:
        return
    blocks = [ipaddress.ip_network(b, strict=False) for b in bounds]
    for cidr in cidrs:
        network = ipaddress.ip_network(cidr, strict=False)
        if not any(_subnet(network, block) for block in blocks):
            raise InvalidRequest(f"failed to verify the CIDR restrictions set on the {what}")


class SecretIDHandlers:
    """Secret-ID handlers over one AppRoleStore."""

    def __init__(
        self, store: AppRoleStore, roles: RoleHandlers, clock: Callable[[], datetime]
    ) -> None:
        self.store = store
        self.roles = roles
        self.clock = clock

    async def generate(self, req: Request, d: FieldData) -> Response:
        """POST /auth/approle/role/:role_name/secret-id. A new random secret ID."""
        del req
        return await self._issue(d, str(uuid.uuid4()))

    async def custom(self, req: Request, d: FieldData) -> Response:
        """POST /auth/approle/role/:role_name/custom-secret-id. Register a given secret ID."""
        del req
        if not d.get("secret_id"):
            raise InvalidRequest("missing secret_id")
        return await self._issue(d, d.get("secret_id"))

    async def _issue(self, d: FieldData, secret_id: str) -> Response:
        role = await self.roles.required_role(d)
        if not role.bind_secret_id:
            raise InvalidRequest("bind_secret_id is not set on the role")
        num_uses, ttl = d.get("num_uses"), d.get("ttl")
        if num_uses < 0:
            raise InvalidRequest("num_uses cannot be negative")
        if role.secret_id_num_uses and (num_uses == 0 or num_uses > role.secret_id_num_uses):
            if num_uses > role.secret_id_num_uses:
                raise InvalidRequest("num_uses cannot be higher than the role's secret_id_num_uses")
            num_uses = role.secret_id_num_uses
        if role.secret_id_ttl and (ttl == 0 or ttl > role.secret_id_ttl):
            if ttl > role.secret_id_ttl:
                raise InvalidRequest("ttl cannot be longer than the role's secret_id_ttl")
            ttl = role.secret_id_ttl
        cidrs = parse_cidrs(d.get("cidr_list"))
        _inside(cidrs, role.secret_id_bound_cidrs, "secret ID")
        token_cidrs = parse_cidrs(d.get("token_bound_cidrs"))
        _inside(token_cidrs, list(role.token.token_bound_cidrs), "token")
        secret_hash = self.store.secret_hash(role, secret_id)
        if await self.store.secret(role, secret_hash) is not None:
            raise InvalidRequest("secret_id is already registered")
        now = self.clock()
        entry = SecretID(
            secret_id_accessor=str(uuid.uuid4()),
            secret_id_num_uses=num_uses,
            secret_id_ttl=ttl,
            creation_time=now,
            expiration_time=now + timedelta(seconds=ttl) if ttl else None,
            last_updated_time=now,
            metadata=_metadata(d.get("metadata")),
            cidr_list=cidrs,
            token_bound_cidrs=token_cidrs,
        )
        await self.store.save_secret(role, secret_hash, entry)
        return Response(
            data={
                "secret_id": secret_id,
                "secret_id_accessor": entry.secret_id_accessor,
                "secret_id_ttl": ttl,
                "secret_id_num_uses": num_uses,
            }
        )

    async def list_accessors(self, req: Request, d: FieldData) -> Response | None:
        """LIST /auth/approle/role/:role_name/secret-id. Accessors of live secret IDs."""
        del req
        role = await self.roles.required_role(d)
        now = self.clock()
        keys = sorted(
            e.secret_id_accessor for _, e in await self.store.secrets(role) if not e.expired(now)
        )
        return Response(data={"keys": keys}) if keys else None

    async def _by_secret(self, d: FieldData) -> tuple[Role, str, SecretID | None]:
        role = await self.roles.required_role(d)
        if not d.get("secret_id"):
            raise InvalidRequest("missing secret_id")
        secret_hash = self.store.secret_hash(role, d.get("secret_id"))
        return role, secret_hash, await self.store.secret(role, secret_hash)

    async def _by_accessor(self, d: FieldData) -> tuple[Role, str, SecretID]:
        role = await self.roles.required_role(d)
        accessor = d.get("secret_id_accessor")
        if not accessor:
            raise InvalidRequest("missing secret_id_accessor")
        secret_hash = await self.store.secret_hash_for_accessor(accessor)
        entry = None if secret_hash is None else await self.store.secret(role, secret_hash)
        if secret_hash is None or entry is None:
            raise InvalidRequest(
                f'failed to find accessor entry for secret_id_accessor: "{accessor}"'
            )
        return role, secret_hash, entry

    async def lookup(self, req: Request, d: FieldData) -> Response | None:
        """POST /auth/approle/role/:role_name/secret-id/lookup (204 when unknown)."""
        del req
        _, _, entry = await self._by_secret(d)
        if entry is None or entry.expired(self.clock()):
            return None
        return Response(data=secret_wire(entry))

    async def destroy(self, req: Request, d: FieldData) -> None:
        """POST|DELETE /auth/approle/role/:role_name/secret-id/destroy."""
        del req
        role, secret_hash, entry = await self._by_secret(d)
        if entry is not None:
            await self.store.delete_secret(role, secret_hash)

    async def lookup_accessor(self, req: Request, d: FieldData) -> Response:
        """POST /auth/approle/role/:role_name/secret-id-accessor/lookup."""
        del req
        _, _, entry = await self._by_accessor(d)
        return Response(data=secret_wire(entry))

    async def destroy_accessor(self, req: Request, d: FieldData) -> None:
        """POST|DELETE /auth/approle/role/:role_name/secret-id-accessor/destroy."""
        del req
        role, secret_hash, _ = await self._by_accessor(d)
        await self.store.delete_secret(role, secret_hash)

    async def tidy(self, req: Request, d: FieldData) -> Response:
        """POST /auth/approle/tidy/secret-id. Drop expired secret IDs (answers 202)."""
        del req, d
        now = self.clock()
        for name in await self.store.role_names():
            role = await self.store.role(name)
            if role is None:
                continue
            for secret_hash, entry in await self.store.secrets(role):
                if entry.expired(now):
                    await self.store.delete_secret(role, secret_hash)
        return Response(
            accepted=True,
            warnings=[
                "Tidy operation successfully started. Any information from the operation "
                "will be printed to OpenBao's server logs."
            ],
        )


def secret_id_paths(h: SecretIDHandlers) -> list[Path]:
    """Routes of secret IDs."""
    base = "role/" + ROLE_NAME
    update, delete = Operation.UPDATE, Operation.DELETE
    return [
        Path(
            base + "/secret-id/?",
            _GENERATE,
            {update: h.generate, Operation.LIST: h.list_accessors},
            synopsis="Generate a secret ID, or list the accessors of the role's.",
        ),
        Path(base + "/secret-id/lookup", _SECRET, {update: h.lookup}, synopsis="Look up."),
        Path(
            base + "/secret-id/destroy",
            _SECRET,
            {update: h.destroy, delete: h.destroy},
            synopsis="Destroy a secret ID.",
        ),
        Path(
            base + "/secret-id-accessor/lookup",
            _ACCESSOR,
            {update: h.lookup_accessor},
            synopsis="Look up a secret ID by accessor.",
        ),
        Path(
            base + "/secret-id-accessor/destroy",
            _ACCESSOR,
            {update: h.destroy_accessor, delete: h.destroy_accessor},
            synopsis="Destroy a secret ID by accessor.",
        ),
        Path(
            base + "/custom-secret-id",
            {**_GENERATE, "secret_id": _SECRET["secret_id"]},
            {update: h.custom},
            synopsis="Register a secret ID of your choosing.",
        ),
        Path("tidy/secret-id", {}, {update: h.tidy}, synopsis="Remove expired secret IDs."),
    ]
