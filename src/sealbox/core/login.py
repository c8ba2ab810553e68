"""Turning an auth method's login answer into a real token, and renewing such tokens.

An auth method's login handler returns ``Response(auth=Auth(...))`` with the token it asks for
(policies, TTLs, metadata, display name, alias) and no ``client_token``. The pipeline hands
that to ``LoginService.complete``, which does what OpenBao's request_handling.go
``handleLoginRequest`` does after the backend answered:

* links the alias to an entity (creating both on first login) and the group aliases to
  external groups, when the identity store is mounted; a disabled entity may not log in;
* prefixes the display name with the mount (``userpass-alice``);
* computes the TTL with the mount's default and max (``framework.CalculateTTL``), capped by
  the method's ``max_ttl`` and ``explicit_max_ttl``;
* issues an orphan service token whose path is the login path, adds ``default`` unless asked
  not to, and reports identity policies beside the token's own.

Renewal: the token store asks ``renew_terms`` first. For a token issued by a login it routes to
the issuing mount and calls the method's ``renew_auth`` (Vault's AuthRenew), which may refuse
(user deleted, policies changed) and returns the TTL terms; tokens of ``auth/token`` keep the
store's own rules.
"""

from __future__ import annotations

from sealbox.core.identity import identity_store
from sealbox.core.mount_table import MountTable
from sealbox.core.router import Route
from sealbox.core.tokens import RenewTerms, TokenStore, TTLLimits, calculate_ttl
from sealbox.errors import InternalError, InvalidRequest, PermissionDenied, SealboxError
from sealbox.framework.tokenutil import address_allowed, sanitize_policies
from sealbox.logical import Alias, Auth, Operation, Request, Response
from sealbox.logical.tokens import TokenEntry

_TOKEN_MOUNT = "auth/token/"


def _display_name(mount_point: str, name: str) -> str:
    # compat: request_handling.go prepends the mount path (slashes as dashes) and trims "-".
    source = mount_point.removeprefix("auth/").replace("/", "-")
    return (source + name).removesuffix("-")


def _token_policies(auth: Auth) -> list[str]:
    policies = set(sanitize_policies(auth.policies))
    if not auth.no_default_policy:
        policies.add("default")
    if "root" in policies:
        # compat: a login never grants root (request_handling.go refuses it with a 400).
        raise InvalidRequest("auth methods cannot create root tokens")
    return sorted(policies)


def usable_from(entry: TokenEntry | None, address: str) -> TokenEntry | None:
    """``entry`` unless it is bound to CIDRs that ``address`` is outside of (then None).

    compat: OpenBao refuses a token used from outside its ``token_bound_cidrs`` as if it did
    not exist (403 permission denied), in CheckToken.
    """
    if entry is None or not entry.bound_cidrs:
        return entry
    return entry if address_allowed(address, entry.bound_cidrs) else None


class LoginService:
    """The core's login step over the token store and the mount table.

    It installs itself as the token store's renewal hook, and answers the pipeline's two
    per-request questions: may this token be used from here (``usable_from``), and which
    policies does it carry including its entity's (``policies_of``).
    """

    def __init__(self, tokens: TokenStore, mounts: MountTable) -> None:
        self._tokens = tokens
        self._mounts = mounts
        tokens.renew_hook = self.renew_terms

    usable_from = staticmethod(usable_from)

    async def policies_for(self, entity_id: str) -> list[str]:
        """The identity policies of ``entity_id`` (none without the identity store)."""
        store = identity_store(self._mounts.router) if entity_id else None
        return [] if store is None else await store.policies_for(entity_id)

    async def entity_for_alias(self, name: str) -> str:
        """The entity of alias ``name`` on ``auth/token/`` (created on first use)."""
        store = identity_store(self._mounts.router)
        mount = self._mounts.find("token", "auth")
        if store is None or mount is None:
            return ""
        entity = await store.login_entity(
            mount.accessor, _TOKEN_MOUNT, "token", Auth(alias=Alias(name=name))
        )
        return entity.id

    async def policies_of(self, entry: TokenEntry) -> tuple[str, ...]:
        """``entry.policies`` plus its entity's identity policies, checked at request time.

        compat: OpenBao adds identity policies in CheckToken, so a change to an entity or a
        group applies to tokens already issued.
        """
        extra = await self.policies_for(entry.entity_id)
        if not extra:
            return entry.policies
        return entry.policies + tuple(p for p in extra if p not in entry.policies)

    def _mount_limits(self, route: Route) -> TTLLimits:
        """The mount's TTLs as tuned now (the mount table, not the backend's start-up copy)."""
        tuned, system = route.entry.config, self._mounts.config
        return TTLLimits(
            default_ttl=tuned.default_lease_ttl or system.default_lease_ttl,
            max_ttl=tuned.max_lease_ttl or system.max_lease_ttl,
        )

    async def complete(self, req: Request, route: Route, response: Response) -> Response:
        """Issue the token a login handler asked for in ``response.auth``."""
        auth = response.auth
        # The token backend answers with auth blocks of its own (renew-accessor has no token).
        if auth is None or auth.client_token or route.entry.type == "token":
            return response
        if auth.bound_cidrs and not address_allowed(req.client_address, auth.bound_cidrs):
            raise PermissionDenied()
        entity_id, identity_policies = "", []
        store = identity_store(self._mounts.router)
        if store is not None and auth.alias is not None:
            entity = await store.login_entity(
                route.entry.accessor, route.mount_path, route.entry.type, auth
            )
            if entity.disabled:
                raise PermissionDenied()
            entity_id = entity.id
            identity_policies = await store.policies_for(entity_id)
        mount = self._mount_limits(route)
        limits = TTLLimits(
            default_ttl=mount.default_ttl,
            max_ttl=min(auth.max_ttl, mount.max_ttl) if auth.max_ttl else mount.max_ttl,
        )
        now = self._tokens.now()
        ttl, warnings = calculate_ttl(
            limits,
            start=now,
            now=now,
            ttl=auth.ttl,
            period=auth.period,
            explicit_max_ttl=auth.explicit_max_ttl,
        )
        policies = _token_policies(auth)
        token, entry = await self._tokens.create(
            policies=policies,
            ttl=ttl,
            explicit_max_ttl=auth.explicit_max_ttl,
            period=auth.period,
            num_uses=auth.num_uses,
            meta=dict(auth.metadata) if auth.metadata else None,
            display_name=_display_name(req.mount_point, auth.display_name),
            renewable=auth.renewable,
            parent=None,
            orphan=True,
            path=req.mount_point + req.path,
            entity_id=entity_id,
            bound_cidrs=auth.bound_cidrs,
        )
        auth.client_token = token
        auth.accessor = entry.accessor
        auth.token_policies = list(policies)
        auth.identity_policies = identity_policies
        auth.policies = sorted({*policies, *identity_policies})
        auth.lease_duration = entry.lease_ttl
        auth.renewable = entry.renewable
        auth.entity_id = entity_id
        auth.orphan = True
        auth.token_type = "service"
        auth.num_uses = entry.num_uses
        response.warnings.extend(warnings)
        return response

    async def renew_terms(self, entry: TokenEntry) -> RenewTerms | None:
        """Ask the auth method that issued ``entry`` whether and how it may be renewed."""
        if not entry.path.startswith("auth/") or entry.path.startswith(_TOKEN_MOUNT):
            return None
        matched = self._mounts.router.match(entry.path)
        if matched is None:
            # compat: the mount is gone, so nothing can vouch for the token any more.
            raise InvalidRequest("no handler for route; auth method was disabled")
        route, relative = matched
        req = Request(
            operation=Operation.UPDATE,
            path=relative,
            mount_point=route.mount_path,
            mount_type=route.entry.type,
            mount_accessor=route.entry.accessor,
            storage=self._mounts.view_for(route),
            token_entry=entry,
        )
        prefix = _display_name(route.mount_path, "")
        current = Auth(
            policies=list(entry.policies),
            token_policies=list(entry.policies),
            metadata=dict(entry.meta or {}),
            display_name=entry.display_name.removeprefix(prefix + "-"),
            entity_id=entry.entity_id,
        )
        try:
            terms = await route.backend.renew_auth(req, current)
        except SealboxError as err:
            # compat: expiration.go wraps the method's refusal ("failed to renew entry: ...")
            raise InternalError(f"failed to renew entry: {err.public_message}") from err
        mount = self._mount_limits(route)
        max_ttl = mount.max_ttl
        if terms.max_ttl and terms.max_ttl < max_ttl:
            max_ttl = terms.max_ttl
        return RenewTerms(
            limits=TTLLimits(default_ttl=mount.default_ttl, max_ttl=max_ttl),
            ttl=terms.ttl,
            period=terms.period,
            explicit_max_ttl=terms.explicit_max_ttl,
        )
