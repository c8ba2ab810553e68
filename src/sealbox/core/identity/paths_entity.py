"""``identity/entity*`` and ``identity/entity-alias*``: CRUD of entities and their aliases.

Mirrors OpenBao's identity_store_entities.go and identity_store_aliases.go: a write to
``entity`` with an existing name updates that entity; creates answer ``{id, name}`` (entities)
or ``{id, canonical_id}`` (aliases); lists answer ``keys`` plus ``key_info``.
"""

from __future__ import annotations

from typing import Any

from sealbox.core.identity.by_id_or_name import ByIdOrName
from sealbox.core.identity.model import Alias, Entity, entity_wire, new_id
from sealbox.core.identity.store import IdentityStore
from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.framework.path import match_all
from sealbox.framework.tokenutil import sanitize_policies
from sealbox.logical import Operation, Request, Response

_ENTITY_FIELDS = {
    "id": FieldSchema(FieldType.STRING, "ID of the entity (update only)."),
    "name": FieldSchema(FieldType.STRING, "Name of the entity."),
    "metadata": FieldSchema(FieldType.KV_PAIRS, "Metadata of the entity."),
    "policies": FieldSchema(FieldType.COMMA_STRING_LIST, "Policies of the entity."),
    "disabled": FieldSchema(FieldType.BOOL, "Whether tokens of the entity are refused."),
}
_ALIAS_FIELDS = {
    "id": FieldSchema(FieldType.STRING, "ID of the alias (update only)."),
    "name": FieldSchema(FieldType.STRING, "Name of the alias (the auth method's user name)."),
    "canonical_id": FieldSchema(FieldType.STRING, "Entity the alias belongs to."),
    "mount_accessor": FieldSchema(FieldType.STRING, "Accessor of the auth mount."),
    "custom_metadata": FieldSchema(FieldType.KV_PAIRS, "Operator metadata of the alias."),
}


# compat: the alias keys LIST identity/entity/id shows in key_info (observed on bao 2.x)
_ALIAS_INFO_KEYS = ("id", "mount_accessor", "mount_path", "mount_type", "name")


class EntityHandlers(ByIdOrName[Entity]):
    """Handlers over one IdentityStore."""

    def __init__(self, store: IdentityStore) -> None:
        self.store = store

    def read(self, entity: Entity) -> Response:
        """The read shape of ``entity``."""
        store = self.store
        data = entity_wire(
            entity, store.direct_groups(entity.id), store.inherited_groups(entity.id)
        )
        return Response(data=data)

    def _get(self, item_id: str) -> Entity | None:
        return self.store.entities.get(item_id)

    def _named(self, name: str) -> Entity | None:
        return self.store.entity_by_name(name)

    async def _remove(self, item_id: str) -> None:
        await self.store.delete_entity(item_id)

    def _all(self) -> list[Entity]:
        return list(self.store.entities.values())

    def _apply(self, entity: Entity, d: FieldData) -> None:
        if d.supplied("name") and d.get("name"):
            entity.name = d.get("name")
        if d.supplied("metadata"):
            entity.metadata = dict(d.get("metadata"))
        if d.supplied("policies"):
            entity.policies = sanitize_policies(d.get("policies"))
        if d.supplied("disabled"):
            entity.disabled = d.get("disabled")

    async def write(self, req: Request, d: FieldData) -> Response | None:
        """POST /identity/entity (and entity/id/:id). Create, or update by id or name."""
        del req
        entity_id, name = d.get("id"), d.get("name")
        entity = self.store.entities.get(entity_id) if entity_id else None
        if entity_id and entity is None:
            raise InvalidRequest("entity not found from id")
        if entity is None and name:
            entity = self.store.entity_by_name(name)
        created = entity is None
        if entity is None:
            new = new_id()
            entity = Entity(id=new, name=name or "entity_" + new[:8])
        self._apply(entity, d)
        await self.store.save_entity(entity)
        if not created:
            return None
        return Response(data={"id": entity.id, "name": entity.name, "aliases": None})

    async def write_by_name(self, req: Request, d: FieldData) -> Response | None:
        """POST /identity/entity/name/:name. Create or update the entity called ``name``."""
        del req
        name = d.get("name")
        entity = self.store.entity_by_name(name)
        created = entity is None
        if entity is None:
            entity = Entity(id=new_id(), name=name)
        self._apply(entity, d)
        await self.store.save_entity(entity)
        if not created:
            return None
        return Response(data={"id": entity.id, "name": entity.name, "aliases": None})

    async def batch_delete(self, req: Request, d: FieldData) -> None:
        """POST /identity/entity/batch-delete {entity_ids}."""
        del req
        for entity_id in d.get("entity_ids"):
            await self.store.delete_entity(entity_id)

    async def merge(self, req: Request, d: FieldData) -> None:
        """POST /identity/entity/merge. Move the aliases and groups of entities onto one.

        compat: OpenBao's messages (identity_store_entities.go); an alias on a mount the target
        already has an alias for is a conflict unless ``force``, which keeps the target's.
        """
        del req
        sources, target_id = list(dict.fromkeys(d.get("from_entity_ids"))), d.get("to_entity_id")
        if not sources:
            raise InvalidRequest("missing entity ids to merge from")
        target = self.store.entities.get(target_id)
        if target is None:
            raise InvalidRequest("entity id to merge to is invalid")
        if target_id in sources:
            raise InvalidRequest("to_entity_id should not be present in from_entity_ids")
        merged = [self.store.entities.get(i) for i in sources]
        if any(e is None for e in merged):
            raise InvalidRequest("entity id to merge from is invalid")
        taken = {a.mount_accessor for a in target.aliases}
        conflicts = [
            a.id for e in merged if e is not None for a in e.aliases if a.mount_accessor in taken
        ]
        if conflicts and not d.get("force"):
            raise InvalidRequest(
                "toEntity and at least one fromEntity have aliases with the same mount "
                "accessor, repeat the merge request specifying exactly one fromEntity, "
                f"clashes: conflicting fromEntity alias IDs: {', '.join(conflicts)}"
            )
        for entity in merged:
            assert entity is not None  # noqa: S101 - checked above
            moved = [a for a in entity.aliases if a.mount_accessor not in taken]
            for group_id in self.store.direct_groups(entity.id):
                group = self.store.groups[group_id]
                if target.id not in group.member_entity_ids:
                    group.member_entity_ids.append(target.id)
                    await self.store.save_group(group)
            await self.store.delete_entity(entity.id)
            for alias in moved:
                alias.canonical_id = target.id
                target.aliases.append(alias)
            target.merged_entity_ids.append(entity.id)
        await self.store.save_entity(target)

    async def list_ids(self, req: Request, d: FieldData) -> Response | None:
        """LIST /identity/entity/id."""
        del req, d
        entities = sorted(self.store.entities.values(), key=lambda e: e.id)
        if not entities:
            return None
        info = {
            e.id: {"name": e.name, "aliases": [a.to_wire() for a in e.aliases]} for e in entities
        }
        return Response(data={"keys": [e.id for e in entities], "key_info": info})

    # ---- aliases -------------------------------------------------------------------

    def _mount(self, accessor: str) -> tuple[str, str]:
        mount = self.store.resolve_mount(accessor)
        if mount is None:
            raise InvalidRequest("invalid mount accessor " + repr(accessor))
        return mount

    async def write_alias(self, req: Request, d: FieldData) -> Response | None:
        """POST /identity/entity-alias (and entity-alias/id/:id). Create or update an alias."""
        del req
        alias_id = d.get("id")
        if alias_id:
            return await self._update_alias(alias_id, d)
        name, canonical, accessor = d.get("name"), d.get("canonical_id"), d.get("mount_accessor")
        if not name:
            raise InvalidRequest("missing alias name")
        if not accessor:
            raise InvalidRequest("missing mount_accessor")
        entity = self.store.entities.get(canonical) if canonical else None
        if entity is None:
            raise InvalidRequest("missing or invalid canonical_id")
        path, kind = self._mount(accessor)
        owner = self.store.entity_by_alias(accessor, name)
        if owner is not None and owner.id == entity.id:
            # compat: re-creating an alias the entity already has is a no-op update (204)
            return None
        if owner is not None:
            raise InvalidRequest("alias already exists for requested combination of name and mount")
        if any(a.mount_accessor == accessor for a in entity.aliases):
            raise InvalidRequest(f"mount accessor {accessor} already belongs to entity {entity.id}")
        alias = Alias(
            id=new_id(),
            canonical_id=entity.id,
            name=name,
            mount_accessor=accessor,
            mount_path=path,
            mount_type=kind,
            custom_metadata=dict(d.get("custom_metadata")),
        )
        entity.aliases.append(alias)
        await self.store.save_entity(entity)
        return Response(data={"id": alias.id, "canonical_id": entity.id})

    async def _update_alias(self, alias_id: str, d: FieldData) -> Response | None:
        found = self.store.alias_by_id(alias_id)
        if found is None:
            raise InvalidRequest("invalid alias ID provided")
        entity, alias = found
        if d.supplied("name") and d.get("name"):
            alias.name = d.get("name")
        if d.supplied("custom_metadata"):
            alias.custom_metadata = dict(d.get("custom_metadata"))
        if d.supplied("canonical_id") and d.get("canonical_id") != entity.id:
            target = self.store.entities.get(d.get("canonical_id"))
            if target is None:
                raise InvalidRequest("invalid canonical ID")
            entity.aliases.remove(alias)
            await self.store.save_entity(entity)
            alias.canonical_id = target.id
            target.aliases.append(alias)
            entity = target
        await self.store.save_entity(entity)
        return Response(data={"id": alias.id, "canonical_id": entity.id})

    async def read_alias(self, req: Request, d: FieldData) -> Response | None:
        """GET /identity/entity-alias/id/:id."""
        del req
        found = self.store.alias_by_id(d.get("id"))
        return None if found is None else Response(data=found[1].to_wire())

    async def delete_alias(self, req: Request, d: FieldData) -> None:
        """DELETE /identity/entity-alias/id/:id."""
        del req
        found = self.store.alias_by_id(d.get("id"))
        if found is not None:
            entity, alias = found
            entity.aliases.remove(alias)
            await self.store.save_entity(entity)

    async def list_aliases(self, req: Request, d: FieldData) -> Response | None:
        """LIST /identity/entity-alias/id."""
        del req, d
        aliases = sorted(
            (a for e in self.store.entities.values() for a in e.aliases), key=lambda a: a.id
        )
        if not aliases:
            return None
        info: dict[str, Any] = {
            a.id: {
                "canonical_id": a.canonical_id,
                "custom_metadata": a.custom_metadata or None,
                "local": False,
                "mount_accessor": a.mount_accessor,
                "mount_path": a.mount_path,
                "mount_type": a.mount_type,
                "name": a.name,
            }
            for a in aliases
        }
        return Response(data={"keys": [a.id for a in aliases], "key_info": info})


def entity_paths(store: IdentityStore) -> list[Path]:
    """Routes of entities and entity aliases."""
    h = EntityHandlers(store)
    rw = {Operation.UPDATE: h.write, Operation.CREATE: h.write}
    ids = {"id": FieldSchema(FieldType.STRING, "ID.")}
    # Lists first: the ``match_all`` captures below also match an empty name.
    return [
        Path("entity/id/?", {}, {Operation.LIST: h.list_ids}, synopsis="List entity IDs."),
        Path("entity/name/?", {}, {Operation.LIST: h.list_names}, synopsis="List entity names."),
        Path("entity-alias/id/?", ids, {Operation.LIST: h.list_aliases}, synopsis="List aliases."),
        Path("entity", _ENTITY_FIELDS, rw, synopsis="Create or update an entity."),
        Path(
            "entity/id/" + match_all("id"),
            _ENTITY_FIELDS,
            {
                Operation.READ: h.read_by_id,
                **rw,
                Operation.DELETE: h.delete_by_id,
            },
            synopsis="Read, update or delete an entity by ID.",
        ),
        Path(
            "entity/name/" + match_all("name"),
            _ENTITY_FIELDS,
            {
                Operation.READ: h.read_by_name,
                Operation.UPDATE: h.write_by_name,
                Operation.CREATE: h.write_by_name,
                Operation.DELETE: h.delete_by_name,
            },
            synopsis="Read, update or delete an entity by name.",
        ),
        Path(
            "entity/merge",
            {
                "from_entity_ids": FieldSchema(FieldType.COMMA_STRING_LIST, "Entities to merge."),
                "to_entity_id": FieldSchema(FieldType.STRING, "Entity to merge into."),
                "force": FieldSchema(FieldType.BOOL, "Keep the target's alias on conflicts."),
                "conflicting_alias_ids_to_keep": FieldSchema(
                    FieldType.COMMA_STRING_LIST, "Unsupported; use force."
                ),
            },
            {Operation.UPDATE: h.merge},
            synopsis="Merge entities into one.",
        ),
        Path(
            "entity/batch-delete",
            {"entity_ids": FieldSchema(FieldType.STRING_LIST, "Entities to delete.")},
            {Operation.UPDATE: h.batch_delete},
            synopsis="Delete several entities.",
        ),
        Path(
            "entity-alias",
            _ALIAS_FIELDS,
            {Operation.UPDATE: h.write_alias, Operation.CREATE: h.write_alias},
            synopsis="Create an entity alias.",
        ),
        Path(
            "entity-alias/id/" + match_all("id"),
            _ALIAS_FIELDS,
            {
                Operation.READ: h.read_alias,
                Operation.UPDATE: h.write_alias,
                Operation.DELETE: h.delete_alias,
            },
            synopsis="Read, update or delete an entity alias.",
        ),
    ]
