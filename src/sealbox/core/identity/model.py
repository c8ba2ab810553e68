"""Entities, entity aliases, groups and group aliases as stored, and their read shapes.

Mirrors OpenBao's identity types (sdk/helper/identity ``Entity``, ``Alias``, ``Group``) and the
read answers of identity_store_entities.go / _aliases.go / _groups.go (key sets observed on
``bao`` 2.x). Aliases live inside their entity's record and a group alias inside its group's,
as OpenBao stores them; times are aware UTC datetimes, RFC 3339 on the wire.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

import orjson

from sealbox.goformat import rfc3339_nano


def new_id() -> str:
    """A random UUID, OpenBao's identifier for every identity object."""
    return str(uuid.uuid4())


def _rfc3339(moment: datetime) -> str:
    return rfc3339_nano(moment.astimezone(UTC))


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class Alias:
    """An entity alias (``mount_accessor`` + ``name``) or a group's alias."""

    id: str
    canonical_id: str
    name: str
    mount_accessor: str
    mount_path: str = ""
    mount_type: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    custom_metadata: dict[str, str] = field(default_factory=dict)
    creation_time: datetime = field(default_factory=_now)
    last_update_time: datetime = field(default_factory=_now)

    def to_wire(self) -> dict[str, Any]:
        """``GET identity/entity-alias/id/:id`` (and each item of an entity's ``aliases``)."""
        return {
            "id": self.id,
            "canonical_id": self.canonical_id,
            "name": self.name,
            "mount_accessor": self.mount_accessor,
            "mount_path": self.mount_path,
            "mount_type": self.mount_type,
            "metadata": self.metadata or None,
            "custom_metadata": dict(self.custom_metadata),
            "local": False,
            "creation_time": _rfc3339(self.creation_time),
            "last_update_time": _rfc3339(self.last_update_time),
            "merged_from_canonical_ids": None,
            "namespace_id": "root",
        }


@dataclass(slots=True)
class Entity:
    """One identity: a person or workload, with the aliases it logs in as."""

    id: str
    name: str
    metadata: dict[str, str] = field(default_factory=dict)
    policies: list[str] = field(default_factory=list)
    disabled: bool = False
    aliases: list[Alias] = field(default_factory=list)
    creation_time: datetime = field(default_factory=_now)
    last_update_time: datetime = field(default_factory=_now)
    merged_entity_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Group:
    """A set of entities (and groups) sharing policies; ``external`` ones map an IdP group."""

    id: str
    name: str
    type: str = "internal"
    metadata: dict[str, str] = field(default_factory=dict)
    policies: list[str] = field(default_factory=list)
    member_entity_ids: list[str] = field(default_factory=list)
    member_group_ids: list[str] = field(default_factory=list)
    alias: Alias | None = None
    creation_time: datetime = field(default_factory=_now)
    last_update_time: datetime = field(default_factory=_now)
    modify_index: int = 0


def _encode_times(raw: dict[str, Any]) -> dict[str, Any]:
    for key in ("creation_time", "last_update_time"):
        if isinstance(raw.get(key), datetime):
            raw[key] = raw[key].isoformat()
    return raw


def _alias_from(raw: dict[str, Any]) -> Alias:
    known = {f.name for f in fields(Alias)}
    values = {k: v for k, v in raw.items() if k in known}
    for key in ("creation_time", "last_update_time"):
        values[key] = datetime.fromisoformat(values[key]) if values.get(key) else _now()
    return Alias(**values)


def encode(obj: Entity | Group) -> bytes:
    """The storage form of an entity or group (aliases inline)."""
    raw = asdict(obj)
    _encode_times(raw)
    if isinstance(obj, Entity):
        raw["aliases"] = [_encode_times(a) for a in raw["aliases"]]
    elif raw.get("alias") is not None:
        _encode_times(raw["alias"])
    return orjson.dumps(raw)


def decode_entity(blob: bytes) -> Entity:
    """Decode ``encode`` of an Entity."""
    raw: dict[str, Any] = orjson.loads(blob)
    raw["aliases"] = [_alias_from(a) for a in raw.get("aliases") or []]
    return Entity(**_with_times(raw, Entity))


def decode_group(blob: bytes) -> Group:
    """Decode ``encode`` of a Group."""
    raw: dict[str, Any] = orjson.loads(blob)
    alias = raw.get("alias")
    raw["alias"] = _alias_from(alias) if alias else None
    return Group(**_with_times(raw, Group))


def _with_times(raw: dict[str, Any], cls: type[Any]) -> dict[str, Any]:
    known = {f.name for f in fields(cls)}
    values = {k: v for k, v in raw.items() if k in known}
    for key in ("creation_time", "last_update_time"):
        values[key] = datetime.fromisoformat(values[key]) if values.get(key) else _now()
    return values


def entity_wire(entity: Entity, direct: list[str], inherited: list[str]) -> dict[str, Any]:
    """``GET identity/entity/id/:id``."""
    return {
        "id": entity.id,
        "name": entity.name,
        # compat: an entity's aliases carry no namespace_id (bao 2.x)
        "aliases": [
            {k: v for k, v in a.to_wire().items() if k != "namespace_id"} for a in entity.aliases
        ],
        "creation_time": _rfc3339(entity.creation_time),
        "last_update_time": _rfc3339(entity.last_update_time),
        "direct_group_ids": direct,
        "group_ids": sorted({*direct, *inherited}),
        "inherited_group_ids": inherited,
        "merged_entity_ids": list(entity.merged_entity_ids) or None,
        "metadata": entity.metadata or None,
        "namespace_id": "root",
        "policies": list(entity.policies),
        "disabled": entity.disabled,
    }


def group_wire(group: Group, parents: list[str]) -> dict[str, Any]:
    """``GET identity/group/id/:id``."""
    alias: dict[str, Any] = {} if group.alias is None else group.alias.to_wire()
    return {
        "id": group.id,
        "name": group.name,
        "type": group.type,
        "alias": alias,
        # compat: empty member and parent lists are null (nil slices in OpenBao)
        "member_entity_ids": list(group.member_entity_ids) or None,
        "member_group_ids": list(group.member_group_ids) or None,
        "parent_group_ids": parents or None,
        "metadata": group.metadata or None,
        "modify_index": group.modify_index,
        "policies": list(group.policies),
        "creation_time": _rfc3339(group.creation_time),
        "last_update_time": _rfc3339(group.last_update_time),
        "namespace_id": "root",
    }
