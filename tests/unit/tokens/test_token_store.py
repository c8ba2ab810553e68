"""The token store: hashing, expiry, use counts, revocation trees, accessors, renewal, roles."""

from __future__ import annotations

import asyncio
import string
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.unit.tokens.harness import ROOT, FakeClock, Harness, run

from sealbox.auth.token.wire import token_auth
from sealbox.core.tokens import TokenStore, TTLLimits, calculate_ttl
from sealbox.errors import InvalidRequest
from sealbox.goformat import human_duration
from sealbox.logical.tokens import REVOCATION_PENDING, TokenEntry, TokenRole
from sealbox.storage.inmem import InMemoryStorage

_BASE62 = set(string.ascii_letters + string.digits)


async def _dump(storage: InMemoryStorage) -> bytes:
    out = b""
    for key in await _all_keys(storage, ""):
        out += key.encode() + b"=" + (await storage.get(key) or b"") + b"\n"
    return out


async def _all_keys(storage: InMemoryStorage, prefix: str) -> list[str]:
    keys: list[str] = []
    for child in await storage.list(prefix):
        if child.endswith("/"):
            keys += await _all_keys(storage, prefix + child)
        else:
            keys.append(prefix + child)
    return keys


def _child(h: Harness, parent: TokenEntry | None, **kw: object) -> tuple[str, TokenEntry]:
    return run(h.store.create(policies=["p"], parent=parent, **kw))  # type: ignore[arg-type]


def _root_entry(h: Harness) -> TokenEntry:
    entry = run(h.store.lookup(ROOT))
    assert entry is not None
    return entry


def test_token_shape_is_28_char_hvs_and_24_char_accessor(harness: Harness) -> None:
    token, entry = _child(harness, _root_entry(harness))
    assert len(token) == 28
    assert token.startswith("hvs.")
    assert set(token[4:]) <= _BASE62
    assert len(entry.accessor) == 24
    assert set(entry.accessor) <= _BASE62


@pytest.mark.parametrize("custom_id", [None, "my-custom-token-id"], ids=["random", "custom"])
def test_raw_token_never_reaches_storage(harness: Harness, custom_id: str | None) -> None:
    token, _ = run(harness.store.create(policies=["p"], parent=None, token_id=custom_id))
    dump = run(_dump(harness.storage))
    assert token.encode() not in dump
    assert ROOT.encode() not in dump
    assert run(harness.store.lookup(token)) is not None


def test_salt_persists_across_store_instances(harness: Harness) -> None:
    token, _ = _child(harness, None)
    other = TokenStore(harness.storage, clock=harness.clock)
    found = run(other.lookup(token))
    assert found is not None
    assert found.policies == ("p",)


@pytest.mark.parametrize("token", ["", "hvs.nope", "root-token-for-testsX"])
def test_lookup_unknown_is_none(harness: Harness, token: str) -> None:
    assert run(harness.store.lookup(token)) is None


def test_root_token_never_expires_and_is_not_renewable(harness: Harness) -> None:
    entry = _root_entry(harness)
    assert entry.policies == ("root",)
    assert entry.expire_time is None
    assert not entry.renewable
    assert entry.orphan
    harness.clock.advance(10 * 365 * 86400)
    assert run(harness.store.lookup(ROOT)) is not None


def test_expiry_with_injected_clock_revokes_children(harness: Harness) -> None:
    parent_token, parent = _child(harness, _root_entry(harness), ttl=60)
    child_token, _ = _child(harness, parent, ttl=3600)
    harness.clock.advance(59)
    assert run(harness.store.lookup(parent_token)) is not None
    harness.clock.advance(1)
    assert run(harness.store.lookup(parent_token)) is None
    assert run(harness.store.lookup(child_token)) is None


def test_default_and_max_ttl_apply(clock: FakeClock) -> None:
    store = TokenStore(InMemoryStorage(), clock=clock, max_lease_ttl=7200, default_lease_ttl=600)
    _, default = run(store.create(policies=["p"], parent=None))
    _, capped = run(store.create(policies=["p"], parent=None, ttl=99999))
    _, explicit = run(store.create(policies=["p"], parent=None, ttl=3000, explicit_max_ttl=1000))
    _, periodic = run(store.create(policies=["p"], parent=None, ttl=50, period=300))
    assert (default.ttl, capped.ttl, explicit.ttl, periodic.ttl) == (600, 7200, 1000, 300)


def test_duplicate_custom_id_is_refused(harness: Harness) -> None:
    with pytest.raises(InvalidRequest, match="duplicate ID"):
        run(harness.store.create(policies=["p"], parent=None, token_id=ROOT))


def test_expiring_parent_cannot_make_non_expiring_root(harness: Harness) -> None:
    _, parent = run(harness.store.create(policies=["root"], parent=None, ttl=60))
    with pytest.raises(InvalidRequest, match="non-expiring root"):
        run(harness.store.create(policies=["root"], parent=parent))


def test_num_uses_last_use_succeeds_then_token_is_gone(harness: Harness) -> None:
    token, entry = _child(harness, _root_entry(harness), num_uses=3)
    child_token, _ = _child(harness, entry)
    remaining = []
    for _ in range(3):
        found = run(harness.store.lookup(token))
        assert found is not None
        remaining.append(run(harness.store.use(token, found)).num_uses)
    assert remaining == [2, 1, REVOCATION_PENDING]
    assert run(harness.store.lookup(token)) is None
    assert run(harness.store.lookup(child_token)) is None


def test_use_of_unlimited_token_changes_nothing(harness: Harness) -> None:
    token, entry = _child(harness, None)
    assert run(harness.store.use(token, entry)) == entry


def test_revoke_tree_children_first_and_hooks_run(harness: Harness) -> None:
    seen: list[str] = []

    async def hook(entry: TokenEntry) -> None:
        seen.append(entry.accessor)

    harness.store.on_revoke.append(hook)
    a_token, a = _child(harness, _root_entry(harness))
    b_token, b = _child(harness, a)
    c_token, c = _child(harness, b)
    assert run(harness.store.revoke(a_token))
    assert seen == [c.accessor, b.accessor, a.accessor]
    for token in (a_token, b_token, c_token):
        assert run(harness.store.lookup(token)) is None
    assert run(harness.store.lookup(ROOT)) is not None
    assert not run(harness.store.revoke(a_token))


def test_revoke_orphan_keeps_children_as_orphans(harness: Harness) -> None:
    a_token, a = _child(harness, _root_entry(harness))
    b_token, _ = _child(harness, a)
    assert run(harness.store.revoke_orphan(a))
    child = run(harness.store.lookup(b_token))
    assert child is not None
    assert child.orphan
    assert child.parent == ""
    assert run(harness.store.lookup(a_token)) is None


def test_accessor_lookup_revoke_and_listing(harness: Harness) -> None:
    token, entry = _child(harness, _root_entry(harness))
    found = run(harness.store.lookup_accessor(entry.accessor))
    assert found is not None
    assert found.id_hash == entry.id_hash
    accessors = run(harness.store.list_accessors())
    assert entry.accessor in accessors
    assert len(accessors) == 2
    assert run(harness.store.lookup_accessor("x" * 24)) is None
    assert run(harness.store.revoke_accessor(entry.accessor))
    assert run(harness.store.lookup(token)) is None
    assert not run(harness.store.revoke_accessor(entry.accessor))
    assert run(harness.store.list_accessors()) == [_root_entry(harness).accessor]


def test_renew_extends_from_now(harness: Harness) -> None:
    _, entry = _child(harness, None, ttl=600)
    harness.clock.advance(300)
    renewed = run(harness.store.renew(entry, 1200))
    assert renewed.lease_ttl == 1200
    assert renewed.remaining(harness.clock.now) == 1200
    assert renewed.last_renewal == harness.clock.now
    assert renewed.ttl == 600  # creation TTL is kept
    again = run(harness.store.renew(renewed, 0))
    assert again.lease_ttl == 1200  # no increment: the last grant again


def test_renew_is_capped_by_explicit_max_ttl(harness: Harness) -> None:
    _, entry = _child(harness, None, ttl=3600, explicit_max_ttl=5400)
    harness.clock.advance(1800)
    assert run(harness.store.renew(entry, 7200)).lease_ttl == 3600
    harness.clock.advance(3599)
    assert run(harness.store.renew(entry, 60)).lease_ttl == 1
    harness.clock.advance(1)
    with pytest.raises(InvalidRequest, match="token not found"):
        run(harness.store.renew(entry, 60))


def test_renew_of_periodic_token_grants_the_period(harness: Harness) -> None:
    _, entry = _child(harness, None, period=600, ttl=3600)
    harness.clock.advance(300)
    assert run(harness.store.renew(entry, 7200)).lease_ttl == 600


def test_renew_of_role_token_uses_the_role_period(harness: Harness) -> None:
    run(harness.store.roles.write(TokenRole(name="r", token_period=900)))
    _, entry = _child(harness, None, role="r", ttl=60)
    assert run(harness.store.renew(entry, 7200)).lease_ttl == 900


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"renewable": False, "ttl": 60}, "not renewable"),
        ({"policies": ["root"]}, "not renewable"),
    ],
    ids=["not-renewable", "non-expiring"],
)
def test_renew_refusals(harness: Harness, kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"policies": ["p"], "parent": None, **kwargs}
    _, entry = run(harness.store.create(**args))  # type: ignore[arg-type]
    with pytest.raises(InvalidRequest, match=message):
        run(harness.store.renew(entry, 60))


def test_renew_of_revoked_token_is_refused(harness: Harness) -> None:
    token, entry = _child(harness, None)
    run(harness.store.revoke(token))
    with pytest.raises(InvalidRequest, match="token not found"):
        run(harness.store.renew(entry, 60))


def test_tidy_removes_expired_and_dangling(harness: Harness) -> None:
    _, short = _child(harness, None, ttl=10)
    long_token, _ = _child(harness, None, ttl=1000)
    harness.clock.advance(20)
    assert run(harness.store.tidy()) == 1
    assert run(harness.store.lookup(long_token)) is not None
    assert short.accessor not in run(harness.store.list_accessors())


def test_cache_is_invalidated_on_every_change(harness: Harness) -> None:
    token, entry = _child(harness, None, num_uses=5)
    assert run(harness.store.lookup(token)) == entry  # now cached
    run(harness.store.use(token, entry))
    found = run(harness.store.lookup(token))
    assert found is not None
    assert found.num_uses == 4
    run(harness.store.revoke(token))
    assert run(harness.store.lookup(token)) is None


def test_roles_crud(harness: Harness) -> None:
    roles = harness.store.roles
    assert run(roles.list()) == []
    run(roles.write(TokenRole(name="b", allowed_policies=("x",))))
    run(roles.write(TokenRole(name="a", orphan=True)))
    assert run(roles.list()) == ["a", "b"]
    role = run(roles.read("b"))
    assert role is not None
    assert role.allowed_policies == ("x",)
    assert run(roles.read("B")) is None  # names are case-sensitive, as in OpenBao
    run(roles.delete("a"))
    assert run(roles.read("a")) is None
    assert run(roles.list()) == ["b"]


def test_reprs_redact_token_material(harness: Harness) -> None:
    token, entry = _child(harness, None)
    for text in (repr(entry), repr(token_auth(entry, token)), repr(harness.store)):
        assert token not in text
        assert entry.id_hash not in text
        assert entry.cubbyhole_id not in text


_times = st.datetimes(  # naive bounds are what hypothesis wants with timezones=
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@given(
    ttl=st.integers(0, 10**8),
    explicit=st.integers(0, 10**8),
    period=st.integers(0, 10**8),
    num_uses=st.integers(0, 100),
    created=_times,
    meta=st.none() | st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
)
def test_entry_json_round_trip(
    ttl: int,
    explicit: int,
    period: int,
    num_uses: int,
    created: datetime,
    meta: dict[str, str] | None,
) -> None:
    entry = TokenEntry(
        id_hash="h" * 64,
        accessor="a" * 24,
        policies=("default", "x"),
        creation_time=created,
        meta=meta or None,
        ttl=ttl,
        explicit_max_ttl=explicit,
        period=period,
        num_uses=num_uses,
        expire_time=created,
    )
    assert TokenEntry.from_json(entry.to_json()) == entry


def test_periodic_token_outlives_the_max_ttl_with_renewals(clock: FakeClock) -> None:
    store = TokenStore(InMemoryStorage(), clock=clock, max_lease_ttl=3600, default_lease_ttl=600)
    token, entry = run(store.create(policies=["p"], parent=None, period=600))
    for _ in range(20):
        clock.advance(500)
        entry = run(store.renew(entry, 0))
    assert run(store.lookup(token)) is not None
    clock.advance(601)
    assert run(store.lookup(token)) is None


def test_concurrent_first_use_shares_one_salt(clock: FakeClock) -> None:
    store = TokenStore(InMemoryStorage(), clock=clock)

    async def both() -> list[tuple[str, TokenEntry]]:
        return list(
            await asyncio.gather(*(store.create(policies=["p"], parent=None) for _ in range(5)))
        )

    created = run(both())
    for token, entry in created:
        found = run(store.lookup(token))
        assert found is not None
        assert found.accessor == entry.accessor


def test_tidy_revokes_children_of_vanished_parents(harness: Harness) -> None:
    parent_token, parent = _child(harness, None)
    child_token, _ = _child(harness, parent)
    harness.store.on_revoke.clear()
    # Remove only the parent's record, as a crash between writes could leave it.
    run(harness.storage.delete("id/" + parent.id_hash))
    harness.store.invalidate()
    assert run(harness.store.tidy()) == 1
    assert run(harness.store.lookup(child_token)) is None
    assert run(harness.store.lookup(parent_token)) is None


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (45, "45s"), (60, "1m"), (90, "1m30s"), (3600, "1h"), (5400, "1h30m"),
     (2764800, "768h"), (3661, "1h1m1s")],
)  # fmt: skip
def test_human_duration(seconds: int, text: str) -> None:
    assert human_duration(seconds) == text


@given(
    elapsed=st.integers(0, 10**6),
    increment=st.integers(0, 10**7),
    ttl=st.integers(0, 10**7),
    period=st.integers(0, 10**7),
    explicit=st.integers(0, 10**7),
)
def test_calculate_ttl_never_passes_the_limits(
    elapsed: int, increment: int, ttl: int, period: int, explicit: int
) -> None:
    limits = TTLLimits(default_ttl=600, max_ttl=86400)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    now = start + timedelta(seconds=elapsed)
    try:
        granted, _ = calculate_ttl(
            limits, start=start, now=now, increment=increment, ttl=ttl, period=period,
            explicit_max_ttl=explicit,
        )  # fmt: skip
    except InvalidRequest:
        return
    assert 0 < granted <= limits.max_ttl
    if explicit:
        assert elapsed + granted <= explicit
    if not period:
        assert elapsed + granted <= limits.max_ttl
