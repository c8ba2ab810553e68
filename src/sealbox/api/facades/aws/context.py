"""One AWS call: the caller, its region, the KV client, and the door's authorization step.

Authorization is two locks, both required: the sealbox token's ACL on the KV mount (checked by
the core on every request the door sends) and IAM evaluation here, of the key's identity
policies and the secret's resource policy, with the request's condition keys (reference §4).
A key without IAM policies is governed by its token's ACL alone, except that an explicit Deny
in a secret's resource policy still applies.
"""

from __future__ import annotations

import hashlib
import string
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sealbox.api.facades.aws.arn import parse_secret_id, secret_arn
from sealbox.api.facades.aws.credentials import Identity
from sealbox.api.facades.aws.errors import AccessDenied, InvalidRequestError, ResourceNotFound
from sealbox.api.facades.aws.iam import Decision, Principal, denial_message, evaluate_policies
from sealbox.api.facades.aws.kvclient import KVClient
from sealbox.api.facades.aws.model import NANOS, SecretView

_B62 = string.ascii_letters + string.digits


@dataclass(frozen=True, slots=True)
class DoorConfig:
    """The door's settings (from ``listener "aws"`` in the server configuration)."""

    mount: str = "secret/"
    account_id: str = "123456789012"
    auth_mount: str = "auth/sigv4/"
    #: Where KmsKeyId names Transit keys (kms.py).
    transit_mount: str = "transit/"
    secure_transport: bool = False
    #: Rotation functions the operator registers: function name -> command line.
    rotation_commands: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: ... or a webhook URL receiving the event as a POST.
    rotation_webhooks: dict[str, str] = field(default_factory=dict)
    #: The door's own token (dev mode: root), or a file holding it (``token_file``): the door
    #: checks signatures with it (auth/sigv4/verify needs update capability, so no network
    #: client can turn a captured signature into a token) and scheduled rotations act as it.
    token: str = field(default="", repr=False)
    token_file: str = ""

    def door_token(self) -> str:
        """The token, read from ``token_file`` each time (it may be written after start-up)."""
        if self.token or not self.token_file:
            return self.token
        try:
            with open(self.token_file, encoding="utf-8") as handle:
                return handle.read().strip()
        except OSError:
            return ""


def derived_suffix(name: str, created_time: int) -> str:
    """A stable ARN suffix for a key a Vault client created (the door never described it)."""
    digest = hashlib.sha256(f"{name}\x00{created_time}".encode()).digest()
    return "".join(_B62[b % 62] for b in digest[:6])


@dataclass(slots=True)
class Call:
    """Everything an operation handler needs."""

    operation: str
    params: dict[str, Any]
    identity: Identity
    region: str
    address: str
    kv: KVClient
    config: DoorConfig
    started: float = field(default_factory=time.time)
    #: The AwsAPI serving the call (rotation needs its runner).
    api: Any = None

    @property
    def principal(self) -> Principal:
        account = self.config.account_id
        return Principal(self.identity.principal_arn(account), account)

    def arn(self, view: SecretView) -> str:
        suffix = view.aws.get("suffix") or derived_suffix(view.name, view.created_time)
        region = view.aws.get("region") or self.region
        return secret_arn(region, self.config.account_id, view.name, suffix)

    async def find(
        self, secret_id: str, action: str, *, with_data: bool = False
    ) -> tuple[SecretView, Any]:
        """The secret a SecretId names; ResourceNotFoundException when there is none.

        For a missing secret the caller must still be allowed ``action`` on the ARN it named,
        so the answer does not tell an unauthorised caller which secrets exist.
        """
        ref = parse_secret_id(secret_id)
        if ref.account and ref.account != self.config.account_id:
            raise ResourceNotFound()
        for name, suffix in ref.candidates():
            found = await self.kv.read(name, with_data=with_data)
            if found is None:
                continue
            view, data = found
            if suffix and self.arn(view).rsplit("-", 1)[1] != suffix:
                continue
            if not view.is_aws and not view.versions:
                continue  # metadata without any version: not a secret yet
            return view, data
        guess = (
            secret_id
            if ref.account
            else secret_arn(self.region, self.config.account_id, ref.name, "").rstrip("-")
        )
        self.authorize(action, None, resource=guess)
        raise ResourceNotFound()

    def materialise(self, view: SecretView) -> None:
        """Give a key a Vault client made its AWS identity (ARN suffix, region, dates)."""
        if view.is_aws:
            return
        view.aws.setdefault("suffix", derived_suffix(view.name, view.created_time))
        view.aws.setdefault("region", self.region)
        view.aws.setdefault("created", view.created_time / NANOS)

    def require_not_deleted(self, view: SecretView) -> None:
        if view.deleted_date is not None:
            raise InvalidRequestError(
                "You can't perform this operation on the secret because it was marked for deletion."
            )

    def context(self, view: SecretView | None, extra: dict[str, Any]) -> dict[str, list[str]]:
        """The condition keys of this request (lower-cased names, list values)."""
        now = datetime.fromtimestamp(self.started, tz=UTC)
        who = self.principal
        ctx: dict[str, list[str]] = {
            "aws:requestedregion": [self.region],
            "aws:sourceip": [self.address] if self.address else [],
            "aws:principalarn": [who.arn],
            "aws:principalaccount": [who.account],
            "aws:username": [self.identity.name],
            "aws:userid": [self.identity.entity_id or self.identity.access_key_id],
            "aws:securetransport": ["true" if self.config.secure_transport else "false"],
            "aws:currenttime": [now.strftime("%Y-%m-%dT%H:%M:%SZ")],
            "aws:epochtime": [str(int(self.started))],
        }
        if view is not None:
            ctx["secretsmanager:secretid"] = [self.arn(view)]
            for tag in view.aws.get("tags", []):
                for prefix in ("secretsmanager:resourcetag/", "aws:resourcetag/"):
                    ctx[prefix + str(tag["Key"]).lower()] = [str(tag.get("Value", ""))]
        for key, value in extra.items():
            if value is None:
                continue
            values = value if isinstance(value, list) else [value]
            ctx[key.lower()] = [
                ("true" if v else "false") if isinstance(v, bool) else str(v) for v in values
            ]
        return ctx

    def authorize(
        self,
        action: str,
        view: SecretView | None,
        extra: dict[str, Any] | None = None,
        *,
        resource: str = "",
    ) -> None:
        """Raise AccessDeniedException unless IAM lets the caller do ``action`` here."""
        policy = view.aws.get("policy") if view is not None else None
        if not self.identity.policies and not policy:
            return
        resource = resource or (self.arn(view) if view is not None else "*")
        full = "secretsmanager:" + action
        identity_docs: list[str | dict[str, Any]] = list(self.identity.policies) or [_ALLOW_ALL]
        decision = evaluate_policies(
            identity_docs,
            policy,
            self.principal,
            full,
            resource,
            self.context(view, extra or {}),
        )
        if decision is not Decision.ALLOW:
            raise AccessDenied(denial_message(self.principal, full, resource, decision))


# A key without IAM policies: the token's ACL decides (explicit Denies still apply).
_ALLOW_ALL = '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
