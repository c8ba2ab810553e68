"""``auth/sigv4``: access keys for the AWS door, bound to sealbox identities.

Routes: ``keys/<name>`` (write: create the principal's key, or update it; read: no secrets;
delete; list), ``iam-policy/<name>`` (named IAM policy documents, attached to entities and
groups by their metadata), ``session`` (short-lived credentials acting as the caller's own
token, expiring with it), and ``verify`` (for the AWS door, whose own token must be allowed to
update it, so a captured signature is never a way to get a key's token): given a SigV4 claim,
check it against the stored secret and answer the day's signing key, so the door can check
further requests of the same scope itself, and what the key acts as.

Identity: a key created without ``token`` belongs to the entity alias named like the key on
this mount (or the alias it names: an entity has one alias per mount, so its keys share it).
``verify`` with ``login=true`` then answers a login (``Auth`` with that alias), so
the core links the alias to its entity, creating both the first time as for any auth method,
and issues a token carrying the entity (its groups' and its own ACL policies apply). To give a
key to an existing entity, create the entity alias first (``identity/entity-alias`` with this
mount's accessor), as for any other auth method. Keys given a ``token``
(the form before identities existed) act as that token.
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from typing import Any

import orjson

from sealbox.auth.sigv4.keys import AccessKey, new_access_key_id, new_secret, signing_key
from sealbox.errors import InvalidRequest, NotFound, PermissionDenied
from sealbox.framework import Backend, BackendConfig, FieldData, FieldSchema, FieldType, Path
from sealbox.framework.path import segment
from sealbox.logical import Alias, Auth, Operation, Request, Response, TxOp

_ACCESS = "access/"
_NAMES = "names/"
_IAM = "iam-policy/"
#: Tokens of identity-bound keys live an hour unless the key says otherwise; the door logs in
#: again shortly before one ends.
DEFAULT_TOKEN_TTL = 3600
MIN_TOKEN_TTL = 300
_SERVICE = "secretsmanager"

_KEY_FIELDS = {
    "name": FieldSchema(FieldType.STRING, "The principal's name (IAM user name)."),
    "token": FieldSchema(
        FieldType.STRING,
        "A sealbox token the key acts as; without one the key logs in as its entity alias.",
    ),
    "iam_policy": FieldSchema(
        FieldType.RAW, "IAM inline policy documents (JSON text or objects, one or a list)."
    ),
    "token_policies": FieldSchema(
        FieldType.COMMA_STRING_LIST, "ACL policies of the tokens an identity-bound key gets."
    ),
    "token_ttl": FieldSchema(FieldType.DURATION, "Lifetime of those tokens (an hour when unset)."),
    "alias": FieldSchema(
        FieldType.STRING,
        "The entity alias on this mount an identity-bound key logs in as (default: the key's "
        "name); an entity's several keys name the same alias.",
    ),
}
_IAM_FIELDS = {
    "name": FieldSchema(FieldType.STRING, "The IAM policy's name."),
    "document": FieldSchema(FieldType.RAW, "The IAM policy document (JSON text or object)."),
}
_SESSION_FIELDS = {
    "ttl": FieldSchema(FieldType.DURATION, "Lifetime; at most the calling token's."),
}
_VERIFY_FIELDS = {
    "access_key_id": FieldSchema(FieldType.STRING, "The key id of the SigV4 credential."),
    "date": FieldSchema(FieldType.STRING, "The credential scope's date (yyyymmdd)."),
    "region": FieldSchema(FieldType.STRING, "The credential scope's region."),
    "string_to_sign": FieldSchema(FieldType.STRING, "The string the client signed."),
    "signature": FieldSchema(FieldType.STRING, "The hex signature the client sent."),
    "session_token": FieldSchema(FieldType.STRING, "X-Amz-Security-Token, if any."),
    "login": FieldSchema(
        FieldType.BOOL, "For an identity-bound key: also log in (answer a token for it)."
    ),
}


def _policies(raw: Any) -> list[str]:
    """IAM documents as canonical JSON text; rejects anything that is not a JSON object."""
    items = raw if isinstance(raw, list) else [raw]
    out: list[str] = []
    for item in items:
        try:
            doc = json.loads(item) if isinstance(item, str) else item
        except ValueError as err:
            raise InvalidRequest("iam_policy is not valid JSON") from err
        if not isinstance(doc, dict) or "Statement" not in doc:
            raise InvalidRequest("iam_policy must be an IAM policy document with a Statement")
        out.append(orjson.dumps(doc).decode())
    return out


class SigV4AuthMethod(Backend):
    """Access keys and SigV4 verification for the AWS door."""

    backend_type = "sigv4"

    def __init__(self, config: BackendConfig) -> None:
        super().__init__(config)
        self.paths = [
            Path(
                "keys/?",
                operations={Operation.LIST: self.list_keys},
                synopsis="List principals with access keys.",
            ),
            Path(
                "keys/" + segment("name"),
                fields=_KEY_FIELDS,
                operations={
                    Operation.CREATE: self.write_key,
                    Operation.UPDATE: self.write_key,
                    Operation.READ: self.read_key,
                    Operation.DELETE: self.delete_key,
                },
                existence_check=self.key_exists,
                synopsis="A principal's access key, the token it acts as and its IAM policies.",
            ),
            Path(
                "iam-policy/?",
                operations={Operation.LIST: self.list_iam},
                synopsis="List named IAM policies.",
            ),
            Path(
                "iam-policy/" + segment("name"),
                fields=_IAM_FIELDS,
                operations={
                    Operation.CREATE: self.write_iam,
                    Operation.UPDATE: self.write_iam,
                    Operation.READ: self.read_iam,
                    Operation.DELETE: self.delete_iam,
                },
                synopsis="A named IAM policy; entities and groups attach it by name in their "
                "metadata (aws_iam_policies = comma-separated names).",
            ),
            Path(
                "session",
                fields=_SESSION_FIELDS,
                operations={Operation.UPDATE: self.create_session},
                synopsis="Short-lived AWS credentials acting as the calling token.",
            ),
            Path(
                "verify",
                fields=_VERIFY_FIELDS,
                operations={Operation.UPDATE: self.verify},
                synopsis="Check a SigV4 signature (used by the AWS door).",
            ),
        ]

    #: Expired session credentials are removed by this sweep (the core calls ``periodic``).
    periodic_interval: float = 300.0

    async def periodic(self) -> None:
        """Forget session credentials whose time is over."""
        now = time.time()
        for access_key_id in await self.config.storage.list(_ACCESS):
            key = await self._load(access_key_id)
            if key is not None and key.kind == "session" and key.expires <= now:
                await self.config.storage.delete(_ACCESS + access_key_id)

    async def _load(self, access_key_id: str) -> AccessKey | None:
        if not access_key_id or "/" in access_key_id:
            return None
        raw = await self.config.storage.get(_ACCESS + access_key_id)
        return None if raw is None else AccessKey.from_json(orjson.loads(raw))

    async def _by_name(self, name: str) -> AccessKey | None:
        raw = await self.config.storage.get(_NAMES + name)
        return None if raw is None else await self._load(raw.decode())

    async def key_exists(self, req: Request, d: FieldData) -> bool:
        del req
        return await self._by_name(d.get("name")) is not None

    async def write_key(self, req: Request, d: FieldData) -> Response:
        """POST /auth/sigv4/keys/:name. Create the key (secret shown once) or update it."""
        del req
        name: str = d.get("name")
        key = await self._by_name(name)
        created = key is None
        if key is None:
            key = AccessKey(new_access_key_id("AKIA"), name, new_secret(), d.get("token") or "")
        elif d.supplied("token"):
            key.token = d.get("token") or ""  # "": from now on the key acts as its identity
        if d.supplied("iam_policy"):
            key.iam_policies = _policies(d.get("iam_policy"))
        if d.supplied("token_policies"):
            key.token_policies = list(d.get("token_policies"))
        if d.supplied("token_ttl"):
            ttl = int(d.get("token_ttl"))
            if 0 < ttl < MIN_TOKEN_TTL:
                # The door reuses a login until two minutes before it ends, a minute at a time.
                raise InvalidRequest(f"token_ttl must be at least {MIN_TOKEN_TTL} seconds")
            key.token_ttl = ttl
        if d.supplied("alias"):
            key.alias = d.get("alias") or ""
        await self.config.storage.transaction(
            [
                TxOp(_ACCESS + key.access_key_id, orjson.dumps(key.to_json())),
                TxOp(_NAMES + name, key.access_key_id.encode()),
            ]
        )
        data: dict[str, Any] = {"access_key_id": key.access_key_id, "name": name}
        if created:
            data["secret_access_key"] = key.secret
        return Response(data=data)

    async def read_key(self, req: Request, d: FieldData) -> Response | None:
        """GET /auth/sigv4/keys/:name. The key id and policies (never the secret)."""
        del req
        key = await self._by_name(d.get("name"))
        if key is None:
            return None
        policies = [json.loads(p) for p in key.iam_policies]
        return Response(
            data={
                "access_key_id": key.access_key_id,
                "name": key.name,
                "iam_policy": policies,
                "identity_bound": key.identity_bound,
                "token_policies": list(key.token_policies),
                "token_ttl": key.token_ttl,
                "alias": key.alias or key.name,
            }
        )

    async def delete_key(self, req: Request, d: FieldData) -> None:
        """DELETE /auth/sigv4/keys/:name."""
        del req
        name: str = d.get("name")
        key = await self._by_name(name)
        ops = [TxOp(_NAMES + name, None)]
        if key is not None:
            ops.append(TxOp(_ACCESS + key.access_key_id, None))
        await self.config.storage.transaction(ops)

    async def list_keys(self, req: Request, d: FieldData) -> Response | None:
        """LIST /auth/sigv4/keys."""
        del req, d
        names = await self.config.storage.list(_NAMES)
        return Response(data={"keys": names}) if names else None

    async def write_iam(self, req: Request, d: FieldData) -> Response | None:
        """POST /auth/sigv4/iam-policy/:name."""
        del req
        if d.get("document") is None:
            raise InvalidRequest("document is required: an IAM policy document")
        documents = _policies(d.get("document"))
        if len(documents) != 1:
            raise InvalidRequest("document must be one IAM policy document")
        await self.config.storage.put(_IAM + d.get("name"), documents[0].encode())
        return None

    async def read_iam(self, req: Request, d: FieldData) -> Response | None:
        """GET /auth/sigv4/iam-policy/:name."""
        del req
        raw = await self.config.storage.get(_IAM + d.get("name"))
        if raw is None:
            return None
        return Response(data={"name": d.get("name"), "document": json.loads(raw)})

    async def delete_iam(self, req: Request, d: FieldData) -> None:
        """DELETE /auth/sigv4/iam-policy/:name."""
        del req
        await self.config.storage.delete(_IAM + d.get("name"))

    async def list_iam(self, req: Request, d: FieldData) -> Response | None:
        """LIST /auth/sigv4/iam-policy."""
        del req, d
        names = await self.config.storage.list(_IAM)
        return Response(data={"keys": names}) if names else None

    async def create_session(self, req: Request, d: FieldData) -> Response:
        """POST /auth/sigv4/session. Credentials that act as the caller's token until it expires."""
        entry = req.token_entry
        if entry is None or not req.client_token:
            raise PermissionDenied()
        now = time.time()
        expire_time = getattr(entry, "expire_time", None)
        expires = expire_time.timestamp() if expire_time is not None else 0.0
        ttl: int = d.get("ttl")
        if ttl > 0:
            expires = min(expires, now + ttl) if expires else now + ttl
        if not expires:
            expires = now + 12 * 3600  # compat: STS's default session length
        key = AccessKey(
            new_access_key_id("ASIA"),
            getattr(entry, "display_name", "token") or "token",
            new_secret(),
            req.client_token,
            kind="session",
            session_token=secrets.token_urlsafe(48),
            expires=expires,
            entity_id=str(getattr(entry, "entity_id", "") or ""),
        )
        await self.config.storage.put(_ACCESS + key.access_key_id, orjson.dumps(key.to_json()))
        return Response(
            data={
                "access_key_id": key.access_key_id,
                "secret_access_key": key.secret,
                "session_token": key.session_token,
                "expiration": int(expires),
            }
        )

    async def verify(self, req: Request, d: FieldData) -> Response:
        """POST /auth/sigv4/verify. NotFound: unknown key; InvalidRequest: bad signature."""
        del req
        key = await self._load(d.get("access_key_id"))
        sent_session: str = d.get("session_token")
        if key is None or not hmac.compare_digest(key.session_token, sent_session):
            raise NotFound("The security token included in the request is invalid.")
        k_signing = signing_key(key.secret, d.get("date"), d.get("region"), _SERVICE)
        expected = hmac.new(k_signing, d.get("string_to_sign").encode(), "sha256").hexdigest()
        if not hmac.compare_digest(expected, d.get("signature")):
            raise InvalidRequest("signature mismatch")
        # An expired session still verifies: the door answers ExpiredTokenException for it.
        data = {
            "client_token": key.token,
            "signing_key": k_signing.hex(),
            "name": key.name,
            "kind": key.kind,
            "iam_policy": list(key.iam_policies),
            "expires": key.expires,
            "identity_bound": key.identity_bound,
            "entity_id": key.entity_id,
        }
        if not (key.identity_bound and d.get("login")):
            return Response(data=data)
        # The core completes this login: alias -> entity, and a token carrying the entity.
        auth = Auth(
            policies=list(key.token_policies),
            display_name=key.name,
            ttl=key.token_ttl or DEFAULT_TOKEN_TTL,
            metadata={"access_key_id": key.access_key_id},
            alias=Alias(name=key.alias or key.name),
        )
        return Response(data=data, auth=auth)


def sigv4_factory(config: BackendConfig) -> Backend:
    """A ``sigv4`` auth mount."""
    return SigV4AuthMethod(config)
