"""The identity store: persistence and in-memory indexes of entities and groups.

Mirrors OpenBao's identity_store_util.go (MemDB indexes over storage): every entity and group
is one storage record (``entity/<id>``, ``group/<id>``); names, aliases and memberships are
indexed in memory, rebuilt from storage on load, so a login's alias lookup and the per-request
identity-policy lookup cost no storage reads. One node only: a standby must reload.

Logins (``login_entity``) find the entity of (mount accessor, alias name), creating the entity
and alias on first login with OpenBao's ``entity_<8 hex>`` name, and replace the entity's
membership of external groups with the groups whose aliases the login reported.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from sealbox.core.identity.model import (
    Alias,
    Entity,
    Group,
    decode_entity,
    decode_group,
    encode,
    new_id,
)
from sealbox.errors import InvalidRequest
from sealbox.logical import Auth, Storage

_ENTITY = "entity/"
_GROUP = "group/"

#: mount accessor -> (mount path, mount type), or None when no such auth mount exists.
MountResolver = Callable[[str], tuple[str, str] | None]


def _now() -> datetime:
    return datetime.now(UTC)


class IdentityStore:
    """Entities and groups of one server, over the ``identity/`` mount's storage view."""

    def __init__(self, storage: Storage, resolve_mount: MountResolver) -> None:
        self._storage = storage
        self.resolve_mount = resolve_mount
        self.entities: dict[str, Entity] = {}
        self.groups: dict[str, Group] = {}
        self._entity_names: dict[str, str] = {}
        self._group_names: dict[str, str] = {}
        self._aliases: dict[tuple[str, str], str] = {}  # (accessor, name) -> entity id
        self._alias_ids: dict[str, str] = {}  # alias id -> entity id
        self._group_aliases: dict[tuple[str, str], str] = {}  # (accessor, name) -> group id
        self._policy_cache: dict[str, list[str]] = {}
        # What each entity was indexed under, so a save can drop exactly those entries.
        self._indexed: dict[str, tuple[str, list[tuple[str, str]], list[str]]] = {}
        self._lock = asyncio.Lock()

    async def load(self) -> None:
        """Read every record and rebuild the indexes (swapped in at once: an HA standby
        reloads while it answers requests, which must never see half a store)."""
        entities: dict[str, Entity] = {}
        groups: dict[str, Group] = {}
        for key in await self._storage.list(_ENTITY):
            blob = await self._storage.get(_ENTITY + key)
            if blob is not None:
                entity = decode_entity(blob)
                entities[entity.id] = entity
        for key in await self._storage.list(_GROUP):
            blob = await self._storage.get(_GROUP + key)
            if blob is not None:
                group = decode_group(blob)
                groups[group.id] = group
        self.entities, self.groups = entities, groups
        self._reindex()

    def _reindex(self) -> None:
        self._entity_names, self._aliases, self._alias_ids, self._indexed = {}, {}, {}, {}
        for entity in self.entities.values():
            self._index_entity(entity)
        self._reindex_groups()

    def _reindex_groups(self) -> None:
        # Groups are few next to entities; a group change may move any entity's policies.
        self._group_names = {g.name: g.id for g in self.groups.values()}
        self._group_aliases = {
            (g.alias.mount_accessor, g.alias.name): g.id
            for g in self.groups.values()
            if g.alias is not None
        }
        self._policy_cache.clear()

    def _drop_entity_entries(self, entity_id: str) -> None:
        name, alias_keys, alias_ids = self._indexed.pop(entity_id, ("", [], []))
        if self._entity_names.get(name) == entity_id:
            del self._entity_names[name]
        for key in alias_keys:
            if self._aliases.get(key) == entity_id:
                del self._aliases[key]
        for alias_id in alias_ids:
            if self._alias_ids.get(alias_id) == entity_id:
                del self._alias_ids[alias_id]

    def _index_entity(self, entity: Entity) -> None:
        self._entity_names[entity.name] = entity.id
        keys = [(a.mount_accessor, a.name) for a in entity.aliases]
        for key in keys:
            self._aliases[key] = entity.id
        for alias in entity.aliases:
            self._alias_ids[alias.id] = entity.id
        self._indexed[entity.id] = (entity.name, keys, [a.id for a in entity.aliases])

    # ---- entities ------------------------------------------------------------------

    def entity_by_name(self, name: str) -> Entity | None:
        """The entity called ``name``."""
        entity_id = self._entity_names.get(name)
        return None if entity_id is None else self.entities.get(entity_id)

    def entity_by_alias(self, accessor: str, name: str) -> Entity | None:
        """The entity owning the alias ``name`` on the mount ``accessor``."""
        entity_id = self._aliases.get((accessor, name))
        return None if entity_id is None else self.entities.get(entity_id)

    def alias_by_id(self, alias_id: str) -> tuple[Entity, Alias] | None:
        """The alias with ``alias_id`` and its entity."""
        entity = self.entities.get(self._alias_ids.get(alias_id, ""))
        if entity is None:
            return None
        alias = next((a for a in entity.aliases if a.id == alias_id), None)
        return None if alias is None else (entity, alias)

    async def save_entity(self, entity: Entity) -> None:
        """Persist ``entity`` (new or changed) and refresh the indexes."""
        other = self._entity_names.get(entity.name)
        if other is not None and other != entity.id:
            raise InvalidRequest("entity name is already in use")
        for alias in entity.aliases:
            owner = self._aliases.get((alias.mount_accessor, alias.name))
            if owner is not None and owner != entity.id:
                raise InvalidRequest(
                    "alias with combination of mount accessor and name already exists"
                )
        entity.last_update_time = _now()
        await self._storage.put(_ENTITY + entity.id, encode(entity))
        # The stored copy may be the very object being saved (handlers edit in place), so
        # drop every index entry pointing at this id before adding the current ones.
        self._drop_entity_entries(entity.id)
        self.entities[entity.id] = entity
        self._index_entity(entity)
        self._policy_cache.pop(entity.id, None)

    async def delete_entity(self, entity_id: str) -> bool:
        """Delete an entity, its aliases and its group memberships; False if unknown."""
        if entity_id not in self.entities:
            return False
        await self._storage.delete(_ENTITY + entity_id)
        self._drop_entity_entries(entity_id)
        del self.entities[entity_id]
        self._policy_cache.pop(entity_id, None)
        for group in list(self.groups.values()):
            if entity_id in group.member_entity_ids:
                group.member_entity_ids.remove(entity_id)
                await self.save_group(group)
        return True

    # ---- groups --------------------------------------------------------------------

    def group_by_name(self, name: str) -> Group | None:
        """The group called ``name``."""
        group_id = self._group_names.get(name)
        return None if group_id is None else self.groups.get(group_id)

    def group_by_alias(self, accessor: str, name: str) -> Group | None:
        """The external group whose alias is ``name`` on mount ``accessor``."""
        group_id = self._group_aliases.get((accessor, name))
        return None if group_id is None else self.groups.get(group_id)

    def group_alias_by_id(self, alias_id: str) -> Group | None:
        """The group whose alias has ``alias_id``."""
        return next(
            (g for g in self.groups.values() if g.alias is not None and g.alias.id == alias_id),
            None,
        )

    async def save_group(self, group: Group) -> None:
        """Persist ``group`` and refresh the indexes."""
        other = self._group_names.get(group.name)
        if other is not None and other != group.id:
            raise InvalidRequest("group name is already in use")
        group.last_update_time = _now()
        group.modify_index += 1
        await self._storage.put(_GROUP + group.id, encode(group))
        self.groups[group.id] = group
        self._reindex_groups()

    async def delete_group(self, group_id: str) -> bool:
        """Delete a group (and remove it from its parents); False if unknown."""
        group = self.groups.pop(group_id, None)
        if group is None:
            return False
        await self._storage.delete(_GROUP + group_id)
        for parent in list(self.groups.values()):
            if group_id in parent.member_group_ids:
                parent.member_group_ids.remove(group_id)
                await self.save_group(parent)
        self._reindex_groups()
        return True

    def direct_groups(self, entity_id: str) -> list[str]:
        """Ids of the groups that list ``entity_id`` as a member."""
        return sorted(g.id for g in self.groups.values() if entity_id in g.member_entity_ids)

    def parent_groups(self, group_id: str) -> list[str]:
        """Ids of the groups that list ``group_id`` as a member group."""
        return sorted(g.id for g in self.groups.values() if group_id in g.member_group_ids)

    def inherited_groups(self, entity_id: str) -> list[str]:
        """Ids of the ancestors of the entity's direct groups (not the direct ones)."""
        direct = self.direct_groups(entity_id)
        seen: set[str] = set(direct)
        stack = list(direct)
        inherited: set[str] = set()
        while stack:
            for parent in self.parent_groups(stack.pop()):
                if parent not in seen:
                    seen.add(parent)
                    inherited.add(parent)
                    stack.append(parent)
        return sorted(inherited)

    # ---- what the core asks ----------------------------------------------------------

    async def policies_for(self, entity_id: str) -> list[str]:
        """Identity policies of an entity: its own plus every group's, direct or inherited."""
        if not entity_id:
            return []
        cached = self._policy_cache.get(entity_id)
        if cached is not None:
            return cached
        entity = self.entities.get(entity_id)
        policies: set[str] = set()
        if entity is not None and not entity.disabled:
            policies.update(entity.policies)
            for group_id in [*self.direct_groups(entity_id), *self.inherited_groups(entity_id)]:
                policies.update(self.groups[group_id].policies)
        result = sorted(policies)
        self._policy_cache[entity_id] = result
        return result

    async def login_entity(
        self, accessor: str, mount_path: str, mount_type: str, auth: Auth
    ) -> Entity:
        """The entity behind a login's alias (created on first login); external groups synced."""
        if auth.alias is None:
            raise InvalidRequest("login has no alias")
        async with self._lock:
            entity = self.entity_by_alias(accessor, auth.alias.name)
            if entity is None:
                entity = await self._create_for_alias(accessor, mount_path, mount_type, auth)
            elif auth.alias.metadata:
                alias = next(
                    a
                    for a in entity.aliases
                    if (a.mount_accessor, a.name) == (accessor, auth.alias.name)
                )
                if alias.metadata != auth.alias.metadata:
                    alias.metadata = dict(auth.alias.metadata)
                    await self.save_entity(entity)
            await self._sync_external_groups(entity.id, accessor, auth)
            return entity

    async def _create_for_alias(
        self, accessor: str, mount_path: str, mount_type: str, auth: Auth
    ) -> Entity:
        assert auth.alias is not None  # noqa: S101 - checked by the caller
        entity_id = new_id()
        name = "entity_" + entity_id[:8]
        entity = Entity(id=entity_id, name=name)
        entity.aliases.append(
            Alias(
                id=new_id(),
                canonical_id=entity_id,
                name=auth.alias.name,
                mount_accessor=accessor,
                mount_path=mount_path,
                mount_type=mount_type,
                metadata=dict(auth.alias.metadata),
            )
        )
        await self.save_entity(entity)
        return entity

    async def _sync_external_groups(self, entity_id: str, accessor: str, auth: Auth) -> None:
        # compat: OpenBao's refreshExternalGroupMembershipsByEntityID: the login's group
        # aliases on this mount decide the entity's external groups of this mount.
        wanted = {
            group.id
            for alias in auth.group_aliases
            if (group := self.group_by_alias(accessor, alias.name)) is not None
        }
        for group in list(self.groups.values()):
            if group.type != "external" or group.alias is None:
                continue
            if group.alias.mount_accessor != accessor:
                continue
            member = entity_id in group.member_entity_ids
            if group.id in wanted and not member:
                group.member_entity_ids.append(entity_id)
                await self.save_group(group)
            elif group.id not in wanted and member:
                group.member_entity_ids.remove(entity_id)
                await self.save_group(group)
