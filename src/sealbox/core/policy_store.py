"""Named ACL policies in the barrier, with compiled ACLs cached for the request path.

Mirrors OpenBao's policy_store.go: policies live at ``sys/policy/<name>``; ``root`` is
implicit and immutable; ``default`` is created at initialisation and may be edited but not
deleted. Building an ACL from a token's policy names happens on every request, so ACLs are
cached by the tuple of names and the cache is dropped whenever any policy changes.
"""

from __future__ import annotations

import orjson

from sealbox.core.policy import ACL, Policy, parse_policy
from sealbox.core.policy.builtin import DEFAULT_POLICY
from sealbox.errors import InvalidRequest
from sealbox.logical import Storage
from sealbox.logical.storage import list_recursive

_PREFIX = "sys/policy/"
ROOT = "root"
DEFAULT = "default"
RESPONSE_WRAPPING = "response-wrapping"
# compat: OpenBao's built-in, unlisted policy of wrapping tokens (policy_store.go).
_RESPONSE_WRAPPING_POLICY = """
path "cubbyhole/response" {
    capabilities = ["create", "read"]
}

path "sys/wrapping/unwrap" {
    capabilities = ["update"]
}
"""


class PolicyStore:
    """CRUD for policies plus the per-request ACL builder."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._policies: dict[str, Policy | None] = {}
        self._acls: dict[tuple[str, ...], ACL] = {}
        # Bumped by every invalidation: a read that overlapped one must not cache what it
        # read (an HA standby drops policies the active changed while reads are in flight).
        self._generation = 0

    async def setup_defaults(self) -> None:
        """Create the default policy when it does not exist yet."""
        if await self._storage.get(_PREFIX + DEFAULT) is None:
            await self.put(DEFAULT, DEFAULT_POLICY)

    async def get(self, name: str) -> Policy | None:
        """The parsed policy ``name``, or None."""
        name = name.lower()
        if name in self._policies:
            return self._policies[name]
        generation = self._generation
        if name == ROOT:
            policy: Policy | None = parse_policy(ROOT, "")
        elif name == RESPONSE_WRAPPING:
            policy = parse_policy(name, _RESPONSE_WRAPPING_POLICY)
        else:
            raw = await self._storage.get(_PREFIX + name)
            policy = None if raw is None else parse_policy(name, orjson.loads(raw)["policy"])
        if generation == self._generation:
            self._policies[name] = policy
        return policy

    async def exists(self, name: str) -> bool:
        """Whether a policy called ``name`` is stored (or built in)."""
        return await self.get(name) is not None

    async def put(self, name: str, text: str) -> Policy:
        """Parse and store a policy (400 on a parse error, nothing written)."""
        name = name.lower()
        if name in (ROOT, RESPONSE_WRAPPING):
            # compat: OpenBao quotes the name here (policy_store.go SetPolicy).
            raise InvalidRequest(f'cannot update "{name}" policy')
        policy = parse_policy(name, text)
        await self._storage.put(_PREFIX + name, orjson.dumps({"name": name, "policy": text}))
        self._invalidate()
        return policy

    async def raw(self, name: str) -> str | None:
        """The policy text exactly as written."""
        stored = await self._storage.get(_PREFIX + name.lower())
        return None if stored is None else str(orjson.loads(stored)["policy"])

    async def delete(self, name: str) -> None:
        """Delete a policy; root and default cannot be deleted."""
        name = name.lower()
        if name in (ROOT, RESPONSE_WRAPPING):
            # compat: OpenBao quotes these names but not "default" (policy_store.go).
            raise InvalidRequest(f'cannot delete "{name}" policy')
        if name == DEFAULT:
            raise InvalidRequest(f"cannot delete {name} policy")
        await self._storage.delete(_PREFIX + name)
        self._invalidate()

    async def names(self) -> list[str]:
        """Every policy name, root included, sorted; names with ``/`` are listed too.

        compat: OpenBao accepts ``a/b`` as a policy name and lists it (policy_store.go lists
        its view recursively), so an admin can always find a policy that is in use.
        """
        stored = await list_recursive(self._storage, _PREFIX)
        return sorted({*stored, ROOT})

    async def acl(self, names: list[str] | tuple[str, ...]) -> ACL:
        """The ACL for a token's policies (unknown names are ignored, as in Vault)."""
        key = tuple(sorted(set(names)))
        acl = self._acls.get(key)
        if acl is None:
            generation = self._generation
            policies = [p for p in [await self.get(n) for n in key] if p is not None]
            acl = ACL(policies)
            if generation == self._generation:
                self._acls[key] = acl
        return acl

    def invalidate(self) -> None:
        """Forget every parsed policy and compiled ACL (another node changed one)."""
        self._invalidate()

    def _invalidate(self) -> None:
        self._generation += 1
        self._policies.clear()
        self._acls.clear()
