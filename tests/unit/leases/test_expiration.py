"""The expiration manager over in-memory storage, a real token store and a small backend
whose revocation can be made to fail; time comes from an injected clock."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest

from sealbox.core.expiration import ExpirationManager
from sealbox.core.leases.entry import backoff, check_lease_id
from sealbox.core.leases.schedule import Schedule
from sealbox.core.leases.target import LeaseTarget
from sealbox.core.tokens import TokenStore
from sealbox.errors import InternalError, InvalidRequest
from sealbox.framework import Backend, BackendConfig
from sealbox.logical import Operation, Request, Response, Secret, StorageView, TxOp
from sealbox.storage.inmem import InMemoryStorage

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Issuer(Backend):
    """Records revocations and renewals; ``fail`` makes revocation raise."""

    def __init__(self, config: BackendConfig) -> None:
        super().__init__(config)
        self.revoked: list[str] = []
        self.renewed: list[int] = []
        self.fail = False

    async def revoke_lease(self, req: Request, secret: Secret) -> None:  # noqa: ARG002
        if self.fail:
            raise InternalError("database unreachable")
        self.revoked.append(secret.internal_data["user"])

    async def renew_lease(self, req: Request, secret: Secret) -> Secret:  # noqa: ARG002
        self.renewed.append(secret.ttl)
        return secret


class Harness:
    def __init__(self, storage: InMemoryStorage | None = None, clock: Clock | None = None) -> None:
        self.storage = storage or InMemoryStorage()
        self.clock = clock or Clock()
        self.tokens = TokenStore(StorageView(self.storage, "sys/token/"), clock=self.clock)
        self.backend = Issuer(
            BackendConfig(
                "test/", "test", StorageView(self.storage, "logical/x/"), max_lease_ttl=7200
            )
        )
        self.manager = ExpirationManager(
            StorageView(self.storage, "sys/expire/"), self._route, self.tokens, self.clock
        )
        self.tokens.on_revoke.append(self.manager.revoke_by_token)

    def _route(self, path: str) -> LeaseTarget | None:
        if not path.startswith("test/"):
            return None
        return LeaseTarget(self.backend, self.backend.config.storage, "test/", path[5:])

    async def issue(
        self,
        user: str,
        ttl: int = 60,
        max_ttl: int = 0,
        token: Any = None,
        mount_type: str = "test",
    ) -> str:
        req = Request(
            Operation.READ,
            "creds/role",
            mount_point="test/",
            mount_type=mount_type,
            token_entry=token,
        )
        secret = Secret(ttl=ttl, max_ttl=max_ttl, renewable=True, internal_data={"user": user})
        await self.manager.register(req, Response(secret=secret))
        return secret.lease_id


async def _settle(condition: Any) -> None:
    for _ in range(200):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("background work did not happen")


def test_register_gives_an_openbao_style_id_and_lookup_shape() -> None:
    async def scenario() -> None:
        h = Harness()
        lease_id = await h.issue("u1", ttl=60)
        prefix, suffix = lease_id.rsplit("/", 1)
        assert prefix == "test/creds/role"
        assert len(suffix) == 24
        assert suffix.isalnum()
        h.clock.advance(10)
        wire = await h.manager.lookup(lease_id)
        assert wire == {
            "id": lease_id,
            "issue_time": "2026-01-01T00:00:00Z",
            "expire_time": "2026-01-01T00:01:00Z",
            "last_renewal": None,
            "renewable": True,
            "ttl": 50,
            "path": "test/creds/role",
        }
        assert await h.manager.list_ids("test/creds") == ["role/"]
        assert await h.manager.list_ids("test/creds/role/") == [suffix]

    run(scenario())


def test_ttl_is_capped_by_the_mount_max_and_kv_registers_nothing() -> None:
    async def scenario() -> None:
        h = Harness()
        lease_id = await h.issue("u1", ttl=99999)
        assert (await h.manager.lookup(lease_id))["ttl"] == 7200
        assert await h.issue("u2", mount_type="kv") == ""

    run(scenario())


def test_renew_is_capped_by_max_ttl_from_issue_time() -> None:
    async def scenario() -> None:
        h = Harness()
        lease_id = await h.issue("u1", ttl=60, max_ttl=300)
        h.clock.advance(30)
        answer = await h.manager.renew(lease_id, 1000)
        assert answer.secret is not None
        assert answer.secret.ttl == 270
        assert answer.warnings == [
            'TTL of "16m40s" exceeded the effective max_ttl of "4m30s"; TTL value is capped accordingly'
        ]
        assert h.backend.renewed == [270]
        answer = await h.manager.renew(lease_id, 0)  # default increment: the lease's TTL
        assert answer.secret is not None
        assert answer.secret.ttl == 60
        with pytest.raises(InvalidRequest, match="lease not found"):
            await h.manager.renew("test/creds/role/nosuch", 10)
        h.clock.advance(1000)
        with pytest.raises(InvalidRequest, match="lease expired"):
            await h.manager.renew(lease_id, 10)

    run(scenario())


def test_failed_revocation_is_kept_with_its_error_and_backs_off() -> None:
    async def scenario() -> None:
        h = Harness()
        lease_id = await h.issue("u1")
        h.backend.fail = True
        with pytest.raises(InvalidRequest, match="failed to revoke entry: database unreachable"):
            await h.manager.revoke(lease_id)
        wire = await h.manager.lookup(lease_id)
        assert wire["revocation_attempts"] == 1
        assert wire["last_revocation_error"] == "database unreachable"
        assert wire["next_revocation_attempt"] == "2026-01-01T00:00:01Z"
        with pytest.raises(InvalidRequest):
            await h.manager.revoke(lease_id)
        assert (await h.manager.lookup(lease_id))["revocation_attempts"] == 2
        h.backend.fail = False
        await h.manager.revoke(lease_id)
        assert h.backend.revoked == ["u1"]
        with pytest.raises(InvalidRequest, match="invalid lease"):
            await h.manager.lookup(lease_id)

    run(scenario())


def test_revoke_force_removes_what_cannot_be_revoked() -> None:
    async def scenario() -> None:
        h = Harness()
        ids = [await h.issue(f"u{i}") for i in range(3)]
        h.backend.fail = True
        with pytest.raises(InvalidRequest, match="3 lease"):
            await h.manager.revoke_prefix("test/creds")
        await h.manager.revoke_prefix("test/creds", force=True)
        for lease_id in ids:
            with pytest.raises(InvalidRequest):
                await h.manager.lookup(lease_id)

    run(scenario())


def test_revoking_a_token_revokes_only_its_leases() -> None:
    async def scenario() -> None:
        h = Harness()
        _, parent = await h.tokens.create(policies=["p"], parent=None, ttl=600)
        _, child = await h.tokens.create(policies=["p"], parent=parent, ttl=600)
        await h.issue("parent", token=parent)
        await h.issue("child", token=child)
        other = await h.issue("other")
        await h.tokens.revoke(parent)
        assert sorted(h.backend.revoked) == ["child", "parent"]
        assert (await h.manager.lookup(other))["id"] == other

    run(scenario())


def test_expired_while_stopped_is_revoked_on_start() -> None:
    async def scenario() -> None:
        storage, clock = InMemoryStorage(), Clock()
        first = Harness(storage, clock)
        await first.issue("gone", ttl=60)
        kept = await first.issue("kept", ttl=3600)
        clock.advance(120)
        second = Harness(storage, clock)
        await second.manager.start()
        try:
            await _settle(lambda: second.backend.revoked == ["gone"])
            assert (await second.manager.lookup(kept))["ttl"] == 3480
        finally:
            await second.manager.stop()

    run(scenario())


def test_tidy_revokes_the_leases_of_an_expired_token() -> None:
    async def scenario() -> None:
        h = Harness()
        await h.manager.start()
        try:
            token, entry = await h.tokens.create(policies=["p"], parent=None, ttl=30)
            await h.issue("holder", ttl=3600, token=entry)
            h.clock.advance(31)
            await h.manager.tidy()
            assert h.backend.revoked == ["holder"]
            assert await h.tokens.lookup(token) is None
        finally:
            await h.manager.stop()

    run(scenario())


def test_schedule_skips_stale_alarms() -> None:
    schedule, t0 = Schedule(), datetime(2026, 1, 1, tzinfo=UTC)
    schedule.set("a", t0 + timedelta(seconds=5))
    schedule.set("a", t0 + timedelta(seconds=50))  # rescheduled later
    schedule.set("b", t0 + timedelta(seconds=10))
    schedule.cancel("b")
    assert schedule.pop_due(t0 + timedelta(seconds=20)) == []
    assert schedule.next_due() == t0 + timedelta(seconds=50)
    assert schedule.pop_due(t0 + timedelta(seconds=50)) == ["a"]
    assert len(schedule) == 0


@pytest.mark.parametrize("bad", ["", "../x", "a/../b", "/abs", "a b", "a//b"])
def test_lease_ids_that_cannot_be_storage_keys_are_invalid(bad: str) -> None:
    with pytest.raises(InvalidRequest, match="invalid lease"):
        check_lease_id(bad)


def test_backoff_doubles_up_to_the_cap() -> None:
    assert [backoff(n, 1.0, 10.0).total_seconds() for n in range(1, 7)] == [1, 2, 4, 8, 10, 10]


class FullDisk(InMemoryStorage):
    """Storage whose lease writes fail (a full disk under the lease store)."""

    async def transaction(self, ops: list[TxOp]) -> None:
        if any(op.key.startswith("sys/expire/") for op in ops):
            raise OSError("no space left on device")
        await super().transaction(ops)


def test_a_secret_that_cannot_be_registered_is_revoked_at_once() -> None:
    async def scenario() -> None:
        h = Harness(storage=FullDisk())
        with pytest.raises(OSError, match="no space"):
            await h.issue("orphan")
        assert h.backend.revoked == ["orphan"]

    run(scenario())
