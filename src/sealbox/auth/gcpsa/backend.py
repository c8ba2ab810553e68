"""``auth/gcpsa``: service accounts with key files, logins by signed JWT, and project IAM policy.

Routes:

- ``config``: ``token_uri`` written into key files (the GCP door's ``/token``; dev mode sets it)
  and their ``project_id``.
- ``service-accounts/<email>``: the account's token settings (``token_policies``,
  ``token_ttl``) and ``disabled``; deleting it deletes its keys.
- ``service-accounts/<email>/keys``: a write creates a key and answers ``key_file``, the JSON key
  file (its private key is generated here, returned once and never stored); a list gives the
  key ids; ``keys/<id>`` reads the public part or deletes the key.
- ``login`` (unauthenticated; the signature is the credential): ``assertion``, an RS256 JWT
  signed by one of the keys (header ``kid``) and issued by its account, answers a login as the
  entity alias named like the account's email, so the core links it to an entity (created the
  first time, as for every auth method) and issues a token carrying it. The GCP door turns the
  JWT bearer grant of its token endpoint and self-signed JWT bearer tokens into this login.
- ``iam-policy/<project>``: the project's IAM policy (``{version, bindings, etag}``), which the
  GCP door serves as Cloud Resource Manager's ``projects.getIamPolicy``/``setIamPolicy`` and
  evaluates together with each secret's own policy. A write with an ``etag`` other than the
  current one fails as a check-and-set mismatch (the door's ABORTED).
"""

from __future__ import annotations

import re
import secrets
from typing import Any

import orjson

from sealbox.auth.gcpsa.etags import EMPTY_ETAG, fresh_etag
from sealbox.auth.gcpsa.keys import ServiceAccountKey, key_file, key_id_of, new_key_pair, verify
from sealbox.errors import CheckAndSetMismatch, InvalidCredentials, InvalidRequest
from sealbox.framework import Backend, BackendConfig, FieldData, FieldSchema, FieldType, Path
from sealbox.framework.path import segment
from sealbox.logical import Alias, Auth, Operation, Request, Response, TxOp

_CONFIG = "config"
_ACCOUNT = "sa/"
_KEY = "key/"
_INDEX = "sa-keys/"
_IAM = "iam/"
DEFAULT_TOKEN_TTL = 3600
_EMAIL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*@[A-Za-z0-9][A-Za-z0-9.-]*")
_DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token"

_ACCOUNT_FIELDS = {
    "email": FieldSchema(FieldType.STRING, "The service account's email."),
    "token_policies": FieldSchema(
        FieldType.COMMA_STRING_LIST, "ACL policies of the tokens the account's logins get."
    ),
    "token_ttl": FieldSchema(FieldType.DURATION, "Lifetime of those tokens (an hour when unset)."),
    "disabled": FieldSchema(FieldType.BOOL, "Refuse the account's logins."),
}
_KEY_FIELDS = {
    "email": FieldSchema(FieldType.STRING, "The service account's email."),
    "key_id": FieldSchema(FieldType.STRING, "The key's id (private_key_id in the key file)."),
}
_CONFIG_FIELDS = {
    "token_uri": FieldSchema(FieldType.STRING, "token_uri of new key files (the door's /token)."),
    "project_id": FieldSchema(FieldType.STRING, "project_id of new key files."),
}
_LOGIN_FIELDS = {
    "assertion": FieldSchema(FieldType.STRING, "An RS256 JWT signed by a service-account key."),
}
_IAM_FIELDS = {
    "project": FieldSchema(FieldType.STRING, "The project ID."),
    "policy": FieldSchema(FieldType.MAP, "The IAM policy: {version, bindings, etag}."),
}


def _email(value: str) -> str:
    if not _EMAIL.fullmatch(value or ""):
        raise InvalidRequest("the service account must be named by its email")
    return value


class GcpServiceAccountAuthMethod(Backend):
    """Service-account keys, JWT logins and the project IAM policy for the GCP door."""

    backend_type = "gcpsa"
    unauthenticated_paths = ("login",)

    def __init__(self, config: BackendConfig) -> None:
        super().__init__(config)
        ops = Operation
        account = "service-accounts/" + segment("email")
        self.paths = [
            Path(
                "config",
                _CONFIG_FIELDS,
                {ops.READ: self.read_config, ops.UPDATE: self.write_config},
                synopsis="token_uri and project_id written into new key files.",
            ),
            Path("service-accounts/?", {}, {ops.LIST: self.list_accounts}, synopsis="Accounts."),
            Path(
                account + "/keys/?",
                _KEY_FIELDS,
                {
                    ops.LIST: self.list_keys,
                    ops.CREATE: self.create_key,
                    ops.UPDATE: self.create_key,
                },
                synopsis="Create a key (answers the JSON key file, once) or list key ids.",
            ),
            Path(
                account + "/keys/" + segment("key_id"),
                _KEY_FIELDS,
                {ops.READ: self.read_key, ops.DELETE: self.delete_key},
                synopsis="A key's public part; delete to revoke it.",
            ),
            Path(
                account,
                _ACCOUNT_FIELDS,
                {
                    ops.READ: self.read_account,
                    ops.CREATE: self.write_account,
                    ops.UPDATE: self.write_account,
                    ops.DELETE: self.delete_account,
                },
                existence_check=self.account_exists,
                synopsis="A service account's token settings.",
            ),
            Path(
                "login",
                _LOGIN_FIELDS,
                {ops.UPDATE: self.login},
                synopsis="Log in with a JWT signed by a service-account key.",
            ),
            Path(
                "iam-policy/" + segment("project"),
                _IAM_FIELDS,
                {ops.READ: self.read_iam, ops.UPDATE: self.write_iam, ops.CREATE: self.write_iam},
                synopsis="The project's IAM policy (the GCP door evaluates it).",
            ),
        ]

    # ---- storage -------------------------------------------------------------------

    async def _json(self, key: str) -> dict[str, Any] | None:
        raw = await self.config.storage.get(key)
        return None if raw is None else dict(orjson.loads(raw))

    async def _account(self, email: str) -> dict[str, Any] | None:
        return await self._json(_ACCOUNT + email)

    async def _key(self, key_id: str) -> ServiceAccountKey | None:
        if not key_id or "/" in key_id:
            return None
        raw = await self._json(_KEY + key_id)
        return None if raw is None else ServiceAccountKey.from_json(raw)

    # ---- config --------------------------------------------------------------------

    async def read_config(self, req: Request, d: FieldData) -> Response:
        """GET /auth/gcpsa/config."""
        del req, d
        stored = await self._json(_CONFIG) or {}
        return Response(
            data={
                "token_uri": stored.get("token_uri", _DEFAULT_TOKEN_URI),
                "project_id": stored.get("project_id", ""),
            }
        )

    async def write_config(self, req: Request, d: FieldData) -> None:
        """POST /auth/gcpsa/config."""
        del req
        stored = await self._json(_CONFIG) or {}
        for name in ("token_uri", "project_id"):
            if d.supplied(name):
                stored[name] = str(d.get(name) or "")
        await self.config.storage.put(_CONFIG, orjson.dumps(stored))

    # ---- accounts ------------------------------------------------------------------

    async def account_exists(self, req: Request, d: FieldData) -> bool:
        del req
        return await self._account(d.get("email")) is not None

    async def write_account(self, req: Request, d: FieldData) -> None:
        """POST /auth/gcpsa/service-accounts/:email."""
        del req
        email = _email(d.get("email"))
        account = await self._account(email) or _new_account(email)
        if d.supplied("token_policies"):
            account["token_policies"] = list(d.get("token_policies"))
        if d.supplied("token_ttl"):
            account["token_ttl"] = int(d.get("token_ttl"))
        if d.supplied("disabled"):
            account["disabled"] = bool(d.get("disabled"))
        await self.config.storage.put(_ACCOUNT + email, orjson.dumps(account))

    async def read_account(self, req: Request, d: FieldData) -> Response | None:
        """GET /auth/gcpsa/service-accounts/:email."""
        del req
        account = await self._account(d.get("email"))
        if account is None:
            return None
        keys = await self.config.storage.list(f"{_INDEX}{account['email']}/")
        return Response(data={**account, "key_ids": keys})

    async def delete_account(self, req: Request, d: FieldData) -> None:
        """DELETE /auth/gcpsa/service-accounts/:email (and every key of it)."""
        del req
        email = d.get("email")
        ops = [TxOp(_ACCOUNT + email, None)]
        for key_id in await self.config.storage.list(f"{_INDEX}{email}/"):
            ops += [TxOp(_KEY + key_id, None), TxOp(f"{_INDEX}{email}/{key_id}", None)]
        await self.config.storage.transaction(ops)

    async def list_accounts(self, req: Request, d: FieldData) -> Response | None:
        """LIST /auth/gcpsa/service-accounts."""
        del req, d
        names = await self.config.storage.list(_ACCOUNT)
        return Response(data={"keys": names}) if names else None

    # ---- keys ----------------------------------------------------------------------

    async def create_key(self, req: Request, d: FieldData) -> Response:
        """POST /auth/gcpsa/service-accounts/:email/keys. The key file (shown once)."""
        del req
        email = _email(d.get("email"))
        account = await self._account(email)
        ops = []
        if account is None:
            account = _new_account(email)
            ops.append(TxOp(_ACCOUNT + email, orjson.dumps(account)))
        record, private_pem = new_key_pair(email)
        ops += [
            TxOp(_KEY + record.key_id, orjson.dumps(record.to_json())),
            TxOp(f"{_INDEX}{email}/{record.key_id}", b"1"),
        ]
        await self.config.storage.transaction(ops)
        config = await self._json(_CONFIG) or {}
        project = str(config.get("project_id") or email.partition("@")[2].split(".")[0])
        document = key_file(
            record,
            private_pem,
            project,
            str(account["client_id"]),
            str(config.get("token_uri") or _DEFAULT_TOKEN_URI),
        )
        return Response(data={"key_id": record.key_id, "key_file": document})

    async def list_keys(self, req: Request, d: FieldData) -> Response | None:
        """LIST /auth/gcpsa/service-accounts/:email/keys."""
        del req
        keys = await self.config.storage.list(f"{_INDEX}{d.get('email')}/")
        return Response(data={"keys": keys}) if keys else None

    async def read_key(self, req: Request, d: FieldData) -> Response | None:
        """GET /auth/gcpsa/service-accounts/:email/keys/:key_id (the public part)."""
        del req
        record = await self._key(d.get("key_id"))
        if record is None or record.email != d.get("email"):
            return None
        return Response(data=record.public_info())

    async def delete_key(self, req: Request, d: FieldData) -> None:
        """DELETE /auth/gcpsa/service-accounts/:email/keys/:key_id."""
        del req
        email, key_id = d.get("email"), d.get("key_id")
        record = await self._key(key_id)
        if record is None or record.email != email:
            return
        await self.config.storage.transaction(
            [TxOp(_KEY + key_id, None), TxOp(f"{_INDEX}{email}/{key_id}", None)]
        )

    # ---- login ---------------------------------------------------------------------

    async def login(self, req: Request, d: FieldData) -> Response:
        """POST /auth/gcpsa/login. A token for a JWT signed by a known, enabled key."""
        del req
        assertion = str(d.get("assertion") or "")
        record = await self._key(key_id_of(assertion))
        if record is None or record.disabled:
            raise InvalidCredentials("invalid JWT")
        claims = verify(assertion, record)
        account = await self._account(record.email)
        if account is None or account.get("disabled"):
            raise InvalidCredentials("invalid JWT")
        auth = Auth(
            policies=list(account.get("token_policies") or []),
            display_name=record.email,
            ttl=int(account.get("token_ttl") or DEFAULT_TOKEN_TTL),
            metadata={"service_account": record.email, "key_id": record.key_id},
            alias=Alias(name=record.email),
        )
        data = {"service_account": record.email, "expires": int(claims["exp"])}
        return Response(data=data, auth=auth)

    # ---- project IAM policy --------------------------------------------------------

    async def read_iam(self, req: Request, d: FieldData) -> Response:
        """GET /auth/gcpsa/iam-policy/:project (empty policies have only an etag)."""
        del req
        stored = await self._json(_IAM + d.get("project"))
        return Response(data={"policy": stored or {"etag": EMPTY_ETAG}})

    async def write_iam(self, req: Request, d: FieldData) -> Response:
        """POST /auth/gcpsa/iam-policy/:project {policy}: replace it (etag checked when given)."""
        del req
        project = d.get("project")
        policy = d.get("policy")
        bindings = policy.get("bindings") or []
        if not isinstance(bindings, list) or not all(isinstance(b, dict) for b in bindings):
            raise InvalidRequest("policy.bindings must be a list of bindings")
        current = (await self._json(_IAM + project) or {}).get("etag", EMPTY_ETAG)
        given = policy.get("etag")
        if given and given != current:
            raise CheckAndSetMismatch()
        stored = {
            "version": int(policy.get("version") or 1),
            "bindings": bindings,
            "etag": fresh_etag(),
        }
        await self.config.storage.put(_IAM + project, orjson.dumps(stored))
        return Response(data={"policy": stored})


def _new_account(email: str) -> dict[str, Any]:
    client_id = str(secrets.randbelow(9 * 10**20) + 10**20)  # 21 digits, like GCP's
    return {"email": email, "client_id": client_id, "token_policies": [], "token_ttl": 0}


def gcpsa_factory(config: BackendConfig) -> Backend:
    """A ``gcpsa`` auth mount."""
    return GcpServiceAccountAuthMethod(config)
