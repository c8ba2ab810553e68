"""As whom a call's KV requests go: sealbox ACL and GCP IAM, combined as a union.

A caller may do what either of them allows:

- **ACL**: the caller's own sealbox token goes with every KV request, so its Vault policies
  decide as they do for the Vault door (``kv.py`` lists the capabilities per method). A root
  token is therefore the project's owner.
- **IAM**: when the bindings of the project's policy (``auth/<gcpsa>/iam-policy/<project>``,
  served as Cloud Resource Manager's ``projects.getIamPolicy``/``setIamPolicy``) or of the
  secret's own policy give one of the caller's members (``principal.py``) a role holding the
  method's permission, the door first checks that the caller's token is still valid (a fresh
  ``lookup-self`` as the caller, which is also the audit log's record of who asked), then sends
  the method's KV requests with the door's own token (dev mode: root; a configured listener:
  ``token_file``). So a service account bound as ``secretAccessor`` on one secret reads that
  secret through this door and nothing through any door, though its token holds no policy.

IAM is checked first, from policies read with the door's token; when it does not grant, the
caller's token goes and the core's ACL answers, so a caller allowed neither way gets the
core's PERMISSION_DENIED, which reads the same for missing and existing secrets. A door
without a token (or one that cannot read) evaluates no IAM: ACL alone decides.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from sealbox.api.facades.gcp import iam
from sealbox.api.facades.gcp.context import DoorConfig
from sealbox.api.facades.gcp.errors import GcpError, Unauthenticated
from sealbox.api.facades.gcp.kv import CoreDoor, KVClient
from sealbox.api.facades.gcp.names import SecretName
from sealbox.api.facades.gcp.principal import Principal, Principals
from sealbox.errors import SealboxError
from sealbox.logical import Operation, Request

log = logging.getLogger("sealbox.gcp")


class Authorizer:
    """IAM evaluation for one door, and the choice of token for each call."""

    def __init__(
        self,
        core: CoreDoor,
        config: DoorConfig,
        principals: Principals,
        door_token: Callable[[], str],
    ) -> None:
        self._core = core
        self._config = config
        self._principals = principals
        self._door_token = door_token
        self._project_path = f"{config.auth_mount}iam-policy/{config.project_id}"

    async def project_bindings(self, address: str) -> list[dict[str, Any]]:
        token = self._door_token()
        if not token:
            return []
        req = Request(
            operation=Operation.READ,
            path=self._project_path,
            client_token=token,
            client_address=address,
        )
        try:
            response = await self._core.handle(req)
        except SealboxError as err:  # no gcpsa mount, or a door token that may not read it
            log.debug("no project IAM policy (%s)", type(err).__name__)
            return []
        policy = (response.data or {}).get("policy") or {}
        return list(policy.get("bindings") or [])

    async def secret_bindings(self, secret: SecretName, address: str) -> list[dict[str, Any]]:
        token = self._door_token()
        if not token:
            return []
        kv = KVClient(self._core, self._config.mount, token, address)
        try:
            found = await kv.read(secret.key)
        except GcpError as err:
            log.warning("the GCP door cannot read IAM policies (%s)", err.status)
            return []
        if found is None:
            return []
        return list((found[0].gcp.get("iam") or {}).get("bindings") or [])

    async def granted(
        self, principal: Principal, secret: SecretName | None, resource: str, address: str
    ) -> set[str]:
        """The permissions IAM gives ``principal`` on ``resource`` (the secret's or project's)."""
        if principal.root:
            return set(iam.ALL_PERMISSIONS)
        if not principal.known or not principal.members:
            return set()
        bindings = await self.project_bindings(address)
        if secret is not None:
            bindings += await self.secret_bindings(secret, address)
        held = iam.granted(bindings, principal.members, resource)
        if secret is None:
            held &= set(iam.PROJECT_PERMISSIONS)
        return held

    async def kv_token(
        self,
        principal: Principal,
        permission: str,
        secret: SecretName | None,
        resource: str,
        address: str,
    ) -> str:
        """The token the call's KV requests carry: the caller's, or the door's for IAM grants."""
        if principal.root or not principal.known or not permission:
            return principal.token
        if permission not in await self.granted(principal, secret, resource, address):
            return principal.token
        if await self._principals.lookup(principal.token, address) is None:
            raise Unauthenticated("Request had invalid authentication credentials.")
        return self._door_token() or principal.token


class CallPermissions:
    """What ``testIamPermissions`` needs: the IAM part of a caller's permissions."""

    def __init__(self, authz: Authorizer, principal: Principal, address: str) -> None:
        self._authz = authz
        self.principal = principal
        self._address = address

    @property
    def known(self) -> bool:
        return self.principal.known

    async def held(
        self, secret: SecretName | None, resource: str, asked: Iterable[str]
    ) -> set[str]:
        granted = await self._authz.granted(self.principal, secret, resource, self._address)
        return {p for p in asked if p in granted}
