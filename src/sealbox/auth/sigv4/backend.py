"""``auth/sigv4``: access keys for the AWS door, each acting as a sealbox token.

Routes: ``keys/<name>`` (write: create the principal's key, or update its token and IAM
policies; read: no secrets; delete; list), ``session`` (mint short-lived credentials acting as
the caller's own token, expiring with it), and ``verify`` (for the AWS door, whose own token
must be allowed to update it, so a captured signature is never a way to get a key's token):
given a SigV4 claim, check it against the stored secret and answer the token to act as and the
day's signing key, so the door can check further requests of the same scope itself).

Identity choice (until the identity store lands): a key maps to an existing sealbox token and
carries its IAM identity policies; a later entity-based mapping can replace ``token`` by an
entity id without changing the door, which only consumes ``verify``'s answer.
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
from sealbox.logical import Operation, Request, Response, TxOp

_ACCESS = "access/"
_NAMES = "names/"
_SERVICE = "secretsmanager"

_KEY_FIELDS = {
    "name": FieldSchema(FieldType.STRING, "The principal's name (IAM user name)."),
    "token": FieldSchema(FieldType.STRING, "The sealbox token requests with this key act as."),
    "iam_policy": FieldSchema(
        FieldType.RAW, "IAM identity policy documents (JSON text or objects, one or a list)."
    ),
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
            if not d.get("token"):
                raise InvalidRequest("token is required: the sealbox token this key acts as")
            key = AccessKey(new_access_key_id("AKIA"), name, new_secret(), d.get("token"))
        if d.supplied("token") and d.get("token"):
            key.token = d.get("token")
        if d.supplied("iam_policy"):
            key.iam_policies = _policies(d.get("iam_policy"))
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
            data={"access_key_id": key.access_key_id, "name": key.name, "iam_policy": policies}
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
        return Response(
            data={
                "client_token": key.token,
                "signing_key": k_signing.hex(),
                "name": key.name,
                "kind": key.kind,
                "iam_policy": list(key.iam_policies),
                "expires": key.expires,
            }
        )


def sigv4_factory(config: BackendConfig) -> Backend:
    """A ``sigv4`` auth mount."""
    return SigV4AuthMethod(config)
