"""userpass through the whole core: users CRUD, login tokens, renewal rules, lockout."""

from __future__ import annotations

import base64
import hashlib

from tests.unit.auth.harness import Harness, make_harness, run_async

from sealbox.auth.userpass import UserpassAuthMethod
from sealbox.auth.userpass.password import hash_password, verify_password
from sealbox.errors import InvalidCredentials, NotFound, PermissionDenied
from sealbox.logical import Operation, Request

UPDATE, READ, DELETE, LIST = Operation.UPDATE, Operation.READ, Operation.DELETE, Operation.LIST


async def _userpass(**user: object) -> Harness:
    h = await make_harness()
    await h.write("sys/auth/userpass", {"type": "userpass"})
    await h.write("auth/userpass/users/alice", {"password": "s3cret", **user})
    return h


def _backend(h: Harness) -> UserpassAuthMethod:
    route = h.core.mounts.router.get("auth/userpass/")
    assert route is not None
    assert isinstance(route.backend, UserpassAuthMethod)
    return route.backend


def test_password_hash_is_salted_bcrypt_and_verifies() -> None:
    first, second = hash_password("pw"), hash_password("pw")
    assert first != second
    assert first.startswith("bcrypt-sha256$$2b$10$")
    assert verify_password("pw", first)
    assert not verify_password("pW", first)
    assert not verify_password("pw", None)
    assert not verify_password("pw", "garbage")
    assert not verify_password("pw", "bcrypt-sha256$garbage")


def test_every_byte_of_a_long_password_counts() -> None:
    """bcrypt alone reads 72 bytes and stops at a NUL; the HMAC in front removes both limits."""
    long = "x" * 100
    stored = hash_password(long)
    assert verify_password(long, stored)
    assert not verify_password("x" * 99 + "y", stored)
    assert not verify_password("x" * 72, stored)
    with_nul = hash_password("a\x00b")
    assert verify_password("a\x00b", with_nul)
    assert not verify_password("a\x00c", with_nul)


def test_hashes_in_the_earlier_scrypt_form_still_verify() -> None:
    salt = b"0123456789abcdef"
    digest = hashlib.scrypt(b"pw", salt=salt, n=2**14, r=8, p=1, dklen=32)
    stored = (
        f"scrypt$16384$8$1${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"
    )
    assert verify_password("pw", stored)
    assert not verify_password("pW", stored)
    assert not verify_password("pw", "md5$" + stored.partition("$")[2])


@run_async
async def test_login_issues_a_token_with_the_users_policies() -> None:
    h = await _userpass(token_policies="p1,P2", token_ttl="1h", token_max_ttl="2h")
    login = await h.write("auth/userpass/login/Alice", {"password": "s3cret"}, token="")
    auth = login.auth
    assert auth is not None
    assert auth.client_token.startswith("hvs.")
    assert auth.token_policies == ["default", "p1", "p2"]
    assert auth.metadata == {"username": "alice"}
    assert auth.lease_duration == 3600
    assert auth.renewable
    assert auth.orphan
    assert auth.entity_id
    lookup = await h.read("auth/token/lookup-self", token=auth.client_token)
    assert lookup.data is not None
    assert lookup.data["display_name"] == "userpass-alice"
    assert lookup.data["path"] == "auth/userpass/login/Alice"  # compat: the path as sent
    assert lookup.data["policies"] == ["default", "p1", "p2"]


@run_async
async def test_wrong_password_and_unknown_user_answer_alike() -> None:
    h = await _userpass()
    wrong = await h.error(UPDATE, "auth/userpass/login/alice", {"password": "x"}, token="")
    unknown = await h.error(UPDATE, "auth/userpass/login/bob", {"password": "x"}, token="")
    for err in (wrong, unknown):
        assert isinstance(err, InvalidCredentials)
        assert err.status == 400
        assert err.public_message == "invalid username or password"
    missing = await h.error(UPDATE, "auth/userpass/login/alice", {}, token="")
    assert missing.status == 500  # compat: OpenBao answers 500 here
    assert missing.public_message == "missing password"
    assert len(await h.core.tokens.list_accessors()) == 1  # only the root token: nothing issued


@run_async
async def test_users_crud_and_legacy_policies_field() -> None:
    h = await _userpass(policies="a, b", ttl="10m")
    data = (await h.read("auth/userpass/users/alice")).data
    assert data is not None
    assert "password" not in data
    assert "password_hash" not in data
    assert data["token_policies"] == ["a", "b"]
    assert data["policies"] == ["a", "b"]
    assert data["token_ttl"] == 600
    assert data["ttl"] == 600
    await h.write("auth/userpass/users/alice/policies", {"token_policies": "c"})
    data = (await h.read("auth/userpass/users/alice")).data
    assert data is not None
    assert data["token_policies"] == ["c"]
    assert "policies" not in data
    keys = (await h.call(LIST, "auth/userpass/users/")).data
    assert keys == {"keys": ["alice"]}
    # compat: both names at once: the new one wins (OpenBao answers 204)
    await h.write("auth/userpass/users/alice", {"policies": "x", "token_policies": "y"})
    both = (await h.read("auth/userpass/users/alice")).data
    assert both is not None
    assert both["token_policies"] == ["y"]
    no_pw = await h.error(UPDATE, "auth/userpass/users/bob", {"token_policies": "x"})
    assert no_pw.public_message == "must provide either password or password_hash"
    bad_ttl = await h.error(
        UPDATE, "auth/userpass/users/alice", {"token_ttl": "3h", "token_max_ttl": "1h"}
    )
    assert bad_ttl.status == 400
    await h.call(DELETE, "auth/userpass/users/alice")
    assert isinstance(await h.error(READ, "auth/userpass/users/alice"), NotFound)


@run_async
async def test_password_change_takes_effect() -> None:
    h = await _userpass()
    await h.write("auth/userpass/users/alice/password", {"password": "new"})
    await h.error(UPDATE, "auth/userpass/login/alice", {"password": "s3cret"}, token="")
    assert (await h.write("auth/userpass/login/alice", {"password": "new"}, token="")).auth
    gone = await h.error(UPDATE, "auth/userpass/users/zed/password", {"password": "x"})
    assert gone.public_message == "username does not exist"


@run_async
async def test_lockout_after_threshold_refuses_even_the_right_password() -> None:
    h = await _userpass()
    for _ in range(4):
        await h.error(UPDATE, "auth/userpass/login/alice", {"password": "bad"}, token="")
    # four failures: still open
    assert (await h.write("auth/userpass/login/alice", {"password": "s3cret"}, token="")).auth
    for _ in range(5):
        await h.error(UPDATE, "auth/userpass/login/alice", {"password": "bad"}, token="")
    locked = await h.error(UPDATE, "auth/userpass/login/alice", {"password": "s3cret"}, token="")
    assert isinstance(locked, PermissionDenied)
    assert locked.status == 403
    # other users are not affected
    await h.write("auth/userpass/users/bob", {"password": "pw"})
    assert (await h.write("auth/userpass/login/bob", {"password": "pw"}, token="")).auth
    # the lock lapses after lockout_duration
    backend = _backend(h)
    backend.lockout._clock = h.clock
    backend.lockout.failed("carol")
    for _ in range(4):
        backend.lockout.failed("carol")
    assert backend.lockout.locked("carol")
    h.clock.advance(15 * 60)
    assert not backend.lockout.locked("carol")


@run_async
async def test_renewal_follows_the_user_not_the_system() -> None:
    h = await _userpass(token_policies="p1", token_ttl="1h", token_max_ttl="90m")
    token = (await h.write("auth/userpass/login/alice", {"password": "s3cret"}, token="")).auth
    assert token is not None
    h.clock.advance(1800)
    renewed = (
        await h.write("auth/token/renew-self", {"increment": "2h"}, token=token.client_token)
    ).auth
    assert renewed is not None
    assert renewed.lease_duration == 3600  # capped by token_max_ttl: 90m from creation
    await h.write("auth/userpass/users/alice", {"token_policies": "p1,p2"})
    changed = await h.error(UPDATE, "auth/token/renew-self", {}, token=token.client_token)
    assert changed.public_message == "failed to renew entry: policies have changed, not renewing"
    await h.call(DELETE, "auth/userpass/users/alice")
    gone = await h.error(UPDATE, "auth/token/renew-self", {}, token=token.client_token)
    assert gone.status == 500  # compat: OpenBao's expiration manager reports it as a 500
    assert gone.public_message.startswith("failed to renew entry: ")


@run_async
async def test_bound_cidrs_refuse_logins_from_elsewhere() -> None:
    h = await _userpass(token_bound_cidrs="10.0.0.0/8")
    far = await h.error(
        UPDATE, "auth/userpass/login/alice", {"password": "s3cret"}, token="", address="192.0.2.1"
    )
    assert isinstance(far, PermissionDenied)
    near = await h.write(
        "auth/userpass/login/alice", {"password": "s3cret"}, token="", address="10.1.2.3"
    )
    assert near.auth is not None
    token = near.auth.client_token
    # the token itself is bound too: usable from inside the block only
    lookup = await h.read("auth/token/lookup-self", token=token, address="10.9.9.9")
    assert lookup.data is not None
    assert lookup.data["bound_cidrs"] == ["10.0.0.0/8"]
    elsewhere = await h.error(READ, "auth/token/lookup-self", token=token, address="192.0.2.1")
    assert isinstance(elsewhere, PermissionDenied)


@run_async
async def test_login_token_is_bound_by_acl() -> None:
    h = await _userpass(token_policies="reader")
    await h.write(
        "sys/policies/acl/reader",
        {"policy": 'path "secret/data/app/*" { capabilities = ["read"] }'},
    )
    await h.write("sys/mounts/secret", {"type": "kv", "options": {"version": "2"}})
    await h.write("secret/data/app/db", {"data": {"pw": "x"}})
    await h.write("secret/data/other", {"data": {"pw": "y"}})
    token = (await h.write("auth/userpass/login/alice", {"password": "s3cret"}, token="")).auth
    assert token is not None
    got = await h.read("secret/data/app/db", token=token.client_token)
    assert got.data is not None
    assert got.data["data"] == {"pw": "x"}
    denied = await h.error(READ, "secret/data/other", token=token.client_token)
    assert isinstance(denied, PermissionDenied)


@run_async
async def test_token_backend_answers_are_not_taken_for_logins() -> None:
    h = await make_harness()
    made = (await h.write("auth/token/create", {"policies": ["default"], "ttl": "10m"})).auth
    assert made is not None
    before = len(await h.core.tokens.list_accessors())
    renewed = (
        await h.write("auth/token/renew-accessor", {"accessor": made.accessor, "increment": "5m"})
    ).auth
    assert renewed is not None
    assert renewed.client_token == ""
    assert renewed.lease_duration == 300
    assert len(await h.core.tokens.list_accessors()) == before


@run_async
async def test_login_ttls_follow_the_mount_tuning() -> None:
    h = await _userpass()
    await h.write("sys/auth/userpass/tune", {"default_lease_ttl": "20m", "max_lease_ttl": "30m"})
    auth = (await h.write("auth/userpass/login/alice", {"password": "s3cret"}, token="")).auth
    assert auth is not None
    assert auth.lease_duration == 1200
    h.clock.advance(600)
    renewed = (
        await h.write("auth/token/renew-self", {"increment": "1h"}, token=auth.client_token)
    ).auth
    assert renewed is not None
    assert renewed.lease_duration == 1200  # 30m mount max, counted from the login


@run_async
async def test_a_wrapped_login_hands_out_the_token_only_on_unwrap() -> None:
    h = await _userpass()
    wrapped = await h.core.handle(
        Request(
            operation=UPDATE,
            path="auth/userpass/login/alice",
            data={"password": "s3cret"},
            wrap_ttl=60,
            client_address="127.0.0.1",
        )
    )
    assert wrapped.auth is None
    assert wrapped.wrap_info is not None
    unwrapped = (await h.write("sys/wrapping/unwrap", {}, token=wrapped.wrap_info.token)).auth
    assert unwrapped is not None
    assert unwrapped.accessor == wrapped.wrap_info.wrapped_accessor
    lookup = (await h.read("auth/token/lookup-self", token=unwrapped.client_token)).data
    assert lookup is not None
    assert lookup["display_name"] == "userpass-alice"


@run_async
async def test_tuned_user_lockout_config_applies_at_once() -> None:
    h = await _userpass()
    tune = {"user_lockout_config": {"lockout_threshold": "2", "lockout_duration": "10m"}}
    await h.write("sys/auth/userpass/tune", tune)
    shown = (await h.read("sys/auth/userpass/tune")).data
    assert shown is not None
    assert shown["user_lockout_threshold"] == 2
    assert shown["user_lockout_duration"] == 600
    assert shown["user_lockout_disable"] is False
    for _ in range(2):
        await h.error(UPDATE, "auth/userpass/login/alice", {"password": "bad"}, token="")
    locked = await h.error(UPDATE, "auth/userpass/login/alice", {"password": "s3cret"}, token="")
    assert isinstance(locked, PermissionDenied)
    await h.write("sys/auth/userpass/tune", {"user_lockout_config": {"lockout_disable": True}})
    await h.write("auth/userpass/users/bob", {"password": "pw"})
    for _ in range(4):
        await h.error(UPDATE, "auth/userpass/login/bob", {"password": "bad"}, token="")
    assert (await h.write("auth/userpass/login/bob", {"password": "pw"}, token="")).auth
    bad = await h.error(
        UPDATE, "sys/auth/userpass/tune", {"user_lockout_config": {"lockout_threshold": "x"}}
    )
    assert bad.public_message.startswith("unable to parse user lockout threshold")


@run_async
async def test_a_login_never_issues_a_root_token() -> None:
    h = await _userpass(token_policies="root")
    refused = await h.error(UPDATE, "auth/userpass/login/alice", {"password": "s3cret"}, token="")
    assert refused.status == 400
    assert refused.public_message == "auth methods cannot create root tokens"
    assert len(await h.core.tokens.list_accessors()) == 1


@run_async
async def test_bad_user_input_writes_nothing() -> None:
    h = await _userpass()
    bad = await h.error(
        UPDATE, "auth/userpass/users/bob", {"password": "pw", "token_bound_cidrs": "nope"}
    )
    assert bad.status == 400
    assert isinstance(await h.error(READ, "auth/userpass/users/bob"), NotFound)
    before = (await h.read("auth/userpass/users/alice")).data
    await h.error(UPDATE, "auth/userpass/users/alice", {"password": "new", "token_num_uses": -1})
    assert (await h.read("auth/userpass/users/alice")).data == before
    # the password did not change either
    assert (await h.write("auth/userpass/login/alice", {"password": "s3cret"}, token="")).auth
