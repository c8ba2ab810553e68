"""AppRole through the whole core: roles, role IDs, secret IDs, login rules, wrapping."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.unit.auth.harness import Harness, make_harness, run_async

from sealbox.auth.approle import AppRoleAuthMethod
from sealbox.errors import InvalidCredentials, InvalidRequest, NotFound, PermissionDenied
from sealbox.logical import Operation, Request

UPDATE, READ, DELETE, LIST = Operation.UPDATE, Operation.READ, Operation.DELETE, Operation.LIST


async def _approle(**role: Any) -> Harness:
    h = await make_harness()
    await h.write("sys/auth/approle", {"type": "approle"})
    await h.write("auth/approle/role/app", {"token_policies": "app", **role})
    return h


async def _ids(h: Harness, **secret: Any) -> tuple[str, str]:
    role_id = (await h.read("auth/approle/role/app/role-id")).data
    assert role_id is not None
    generated = (await h.write("auth/approle/role/app/secret-id", secret)).data
    assert generated is not None
    return role_id["role_id"], generated["secret_id"]


def _backend(h: Harness) -> AppRoleAuthMethod:
    route = h.core.mounts.router.get("auth/approle/")
    assert route is not None
    assert isinstance(route.backend, AppRoleAuthMethod)
    return route.backend


async def _login(h: Harness, role_id: str, secret_id: str, **kw: Any) -> str:
    answer = await h.write(
        "auth/approle/login", {"role_id": role_id, "secret_id": secret_id}, token="", **kw
    )
    assert answer.auth is not None
    return answer.auth.client_token


@run_async
async def test_role_read_shape_and_defaults() -> None:
    h = await _approle(secret_id_ttl="10m", token_ttl="1h")
    data = (await h.read("auth/approle/role/app")).data
    assert data is not None
    assert data["bind_secret_id"] is True
    assert data["secret_id_ttl"] == 600
    assert data["token_policies"] == ["app"]
    assert data["token_ttl"] == 3600
    assert data["local_secret_ids"] is False
    assert (await h.call(LIST, "auth/approle/role/")).data == {"keys": ["app"]}
    assert (await h.read("auth/approle/role/app/token-ttl")).data == {"token_ttl": 3600}
    await h.write("auth/approle/role/app/token-ttl", {"token_ttl": "2h"})
    assert (await h.read("auth/approle/role/app/token-ttl")).data == {"token_ttl": 7200}
    unbound = await h.error(UPDATE, "auth/approle/role/loose", {"bind_secret_id": False})
    assert unbound.public_message == "at least one constraint should be enabled on the role"


@run_async
async def test_login_gives_a_token_with_role_metadata() -> None:
    h = await _approle(token_ttl="20m")
    role_id, secret_id = await _ids(h, metadata='{"team": "blue"}')
    answer = await h.write(
        "auth/approle/login", {"role_id": role_id, "secret_id": secret_id}, token=""
    )
    auth = answer.auth
    assert auth is not None
    assert auth.metadata == {"role_name": "app", "team": "blue"}
    assert auth.token_policies == ["app", "default"]
    assert auth.lease_duration == 1200
    lookup = (await h.read("auth/token/lookup-self", token=auth.client_token)).data
    assert lookup is not None
    assert lookup["display_name"] == "approle"
    assert lookup["path"] == "auth/approle/login"


@run_async
async def test_bad_credentials_are_400_and_create_nothing() -> None:
    h = await _approle()
    role_id, secret_id = await _ids(h)
    before = len(await h.core.tokens.list_accessors())
    for body in (
        {"role_id": "nope", "secret_id": secret_id},
        {"role_id": role_id, "secret_id": "nope"},
    ):
        err = await h.error(UPDATE, "auth/approle/login", body, token="")
        assert isinstance(err, InvalidCredentials)
        assert err.public_message == "invalid role or secret ID"
    missing = await h.error(UPDATE, "auth/approle/login", {"role_id": role_id}, token="")
    assert missing.public_message == "missing secret_id"
    assert len(await h.core.tokens.list_accessors()) == before


@run_async
async def test_secret_id_uses_run_out() -> None:
    h = await _approle(secret_id_num_uses=2)
    role_id, secret_id = await _ids(h)
    await _login(h, role_id, secret_id)
    lookup = (
        await h.write("auth/approle/role/app/secret-id/lookup", {"secret_id": secret_id})
    ).data
    assert lookup is not None
    assert lookup["secret_id_num_uses"] == 1
    await _login(h, role_id, secret_id)
    spent = await h.error(
        UPDATE, "auth/approle/login", {"role_id": role_id, "secret_id": secret_id}, token=""
    )
    assert spent.public_message == "invalid role or secret ID"
    too_many = await h.error(UPDATE, "auth/approle/role/app/secret-id", {"num_uses": 5})
    assert "cannot be higher" in too_many.public_message


@run_async
async def test_secret_id_ttl_expires() -> None:
    h = await _approle(secret_id_ttl="60s")
    backend = _backend(h)
    backend.clock = h.clock
    role_id, secret_id = await _ids(h)
    h.clock.advance(61)
    expired = await h.error(
        UPDATE, "auth/approle/login", {"role_id": role_id, "secret_id": secret_id}, token=""
    )
    assert isinstance(expired, InvalidCredentials)


@run_async
async def test_bound_cidrs_on_role_and_secret_id() -> None:
    h = await _approle(secret_id_bound_cidrs="10.0.0.0/8")
    role_id, secret_id = await _ids(h, cidr_list="10.1.0.0/16")
    outside = await h.error(
        UPDATE,
        "auth/approle/login",
        {"role_id": role_id, "secret_id": secret_id},
        token="",
        address="192.0.2.9",
    )
    assert isinstance(outside, InvalidRequest)
    assert "unauthorized by CIDR restrictions on the role" in outside.public_message
    narrow = await h.error(
        UPDATE,
        "auth/approle/login",
        {"role_id": role_id, "secret_id": secret_id},
        token="",
        address="10.2.0.1",
    )
    assert "restrictions on the secret ID" in narrow.public_message
    assert await _login(h, role_id, secret_id, address="10.1.2.3")
    wide = await h.error(UPDATE, "auth/approle/role/app/secret-id", {"cidr_list": "0.0.0.0/0"})
    assert "CIDR restrictions" in wide.public_message


@run_async
async def test_secret_id_accessor_lookup_destroy_and_list() -> None:
    h = await _approle()
    role_id, secret_id = await _ids(h)
    accessors = (await h.call(LIST, "auth/approle/role/app/secret-id/")).data
    assert accessors is not None
    (accessor,) = accessors["keys"]
    found = (
        await h.write(
            "auth/approle/role/app/secret-id-accessor/lookup", {"secret_id_accessor": accessor}
        )
    ).data
    assert found is not None
    assert found["secret_id_accessor"] == accessor
    assert "secret_id" not in found
    await h.write(
        "auth/approle/role/app/secret-id-accessor/destroy", {"secret_id_accessor": accessor}
    )
    gone = await h.error(
        UPDATE, "auth/approle/login", {"role_id": role_id, "secret_id": secret_id}, token=""
    )
    assert isinstance(gone, InvalidCredentials)
    assert isinstance(await h.error(LIST, "auth/approle/role/app/secret-id/"), NotFound)


@run_async
async def test_custom_role_id_and_secret_id() -> None:
    h = await _approle()
    await h.write("auth/approle/role/app/role-id", {"role_id": "my-role-id"})
    await h.write("auth/approle/role/app/custom-secret-id", {"secret_id": "my-secret"})
    assert await _login(h, "my-role-id", "my-secret")
    await h.write("auth/approle/role/other", {"token_policies": "x"})
    taken = await h.error(UPDATE, "auth/approle/role/other/role-id", {"role_id": "my-role-id"})
    assert taken.public_message == "role_id already in use"


@run_async
async def test_wrapped_secret_id_unwraps_once_and_logs_in() -> None:
    h = await _approle()
    role_id = (await h.read("auth/approle/role/app/role-id")).data
    assert role_id is not None
    request_wrap = await h.core.handle(
        Request(
            operation=UPDATE,
            path="auth/approle/role/app/secret-id",
            client_token=h.root,
            wrap_ttl=60,
        )
    )
    assert request_wrap.wrap_info is not None
    assert request_wrap.data is None
    wrapping_token = request_wrap.wrap_info.token
    unwrapped = await h.write("sys/wrapping/unwrap", {}, token=wrapping_token)
    assert unwrapped.data is not None
    secret_id = unwrapped.data["secret_id"]
    assert await _login(h, role_id["role_id"], secret_id)
    again = await h.error(UPDATE, "sys/wrapping/unwrap", {}, token=wrapping_token)
    assert again.status in (400, 403)


@run_async
async def test_lockout_by_role_id_and_renewal_needs_the_role() -> None:
    h = await _approle(token_ttl="1h")
    role_id, secret_id = await _ids(h)
    token = await _login(h, role_id, secret_id)
    renewed = (await h.write("auth/token/renew-self", {}, token=token)).auth
    assert renewed is not None
    assert renewed.lease_duration == 3600
    for _ in range(5):
        await h.error(
            UPDATE, "auth/approle/login", {"role_id": role_id, "secret_id": "x"}, token=""
        )
    locked = await h.error(
        UPDATE, "auth/approle/login", {"role_id": role_id, "secret_id": secret_id}, token=""
    )
    assert isinstance(locked, PermissionDenied)
    await h.call(DELETE, "auth/approle/role/app")
    gone = await h.error(UPDATE, "auth/token/renew-self", {}, token=token)
    assert "does not exist during renewal" in gone.public_message
    assert isinstance(await h.error(READ, "auth/approle/role/app"), NotFound)


@run_async
async def test_concurrent_logins_spend_a_single_use_secret_id_once() -> None:
    h = await _approle(secret_id_num_uses=1)
    role_id, secret_id = await _ids(h)

    async def attempt() -> bool:
        try:
            await _login(h, role_id, secret_id)
        except (InvalidCredentials, PermissionDenied):  # refused, or locked out by then
            return False
        return True

    results = await asyncio.gather(*(attempt() for _ in range(8)))
    assert results.count(True) == 1


@run_async
async def test_bad_role_input_writes_nothing() -> None:
    h = await _approle()
    for body in (
        {"secret_id_num_uses": -1},
        {"token_ttl": "2h", "token_max_ttl": "1h"},
        {"bind_secret_id": False},
        {"secret_id_bound_cidrs": "10.0.0.0/99"},
    ):
        err = await h.error(UPDATE, "auth/approle/role/new", body)
        assert err.status in (400, 500)
        assert isinstance(await h.error(READ, "auth/approle/role/new"), NotFound)
    before = (await h.read("auth/approle/role/app")).data
    await h.error(UPDATE, "auth/approle/role/app", {"token_type": "batch"})
    assert (await h.read("auth/approle/role/app")).data == before
