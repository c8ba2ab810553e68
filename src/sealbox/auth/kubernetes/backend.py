"""The ``kubernetes`` auth method: pods log in with their service-account JWT.

Mirrors vault-plugin-auth-kubernetes (path_login.go): the role decides which service accounts
in which namespaces may log in; the JWT is read (and its signature checked when ``pem_keys``
are configured), its service account checked against the role, and then always confirmed by a
TokenReview call to the configured API server. The token carries ``role``,
``service_account_name``, ``service_account_namespace``, ``service_account_secret_name`` and
``service_account_uid``; the entity alias is the service account's uid (or ``<ns>/<name>``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sealbox.auth.kubernetes.claims import service_account
from sealbox.auth.kubernetes.config import (
    CONFIG_FIELDS,
    config_from,
    load_config,
    parse_pem_key,
    save_config,
)
from sealbox.auth.kubernetes.review import check_review, review
from sealbox.auth.kubernetes.roles import ROLE_FIELDS, KubeRole, updated_role
from sealbox.auth.kubernetes.selector import namespace_labels, parse_selector, selects
from sealbox.auth.roles import RoleStore, role_paths
from sealbox.errors import InternalError, InvalidRequest, PermissionDenied
from sealbox.framework import Backend, BackendConfig, FieldData, FieldSchema, FieldType, Path
from sealbox.framework.tokenutil import address_allowed, renew_terms
from sealbox.logical import Alias, Auth, Operation, Request, Response

_LOGIN = {
    "role": FieldSchema(FieldType.STRING, "Role to log in with."),
    "jwt": FieldSchema(FieldType.STRING, "The service account's JWT."),
}


def _utcnow() -> datetime:
    return datetime.now(UTC)


class KubernetesAuthMethod(Backend):
    """Service-account JWT logins confirmed by TokenReview."""

    backend_type = "kubernetes"
    unauthenticated_paths = ("login",)

    def __init__(self, config: BackendConfig, clock: Callable[[], datetime] = _utcnow) -> None:
        super().__init__(config)
        self.clock = clock
        self.roles = RoleStore(config.storage, KubeRole)
        ops = Operation
        self.paths = [
            Path(
                "config",
                CONFIG_FIELDS,
                {ops.READ: self.read_config, ops.UPDATE: self.write_config},
                synopsis="Configure the Kubernetes API server to check JWTs with.",
            ),
            *role_paths(
                self.roles,
                ROLE_FIELDS,
                updated_role,
                synopsis="Manage roles binding service accounts to policies.",
            ),
            Path("login", _LOGIN, {ops.UPDATE: self.login}, synopsis="Log in with a JWT."),
        ]

    # ---- config and roles ----------------------------------------------------------

    async def read_config(self, req: Request, d: FieldData) -> Response | None:
        """GET /auth/kubernetes/config."""
        del d
        config = await load_config(req.view)
        return None if config is None else Response(data=config.to_wire())

    async def write_config(self, req: Request, d: FieldData) -> None:
        """POST /auth/kubernetes/config."""
        await save_config(req.view, config_from(d))

    # ---- login ---------------------------------------------------------------------

    async def login(self, req: Request, d: FieldData) -> Response:
        """POST /auth/kubernetes/login {role, jwt}."""
        role_name, token = d.get("role").strip(), d.get("jwt").strip()
        if not role_name:
            raise InvalidRequest("missing role")
        if not token:
            raise InvalidRequest("missing jwt")
        role = await self.roles.get(role_name)
        if role is None:
            raise InvalidRequest(f'invalid role name "{role_name}"')
        if not address_allowed(req.client_address, role.token.token_bound_cidrs):
            raise PermissionDenied()
        config = await load_config(req.view)
        if config is None:
            raise InternalError("could not load backend configuration")
        issuer = (
            "" if config.disable_iss_validation else (config.issuer or "kubernetes/serviceaccount")
        )
        account = service_account(
            token,
            keys=[parse_pem_key(k) for k in config.pem_keys],
            audience=role.audience,
            issuer=issuer,
            now=self.clock(),
        )
        name_ok, namespace_ok = role.allows(account.name, account.namespace)
        if not name_ok:
            raise PermissionDenied("service account name not authorized")
        if not namespace_ok and role.bound_service_account_namespace_selector:
            labels = await namespace_labels(
                config.kubernetes_host,
                config.ca_pem(),
                config.reviewer_jwt() or token,
                account.namespace,
            )
            namespace_ok = selects(
                parse_selector(role.bound_service_account_namespace_selector), labels
            )
        if not namespace_ok:
            raise PermissionDenied("namespace not authorized")
        audiences = [role.audience] if role.audience else list(account.audiences)
        status = await review(
            config.kubernetes_host,
            config.ca_pem(),
            config.reviewer_jwt() or token,
            token,
            audiences,
        )
        check_review(status, account, audiences)
        metadata = {
            "role": role_name,
            "service_account_name": account.name,
            "service_account_namespace": account.namespace,
            "service_account_secret_name": account.secret_name,
            "service_account_uid": account.uid,
        }
        alias = account.uid
        if role.alias_name_source == "serviceaccount_name":
            alias = f"{account.namespace}/{account.name}"
        auth = Auth(
            metadata=metadata,
            display_name=f"{account.namespace}-{account.name}",
            alias=Alias(name=alias, metadata=dict(metadata)),
        )
        return Response(auth=role.token.apply(auth))

    async def renew_auth(self, req: Request, auth: Auth) -> Auth:
        """Renew while the role exists with the same policies; its TTLs apply again."""
        del req
        name = (auth.metadata or {}).get("role", "")
        role = await self.roles.get(name) if name else None
        if role is None:
            raise InvalidRequest(f'role "{name}" does not exist')
        return renew_terms(role.token, auth)


def kubernetes_factory(config: BackendConfig) -> Backend:
    """Build a Kubernetes auth mount (registered in ``core/plugins.py``)."""
    return KubernetesAuthMethod(config)
