"""The token store: creation, lookup, use counting, renewal and revocation of tokens.

Mirrors OpenBao's internal/vault/token_store.go (with the token half of expiration.go):

* tokens are stored only as salted HMAC-SHA256 hashes, with an accessor index and a
  parent -> children index (layout and entry cache: ``index.py``);
* expiry is lazy: an expired token is refused (and revoked with its children) when it is
  looked up, and ``tidy`` sweeps the rest;
* ``use`` counts ``num_uses``. The core calls it after the request ran, so the request that
  spends the last use still succeeds; the token (and its children, e.g. one created by that
  very request) is revoked right then, as OpenBao's deferred ``tokenRevocationPending``
  revocation does;
* revocation runs ``on_revoke`` hooks (the core destroys the token's cubbyhole there), children
  first.

This store is not shared between processes: a standby node must call ``invalidate`` when
storage changed under it.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sealbox.core.tokens.entry import new_accessor, new_token_id, random_base62
from sealbox.core.tokens.index import TokenIndex
from sealbox.core.tokens.roles import RoleStore
from sealbox.core.tokens.ttl import TTLLimits, calculate_ttl
from sealbox.errors import InvalidRequest
from sealbox.logical import Storage
from sealbox.logical.tokens import REVOCATION_PENDING, TokenEntry

Clock = Callable[[], datetime]
RevokeHook = Callable[[TokenEntry], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RenewTerms:
    """What the issuing auth method allows a renewal (Vault's AuthRenew response)."""

    limits: TTLLimits
    ttl: int = 0
    period: int = 0
    explicit_max_ttl: int = 0


#: Asked before a token is renewed; None = the token store's own rules (auth/token tokens).
RenewHook = Callable[[TokenEntry], Awaitable[RenewTerms | None]]

_DEFAULT_TTL = 768 * 3600


_ENTRY_PREFIX = "id/"  # index.py's layout: entries by salted hash
_INDEX_PREFIXES = ("accessor/", "parent/", "roles/")  # read through, never cached here


def _utcnow() -> datetime:
    return datetime.now(UTC)


class TokenStore:
    """Tokens of one server, over the storage view the core gives it (``sys/token/``)."""

    def __init__(
        self,
        storage: Storage,
        clock: Clock = _utcnow,
        max_lease_ttl: int = _DEFAULT_TTL,
        default_lease_ttl: int = _DEFAULT_TTL,
    ) -> None:
        self.clock = clock
        self.limits = TTLLimits(default_ttl=default_lease_ttl, max_ttl=max_lease_ttl)
        self.on_revoke: list[RevokeHook] = []
        self.renew_hook: RenewHook | None = None
        self.roles = RoleStore(storage)
        self._index = TokenIndex(storage)

    def __repr__(self) -> str:
        return f"TokenStore({self._index!r})"

    def now(self) -> datetime:
        """The store's clock."""
        return self.clock()

    def invalidate(self) -> None:
        """Forget every cached entry and the salt (storage changed underneath)."""
        self._index.invalidate()

    def invalidate_key(self, key: str) -> None:
        """Another node changed ``key`` of this store's storage: forget what it feeds."""
        if key.startswith(_ENTRY_PREFIX):
            self._index.forget(key[len(_ENTRY_PREFIX) :])
        elif not key.startswith(_INDEX_PREFIXES):
            self._index.invalidate()  # the salt, or a layout this store does not cache by key

    async def hash_token(self, token: str) -> str:
        """The salted hash under which ``token`` is stored."""
        return await self._index.hash_token(token)

    def _usable(self, entry: TokenEntry | None) -> bool:
        return (
            entry is not None
            and entry.num_uses != REVOCATION_PENDING
            and not entry.expired(self.now())
        )

    async def _checked(self, entry: TokenEntry | None) -> TokenEntry | None:
        """``entry`` if it may still be used; an expired one is revoked on the way."""
        if entry is None or entry.num_uses == REVOCATION_PENDING:
            return None
        if entry.expired(self.now()):
            await self.revoke(entry)
            return None
        return entry

    # ---- create --------------------------------------------------------------------

    async def create(
        self,
        *,
        policies: Iterable[str],
        ttl: int = 0,
        explicit_max_ttl: int = 0,
        period: int = 0,
        num_uses: int = 0,
        meta: dict[str, str] | None = None,
        display_name: str = "token",
        renewable: bool = True,
        parent: TokenEntry | None,
        orphan: bool = False,
        path: str = "auth/token/create",
        entity_id: str = "",
        role: str = "",
        token_id: str | None = None,
        bound_cidrs: Iterable[str] = (),
    ) -> tuple[str, TokenEntry]:
        """Issue a token; returns the raw token (shown once) and its entry.

        TTLs follow OpenBao's create: a root token without TTL or period never expires (and is
        then not renewable); any other token gets ``ttl`` or the default, capped by the max
        TTL and ``explicit_max_ttl``; a periodic token gets its period.
        """
        policy_list = tuple(policies)
        if num_uses < 0:
            raise InvalidRequest("number of uses cannot be negative")
        if token_id is not None and not token_id:
            raise InvalidRequest("token ID cannot be empty")
        token = new_token_id() if token_id is None else token_id
        id_hash = await self.hash_token(token)
        if await self._index.exists(id_hash):
            raise InvalidRequest("cannot create a token with a duplicate ID")
        now = self.now()
        granted = ttl
        if period > 0 or ttl > 0 or "root" not in policy_list:
            granted, _ = calculate_ttl(
                self.limits,
                start=now,
                now=now,
                ttl=ttl,
                period=period,
                explicit_max_ttl=explicit_max_ttl,
            )
        if granted == 0 and explicit_max_ttl > 0:
            granted = explicit_max_ttl
        if granted == 0:
            if parent is not None and parent.expire_time is not None:
                raise InvalidRequest("expiring root tokens cannot create non-expiring root tokens")
            renewable = False
        is_orphan = orphan or parent is None
        entry = TokenEntry(
            id_hash=id_hash,
            accessor=new_accessor(),
            policies=policy_list,
            creation_time=now,
            path=path,
            meta=dict(meta) if meta else None,
            display_name=display_name,
            num_uses=num_uses,
            ttl=granted,
            explicit_max_ttl=explicit_max_ttl,
            period=period,
            renewable=renewable,
            orphan=is_orphan,
            parent="" if is_orphan or parent is None else parent.id_hash,
            cubbyhole_id=random_base62(24),
            entity_id=entity_id,
            role=role,
            expire_time=now + timedelta(seconds=granted) if granted else None,
            lease_ttl=granted,
            bound_cidrs=tuple(bound_cidrs),
        )
        await self._index.insert(entry)
        return token, entry

    async def create_root_token(
        self,
        token_id: str | None = None,
        *,
        display_name: str = "root",
        path: str = "auth/token/root",
    ) -> str:
        """A non-expiring orphan token with the ``root`` policy (init, generate-root, dev)."""
        token, _ = await self.create(
            policies=["root"],
            parent=None,
            orphan=True,
            renewable=False,
            display_name=display_name,
            path=path,
            token_id=token_id,
        )
        return token

    # ---- lookup and use ------------------------------------------------------------

    async def lookup(self, token: str) -> TokenEntry | None:
        """The entry of ``token``; None when unknown, expired, used up or being revoked."""
        if not token:
            return None
        return await self._checked(await self._index.load(await self.hash_token(token)))

    async def lookup_hash(self, id_hash: str) -> TokenEntry | None:
        """Like ``lookup``, by stored hash (for the parent of a token, say)."""
        return await self._checked(await self._index.load(id_hash))

    async def lookup_accessor(self, accessor: str) -> TokenEntry | None:
        """The entry behind ``accessor``; None when unknown, expired or used up."""
        id_hash = await self._index.accessor_target(accessor)
        return None if id_hash is None else await self.lookup_hash(id_hash)

    async def use(self, token: str, entry: TokenEntry) -> TokenEntry:
        """Spend one use of a use-limited token; revoke it when that was the last one."""
        if not hmac.compare_digest(await self.hash_token(token), entry.id_hash):
            raise InvalidRequest("token does not match its entry")
        if entry.num_uses <= 0:
            return entry
        current = await self._index.load(entry.id_hash)
        if current is None or current.num_uses == REVOCATION_PENDING:
            return replace(entry, num_uses=REVOCATION_PENDING)
        if current.num_uses > 1:
            updated = replace(current, num_uses=current.num_uses - 1)
            await self._index.save(updated)
            return updated
        spent = replace(current, num_uses=REVOCATION_PENDING)
        await self._index.save(spent)
        await self.revoke(spent)
        return spent

    # ---- renew ---------------------------------------------------------------------

    async def renew(self, entry: TokenEntry, increment: int = 0) -> TokenEntry:
        """Extend the token's lease (OpenBao's authRenew + expiration RenewToken)."""
        current = await self.lookup_hash(entry.id_hash)
        if current is None:
            raise InvalidRequest("token not found")
        if not current.renewable or current.expire_time is None:
            raise InvalidRequest("lease is not renewable")
        period, explicit_max = current.period, current.explicit_max_ttl
        role = await self.roles.read(current.role) if current.role else None
        if role is not None:
            if role.token_period > 0:
                period = role.token_period
            if role.token_explicit_max_ttl > 0 and (
                explicit_max == 0 or role.token_explicit_max_ttl < explicit_max
            ):
                explicit_max = role.token_explicit_max_ttl
        limits, ttl = self.limits, current.lease_ttl
        terms = None if self.renew_hook is None else await self.renew_hook(current)
        if terms is not None:
            limits, ttl = terms.limits, terms.ttl
            period, explicit_max = terms.period, terms.explicit_max_ttl or explicit_max
        now = self.now()
        granted, _ = calculate_ttl(
            limits,
            start=current.creation_time,
            now=now,
            increment=max(increment, 0),
            ttl=ttl,
            period=period,
            explicit_max_ttl=explicit_max,
        )
        updated = replace(
            current,
            lease_ttl=granted,
            expire_time=now + timedelta(seconds=granted),
            last_renewal=now,
        )
        await self._index.save(updated)
        return updated

    # ---- revoke --------------------------------------------------------------------

    async def _resolve(self, token_or_entry: str | TokenEntry) -> TokenEntry | None:
        if isinstance(token_or_entry, TokenEntry):
            return await self._index.load(token_or_entry.id_hash)
        if not token_or_entry:
            return None
        return await self._index.load(await self.hash_token(token_or_entry))

    async def _destroy(self, entry: TokenEntry) -> None:
        for hook in self.on_revoke:
            await hook(entry)
        await self._index.remove(entry)

    async def revoke(self, token_or_entry: str | TokenEntry) -> bool:
        """Revoke a token and all its descendants (children first); False if unknown."""
        root = await self._resolve(token_or_entry)
        if root is None:
            return False
        order: list[TokenEntry] = []
        stack = [root]
        seen: set[str] = set()
        while stack:
            entry = stack.pop()
            if entry.id_hash in seen:
                continue
            seen.add(entry.id_hash)
            order.append(entry)
            for child_hash in await self._index.children(entry.id_hash):
                child = await self._index.load(child_hash)
                if child is not None:
                    stack.append(child)
        for entry in reversed(order):
            await self._destroy(entry)
        return True

    async def revoke_orphan(self, token_or_entry: str | TokenEntry) -> bool:
        """Revoke only this token; its children become orphans. False if unknown."""
        entry = await self._resolve(token_or_entry)
        if entry is None:
            return False
        for child_hash in await self._index.children(entry.id_hash):
            child = await self._index.load(child_hash)
            if child is not None:
                await self._index.save(replace(child, parent="", orphan=True))
        await self._destroy(entry)
        return True

    async def revoke_accessor(self, accessor: str) -> bool:
        """Revoke the token behind ``accessor`` and its children; False if unknown."""
        id_hash = await self._index.accessor_target(accessor)
        entry = None if id_hash is None else await self._index.load(id_hash)
        return entry is not None and await self.revoke(entry)

    async def list_accessors(self) -> list[str]:
        """Accessors of every stored token."""
        return [accessor for _, accessor, _ in await self._index.accessor_records()]

    async def tidy(self) -> int:
        """Revoke expired, spent and parentless tokens; drop dangling indexes. Returns count."""
        revoked = 0
        for id_hash in await self._index.ids():
            entry = await self._index.load(id_hash)
            if entry is None:
                continue
            parent_gone = bool(entry.parent) and await self._index.load(entry.parent) is None
            if not self._usable(entry) or parent_gone:
                revoked += int(await self.revoke(entry))
        for key, _, id_hash in await self._index.accessor_records():
            if await self._index.load(id_hash) is None:
                await self._index.drop_accessor_record(key)
        for parent_hash in await self._index.parents():
            for child in await self._index.children(parent_hash):
                if await self._index.load(child) is None:
                    await self._index.drop_child(parent_hash, child)
        return revoked
