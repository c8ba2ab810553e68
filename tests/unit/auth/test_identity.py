"""The identity store through the core: login entities, group policies, external groups."""

from __future__ import annotations

from tests.unit.auth.harness import Harness, make_harness, run_async

from sealbox.core.identity import identity_store
from sealbox.core.mounts import MOUNTS_KEY, load_table, save_table
from sealbox.errors import InvalidRequest, PermissionDenied
from sealbox.logical import Alias, Auth, Operation

UPDATE, READ, DELETE, LIST = Operation.UPDATE, Operation.READ, Operation.DELETE, Operation.LIST


async def _with_user(h: Harness, name: str = "alice") -> str:
    await h.write("sys/auth/userpass", {"type": "userpass"})
    await h.write(f"auth/userpass/users/{name}", {"password": "pw"})
    mounts = (await h.read("sys/auth")).data
    assert mounts is not None
    accessor: str = mounts["userpass/"]["accessor"]
    return accessor


async def _login(h: Harness, name: str = "alice") -> Auth:
    auth = (await h.write(f"auth/userpass/login/{name}", {"password": "pw"}, token="")).auth
    assert auth is not None
    return auth


@run_async
async def test_first_login_creates_entity_and_alias_later_logins_reuse_them() -> None:
    h = await make_harness()
    accessor = await _with_user(h)
    first, second = await _login(h), await _login(h)
    assert first.entity_id
    assert first.entity_id == second.entity_id
    entity = (await h.read(f"identity/entity/id/{first.entity_id}")).data
    assert entity is not None
    assert entity["name"] == "entity_" + first.entity_id[:8]
    (alias,) = entity["aliases"]
    assert alias["name"] == "alice"
    assert alias["mount_accessor"] == accessor
    assert alias["mount_type"] == "userpass"


@run_async
async def test_group_policies_inherit_through_parent_groups() -> None:
    h = await make_harness()
    await _with_user(h)
    token = await _login(h)
    child = (
        await h.write(
            "identity/group",
            {"name": "child", "policies": "c", "member_entity_ids": [token.entity_id]},
        )
    ).data
    assert child is not None
    await h.write(
        "identity/group", {"name": "parent", "policies": "p", "member_group_ids": [child["id"]]}
    )
    await h.write(f"identity/entity/id/{token.entity_id}", {"policies": "e"})
    store = identity_store(h.core.mounts.router)
    assert store is not None
    assert await store.policies_for(token.entity_id) == ["c", "e", "p"]
    entity = (await h.read(f"identity/entity/id/{token.entity_id}")).data
    assert entity is not None
    assert entity["direct_group_ids"] == [child["id"]]
    assert len(entity["inherited_group_ids"]) == 1
    # a new login reports them in the auth block
    again = await _login(h)
    assert again.identity_policies == ["c", "e", "p"]
    assert again.token_policies == ["default"]
    assert again.policies == ["c", "default", "e", "p"]


@run_async
async def test_group_cycles_and_unknown_members_are_refused() -> None:
    h = await make_harness()
    a = (await h.write("identity/group", {"name": "a"})).data
    assert a is not None
    b = (await h.write("identity/group", {"name": "b", "member_group_ids": [a["id"]]})).data
    assert b is not None
    cycle = await h.error(UPDATE, f"identity/group/id/{a['id']}", {"member_group_ids": [b["id"]]})
    assert isinstance(cycle, InvalidRequest)
    unknown = await h.error(UPDATE, "identity/group", {"name": "c", "member_entity_ids": ["nope"]})
    assert isinstance(unknown, InvalidRequest)
    assert (await h.call(LIST, "identity/group/name/")).data == {"keys": ["a", "b"]}


@run_async
async def test_external_group_membership_follows_the_login_group_aliases() -> None:
    h = await make_harness()
    accessor = await _with_user(h)
    group = (
        await h.write("identity/group", {"name": "admins", "type": "external", "policies": "adm"})
    ).data
    assert group is not None
    await h.write(
        "identity/group-alias",
        {"name": "ldap-admins", "mount_accessor": accessor, "canonical_id": group["id"]},
    )
    manual = await h.error(UPDATE, f"identity/group/id/{group['id']}", {"member_entity_ids": ["x"]})
    assert isinstance(manual, InvalidRequest)
    store = identity_store(h.core.mounts.router)
    assert store is not None
    login = Auth(alias=Alias(name="dave"), group_aliases=[Alias(name="ldap-admins")])
    entity = await store.login_entity(accessor, "auth/userpass/", "userpass", login)
    assert await store.policies_for(entity.id) == ["adm"]
    login.group_aliases = []
    await store.login_entity(accessor, "auth/userpass/", "userpass", login)
    assert await store.policies_for(entity.id) == []


@run_async
async def test_disabled_entity_cannot_log_in_and_its_tokens_lose_identity_policies() -> None:
    h = await make_harness()
    await _with_user(h)
    token = await _login(h)
    await h.write(f"identity/entity/id/{token.entity_id}", {"policies": "extra"})
    store = identity_store(h.core.mounts.router)
    assert store is not None
    assert await store.policies_for(token.entity_id) == ["extra"]
    await h.write(f"identity/entity/id/{token.entity_id}", {"disabled": True})
    assert await store.policies_for(token.entity_id) == []
    refused = await h.error(UPDATE, "auth/userpass/login/alice", {"password": "pw"}, token="")
    assert isinstance(refused, PermissionDenied)


@run_async
async def test_identity_survives_a_seal_and_unseal() -> None:
    h = await make_harness()
    await _with_user(h)
    token = await _login(h)
    group = (
        await h.write("identity/group", {"name": "g", "member_entity_ids": [token.entity_id]})
    ).data
    assert group is not None
    await h.core.seal()
    assert identity_store(h.core.mounts.router) is None
    await h.core.unseal(h.unseal_key)
    await h.core.expiration.stop()  # see harness.make_harness
    again = await _login(h)
    assert again.entity_id == token.entity_id
    found = (await h.write("identity/lookup/entity", {"id": token.entity_id})).data
    assert found is not None
    assert found["group_ids"] == [group["id"]]


@run_async
async def test_renames_and_alias_moves_keep_the_indexes_exact() -> None:
    h = await make_harness()
    accessor = await _with_user(h)
    first = (await h.write("identity/entity", {"name": "old-name"})).data
    second = (await h.write("identity/entity", {"name": "other"})).data
    assert first is not None
    assert second is not None
    alias = (
        await h.write(
            "identity/entity-alias",
            {"name": "alice", "canonical_id": first["id"], "mount_accessor": accessor},
        )
    ).data
    assert alias is not None
    await h.write(f"identity/entity/id/{first['id']}", {"name": "new-name"})
    store = identity_store(h.core.mounts.router)
    assert store is not None
    assert store.entity_by_name("old-name") is None
    renamed = store.entity_by_name("new-name")
    assert renamed is not None
    assert renamed.id == first["id"]
    # moving the alias to the other entity moves the login too
    await h.write(f"identity/entity-alias/id/{alias['id']}", {"canonical_id": second["id"]})
    moved = store.entity_by_alias(accessor, "alice")
    assert moved is not None
    assert moved.id == second["id"]
    assert (await _login(h)).entity_id == second["id"]
    await h.call(DELETE, f"identity/entity/id/{second['id']}")
    assert store.entity_by_alias(accessor, "alice") is None
    assert (await _login(h)).entity_id not in (first["id"], second["id"])


@run_async
async def test_merge_moves_aliases_and_groups_to_the_target() -> None:
    h = await make_harness()
    await _with_user(h)
    source = await _login(h)
    group = (
        await h.write("identity/group", {"name": "g", "member_entity_ids": [source.entity_id]})
    ).data
    assert group is not None
    target = (await h.write("identity/entity", {"name": "target"})).data
    assert target is not None
    await h.write(
        "identity/entity/merge",
        {"from_entity_ids": [source.entity_id], "to_entity_id": target["id"]},
    )
    assert (await _login(h)).entity_id == target["id"]
    merged = (await h.read(f"identity/entity/id/{target['id']}")).data
    assert merged is not None
    assert merged["merged_entity_ids"] == [source.entity_id]
    assert merged["direct_group_ids"] == [group["id"]]
    assert [a["name"] for a in merged["aliases"]] == ["alice"]


@run_async
async def test_a_stored_mount_table_without_identity_gets_it_on_unseal() -> None:
    h = await make_harness()
    barrier = h.core.barrier
    table = await load_table(barrier, MOUNTS_KEY)
    assert table is not None
    await save_table(barrier, MOUNTS_KEY, [e for e in table if e.type != "identity"])
    await h.core.seal()
    await h.core.unseal(h.unseal_key)
    await h.core.expiration.stop()  # see harness.make_harness
    assert identity_store(h.core.mounts.router) is not None
    stored = await load_table(barrier, MOUNTS_KEY)
    assert stored is not None
    assert [e.path for e in stored if e.type == "identity"] == ["identity/"]


@run_async
async def test_child_tokens_inherit_the_entity_and_roles_allow_entity_aliases() -> None:
    h = await make_harness()
    await _with_user(h)
    await h.write(
        "sys/policies/acl/tk",
        {"policy": 'path "auth/token/*" { capabilities = ["create", "update"] }'},
    )
    await h.write("auth/userpass/users/alice", {"token_policies": "tk"})
    login = await _login(h)
    child = (
        await h.write("auth/token/create", {"policies": ["default"]}, token=login.client_token)
    ).auth
    assert child is not None
    assert child.entity_id == login.entity_id
    orphan = (
        await h.write(
            "auth/token/create-orphan", {"policies": ["default"]}, token=login.client_token
        )
    ).auth
    assert orphan is not None
    assert orphan.entity_id == ""
    await h.write("auth/token/roles/svc", {"allowed_entity_aliases": "svc-*", "orphan": True})
    first = (await h.write("auth/token/create/svc", {"entity_alias": "SVC-1"})).auth
    again = (await h.write("auth/token/create/svc", {"entity_alias": "SVC-1"})).auth
    assert first is not None
    assert again is not None
    assert first.entity_id
    assert first.entity_id == again.entity_id
    refused = await h.error(UPDATE, "auth/token/create/svc", {"entity_alias": "other"})
    assert refused.public_message == "invalid 'entity_alias' value"
    no_role = await h.error(UPDATE, "auth/token/create", {"entity_alias": "svc-1"})
    assert no_role.public_message == "'entity_alias' is only allowed in combination with token role"
    entity = (await h.read(f"identity/entity/id/{first.entity_id}")).data
    assert entity is not None
    assert [(a["name"], a["mount_type"]) for a in entity["aliases"]] == [("SVC-1", "token")]


@run_async
async def test_batch_delete_and_group_lookups() -> None:
    h = await make_harness()
    ids = []
    for name in ("one", "two", "three"):
        made = (await h.write("identity/entity", {"name": name})).data
        assert made is not None
        ids.append(made["id"])
    group = (await h.write("identity/group", {"name": "g", "member_entity_ids": ids})).data
    assert group is not None
    await h.write("identity/entity/batch-delete", {"entity_ids": ids[:2]})
    assert (await h.call(LIST, "identity/entity/name/")).data == {"keys": ["three"]}
    found = (await h.write("identity/lookup/group", {"name": "g"})).data
    assert found is not None
    assert found["member_entity_ids"] == ids[2:]
    assert (await h.write("identity/lookup/group", {"name": "nope"})).data is None
    both = await h.error(UPDATE, "identity/lookup/group", {"name": "g", "id": group["id"]})
    assert isinstance(both, InvalidRequest)
