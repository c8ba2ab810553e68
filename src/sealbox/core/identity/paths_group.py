"""``identity/group*``, ``identity/group-alias*`` and ``identity/lookup/*``.

Mirrors OpenBao's identity_store_groups.go, identity_store_group_aliases.go and
identity_lookup.go: internal groups list their member entities and groups; external groups
get members only from logins, through their one alias (name = the IdP's group name on one
auth mount). A lookup that finds nothing answers 204 (hvac's test_identity.py relies on it).
"""

from __future__ import annotations

from sealbox.core.identity.by_id_or_name import ByIdOrName
from sealbox.core.identity.model import Alias, Group, group_wire, new_id
from sealbox.core.identity.paths_entity import EntityHandlers
from sealbox.core.identity.store import IdentityStore
from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.framework.path import match_all
from sealbox.framework.tokenutil import sanitize_policies
from sealbox.logical import Operation, Request, Response

_GROUP_FIELDS = {
    "id": FieldSchema(FieldType.STRING, "ID of the group (update only)."),
    "name": FieldSchema(FieldType.STRING, "Name of the group."),
    "type": FieldSchema(FieldType.STRING, "internal or external."),
    "metadata": FieldSchema(FieldType.KV_PAIRS, "Metadata of the group."),
    "policies": FieldSchema(FieldType.COMMA_STRING_LIST, "Policies of the group."),
    "member_entity_ids": FieldSchema(FieldType.COMMA_STRING_LIST, "Member entities."),
    "member_group_ids": FieldSchema(FieldType.COMMA_STRING_LIST, "Member groups."),
}
_GROUP_ALIAS_FIELDS = {
    "id": FieldSchema(FieldType.STRING, "ID of the group alias (update only)."),
    "name": FieldSchema(FieldType.STRING, "The IdP's name of the group."),
    "mount_accessor": FieldSchema(FieldType.STRING, "Accessor of the auth mount."),
    "canonical_id": FieldSchema(FieldType.STRING, "The external group it maps to."),
}
_LOOKUP_FIELDS = {
    "type": FieldSchema(FieldType.STRING, "Unused (OpenBao's lookup/entity takes it)."),
    "id": FieldSchema(FieldType.STRING, "ID to look up."),
    "name": FieldSchema(FieldType.STRING, "Name to look up."),
    "alias_id": FieldSchema(FieldType.STRING, "Alias ID to look up."),
    "alias_name": FieldSchema(FieldType.STRING, "Alias name (with alias_mount_accessor)."),
    "alias_mount_accessor": FieldSchema(FieldType.STRING, "Mount accessor of the alias."),
}


class GroupHandlers(ByIdOrName[Group]):
    """Group, group-alias and lookup handlers over one IdentityStore."""

    def __init__(self, store: IdentityStore) -> None:
        self.store = store
        self.entities = EntityHandlers(store)

    def read(self, group: Group) -> Response:
        """The read shape of ``group``."""
        return Response(data=group_wire(group, self.store.parent_groups(group.id)))

    def _get(self, item_id: str) -> Group | None:
        return self.store.groups.get(item_id)

    def _named(self, name: str) -> Group | None:
        return self.store.group_by_name(name)

    async def _remove(self, item_id: str) -> None:
        await self.store.delete_group(item_id)

    def _all(self) -> list[Group]:
        return list(self.store.groups.values())

    def _apply(self, group: Group, d: FieldData, *, created: bool) -> None:
        if d.supplied("type") and d.get("type"):
            kind = d.get("type").lower()
            if kind not in ("internal", "external"):
                raise InvalidRequest(f'invalid type "{kind}"')
            if not created and kind != group.type:
                raise InvalidRequest("group type cannot be changed")
            group.type = kind
        if d.supplied("name") and d.get("name"):
            group.name = d.get("name")
        if d.supplied("metadata"):
            group.metadata = dict(d.get("metadata"))
        if d.supplied("policies"):
            group.policies = sanitize_policies(d.get("policies"))
        if d.supplied("member_entity_ids"):
            if group.type == "external":
                raise InvalidRequest("member entities can't be set manually for external groups")
            ids = list(dict.fromkeys(d.get("member_entity_ids")))
            unknown = [i for i in ids if i not in self.store.entities]
            if unknown:
                raise InvalidRequest(f'failed to fetch entity for member entity id "{unknown[0]}"')
            group.member_entity_ids = ids
        if d.supplied("member_group_ids"):
            self._set_member_groups(group, list(dict.fromkeys(d.get("member_group_ids"))))

    def _set_member_groups(self, group: Group, ids: list[str]) -> None:
        for member in ids:
            if member not in self.store.groups:
                raise InvalidRequest(f"invalid member group ID {member!r}")
            if member == group.id or group.id in self._descendants(member):
                raise InvalidRequest("member group ID would create a cycle")
        group.member_group_ids = ids

    def _descendants(self, group_id: str) -> set[str]:
        seen: set[str] = set()
        stack = [group_id]
        while stack:
            current = self.store.groups.get(stack.pop())
            for child in current.member_group_ids if current is not None else []:
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        return seen

    async def write(self, req: Request, d: FieldData) -> Response | None:
        """POST /identity/group (and group/id/:id). Create, or update by id or name."""
        del req
        group_id, name = d.get("id"), d.get("name")
        group = self.store.groups.get(group_id) if group_id else None
        if group_id and group is None:
            raise InvalidRequest("group not found from id")
        if group is None and name:
            group = self.store.group_by_name(name)
        created = group is None
        if group is None:
            new = new_id()
            group = Group(id=new, name=name or "group_" + new[:8])
        await self._save(group, d, created=created)
        return Response(data={"id": group.id, "name": group.name}) if created else None

    async def _save(self, group: Group, d: FieldData, *, created: bool) -> None:
        before = set(group.member_group_ids)
        self._apply(group, d, created=created)
        await self.store.save_group(group)
        # compat: OpenBao rewrites a group that gains a parent (its modify_index moves)
        for child_id in set(group.member_group_ids) - before:
            child = self.store.groups.get(child_id)
            if child is not None:
                await self.store.save_group(child)

    async def write_by_name(self, req: Request, d: FieldData) -> Response | None:
        """POST /identity/group/name/:name."""
        del req
        group = self.store.group_by_name(d.get("name"))
        created = group is None
        if group is None:
            group = Group(id=new_id(), name=d.get("name"))
        await self._save(group, d, created=created)
        return Response(data={"id": group.id, "name": group.name}) if created else None

    async def list_ids(self, req: Request, d: FieldData) -> Response | None:
        """LIST /identity/group/id."""
        del req, d
        groups = sorted(self.store.groups.values(), key=lambda g: g.id)
        if not groups:
            return None
        info = {
            g.id: {
                "name": g.name,
                "num_member_entities": len(g.member_entity_ids),
                "num_parent_groups": len(self.store.parent_groups(g.id)),
            }
            for g in groups
        }
        return Response(data={"keys": [g.id for g in groups], "key_info": info})

    # ---- group aliases -------------------------------------------------------------

    async def write_alias(self, req: Request, d: FieldData) -> Response:
        """POST /identity/group-alias (and group-alias/id/:id)."""
        del req
        alias_id = d.get("id")
        current = self.store.group_alias_by_id(alias_id) if alias_id else None
        if alias_id and current is None:
            raise InvalidRequest("invalid group alias ID")
        target_id = d.get("canonical_id") or (current.id if current is not None else "")
        group = self.store.groups.get(target_id)
        if group is None:
            raise InvalidRequest("invalid or missing canonical_id")
        if group.type != "external":
            raise InvalidRequest("alias can't be set on an internal group")
        accessor = d.get("mount_accessor") or (
            current.alias.mount_accessor if current and current.alias else ""
        )
        name = d.get("name") or (current.alias.name if current and current.alias else "")
        if not name or not accessor:
            raise InvalidRequest("missing alias name or mount_accessor")
        mount = self.store.resolve_mount(accessor)
        if mount is None:
            raise InvalidRequest(f"invalid mount accessor {accessor!r}")
        owner = self.store.group_by_alias(accessor, name)
        if owner is not None and owner.id != group.id:
            raise InvalidRequest("combination of mount and group alias name is already in use")
        if current is not None and current.id != group.id:
            current.alias = None
            await self.store.save_group(current)
        alias = Alias(
            id=alias_id or (group.alias.id if group.alias else new_id()),
            canonical_id=group.id,
            name=name,
            mount_accessor=accessor,
            mount_path=mount[0],
            mount_type=mount[1],
        )
        group.alias = alias
        await self.store.save_group(group)
        return Response(data={"id": alias.id, "canonical_id": group.id})

    async def read_alias(self, req: Request, d: FieldData) -> Response | None:
        """GET /identity/group-alias/id/:id."""
        del req
        group = self.store.group_alias_by_id(d.get("id"))
        if group is None or group.alias is None:
            return None
        # compat: a group alias has no custom metadata: null (bao 2.x)
        return Response(data={**group.alias.to_wire(), "custom_metadata": None})

    async def delete_alias(self, req: Request, d: FieldData) -> None:
        """DELETE /identity/group-alias/id/:id."""
        del req
        group = self.store.group_alias_by_id(d.get("id"))
        if group is not None:
            group.alias = None
            await self.store.save_group(group)

    async def list_aliases(self, req: Request, d: FieldData) -> Response | None:
        """LIST /identity/group-alias/id."""
        del req, d
        aliases = sorted(
            (g.alias for g in self.store.groups.values() if g.alias is not None),
            key=lambda a: a.id,
        )
        if not aliases:
            return None
        info = {
            a.id: {
                "canonical_id": a.canonical_id,
                "mount_accessor": a.mount_accessor,
                "mount_path": a.mount_path,
                "mount_type": a.mount_type,
                "name": a.name,
            }
            for a in aliases
        }
        return Response(data={"keys": [a.id for a in aliases], "key_info": info})

    # ---- lookups -------------------------------------------------------------------

    def _selectors(self, d: FieldData) -> list[str]:
        chosen = [k for k in ("id", "name", "alias_id", "alias_name") if d.get(k)]
        if len(chosen) != 1:
            raise InvalidRequest("exactly one of id, name, alias_id, alias_name must be given")
        return chosen

    async def lookup_entity(self, req: Request, d: FieldData) -> Response | None:
        """POST /identity/lookup/entity. The entity, or 204 when none matches."""
        del req
        (key,) = self._selectors(d)
        store = self.store
        entity = None
        if key == "id":
            entity = store.entities.get(d.get("id"))
        elif key == "name":
            entity = store.entity_by_name(d.get("name"))
        elif key == "alias_id":
            found = store.alias_by_id(d.get("alias_id"))
            entity = found[0] if found else None
        else:
            if not d.get("alias_mount_accessor"):
                raise InvalidRequest("missing 'alias_mount_accessor' field")
            entity = store.entity_by_alias(d.get("alias_mount_accessor"), d.get("alias_name"))
        return None if entity is None else self.entities.read(entity)

    async def lookup_group(self, req: Request, d: FieldData) -> Response | None:
        """POST /identity/lookup/group. The group, or 204 when none matches."""
        del req
        (key,) = self._selectors(d)
        store = self.store
        if key == "id":
            group = store.groups.get(d.get("id"))
        elif key == "name":
            group = store.group_by_name(d.get("name"))
        elif key == "alias_id":
            group = store.group_alias_by_id(d.get("alias_id"))
        else:
            if not d.get("alias_mount_accessor"):
                raise InvalidRequest("missing 'alias_mount_accessor' field")
            group = store.group_by_alias(d.get("alias_mount_accessor"), d.get("alias_name"))
        return None if group is None else self.read(group)


def group_paths(store: IdentityStore) -> list[Path]:
    """Routes of groups, group aliases and lookups."""
    h = GroupHandlers(store)
    write = {Operation.UPDATE: h.write, Operation.CREATE: h.write}
    ids = {"id": FieldSchema(FieldType.STRING, "ID.")}
    # Lists first: the ``match_all`` captures below also match an empty name.
    return [
        Path("group/id/?", {}, {Operation.LIST: h.list_ids}, synopsis="List group IDs."),
        Path("group/name/?", {}, {Operation.LIST: h.list_names}, synopsis="List group names."),
        Path("group-alias/id/?", ids, {Operation.LIST: h.list_aliases}, synopsis="List."),
        Path("group", _GROUP_FIELDS, write, synopsis="Create or update a group."),
        Path(
            "group/id/" + match_all("id"),
            _GROUP_FIELDS,
            {Operation.READ: h.read_by_id, **write, Operation.DELETE: h.delete_by_id},
            synopsis="Read, update or delete a group by ID.",
        ),
        Path(
            "group/name/" + match_all("name"),
            _GROUP_FIELDS,
            {
                Operation.READ: h.read_by_name,
                Operation.UPDATE: h.write_by_name,
                Operation.CREATE: h.write_by_name,
                Operation.DELETE: h.delete_by_name,
            },
            synopsis="Read, update or delete a group by name.",
        ),
        Path(
            "group-alias",
            _GROUP_ALIAS_FIELDS,
            {Operation.UPDATE: h.write_alias, Operation.CREATE: h.write_alias},
            synopsis="Create a group alias.",
        ),
        Path(
            "group-alias/id/" + match_all("id"),
            _GROUP_ALIAS_FIELDS,
            {
                Operation.READ: h.read_alias,
                Operation.UPDATE: h.write_alias,
                Operation.DELETE: h.delete_alias,
            },
            synopsis="Read, update or delete a group alias.",
        ),
        Path(
            "lookup/entity", _LOOKUP_FIELDS, {Operation.UPDATE: h.lookup_entity}, synopsis="Find."
        ),
        Path("lookup/group", _LOOKUP_FIELDS, {Operation.UPDATE: h.lookup_group}, synopsis="Find."),
    ]
