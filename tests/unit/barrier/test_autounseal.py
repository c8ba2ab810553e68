"""Auto-unseal with the static-key seal: init, self-unseal, recovery keys, migrations."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable
from pathlib import Path
from typing import TypeVar

import pytest

from sealbox.barrier import autounseal, seal_migration
from sealbox.barrier.barrier import Barrier
from sealbox.barrier.paths import (
    RECOVERY_CONFIG_PATH,
    ROOT_KEY_PATH,
    SEAL_CONFIG_PATH,
    SEALED_ROOT_KEY_PATH,
)
from sealbox.barrier.seal import (
    UnsealProgress,
    initialize,
    read_seal_config,
    recover_unseal_key,
    rekey_shares,
)
from sealbox.barrier.seals import SealDecryptError, SealStanza, StaticSeal, seal_setup
from sealbox.barrier.seals.static import StaticKeyError, load_key
from sealbox.errors import InvalidRequest
from sealbox.storage import InMemoryStorage

T = TypeVar("T")
KEY_A = bytes(range(32))
KEY_B = bytes(range(1, 33))


def run(coro: Awaitable[T]) -> T:
    async def wrapper() -> T:
        return await coro

    return asyncio.run(wrapper())


def static(key: bytes = KEY_A, key_id: str = "a") -> StaticSeal:
    return StaticSeal(key_id, key)


async def _write_and_seal(barrier: Barrier) -> None:
    await barrier.put("secret/x", b"kept across every seal change")
    barrier.seal()


def test_init_wraps_root_key_and_unseals_with_no_operator() -> None:
    physical = InMemoryStorage()
    barrier = Barrier(physical)
    result = run(autounseal.initialize_auto(physical, barrier, static(), 5, 3))
    assert len(result.key_shares) == 5
    config = run(read_seal_config(physical))
    assert config is not None
    assert config.seal_type == "static"
    assert run(physical.get(ROOT_KEY_PATH)) is None
    stored = json.loads(run(physical.get(SEALED_ROOT_KEY_PATH)) or b"{}")
    assert stored["type"] == "static"
    assert base64.b64encode(result.root_key).decode() not in json.dumps(stored)
    run(barrier.unseal(result.root_key))
    run(_write_and_seal(barrier))
    fresh = Barrier(physical)
    run(autounseal.unseal_auto(physical, fresh, static()))
    assert run(fresh.get("secret/x")) == b"kept across every seal change"
    assert run(autounseal.quorum(physical)) == (3, 5)


def test_wrong_static_key_stays_sealed() -> None:
    physical = InMemoryStorage()
    run(autounseal.initialize_auto(physical, Barrier(physical), static(), 1, 1))
    barrier = Barrier(physical)
    with pytest.raises(SealDecryptError):
        run(autounseal.unseal_auto(physical, barrier, static(KEY_B)))
    with pytest.raises(SealDecryptError):
        run(autounseal.unseal_auto(physical, barrier, static(KEY_A, "other-id")))
    assert barrier.sealed


def test_previous_static_key_still_opens_after_rotation() -> None:
    physical = InMemoryStorage()
    run(autounseal.initialize_auto(physical, Barrier(physical), static(KEY_A, "old"), 1, 1))
    rotated = StaticSeal("new", KEY_B, "old", KEY_A)
    barrier = Barrier(physical)
    run(autounseal.unseal_auto(physical, barrier, rotated))
    assert not barrier.sealed


def test_recovery_keys_are_proven_without_the_seal() -> None:
    physical = InMemoryStorage()
    result = run(autounseal.initialize_auto(physical, Barrier(physical), static(), 3, 2))
    key = run(recover_unseal_key(physical, result.key_shares[1:]))
    assert len(key) == 32
    with pytest.raises(InvalidRequest, match="invalid recovery key"):
        run(recover_unseal_key(physical, [result.key_shares[0], bytes(range(32)) + b"\x09"]))


def test_rekey_replaces_the_recovery_keys() -> None:
    physical = InMemoryStorage()
    result = run(autounseal.initialize_auto(physical, Barrier(physical), static(), 3, 2))
    old = run(recover_unseal_key(physical, result.key_shares[:2]))
    new_shares = run(rekey_shares(physical, old, 5, 3))
    assert run(autounseal.quorum(physical)) == (3, 5)
    assert len(run(recover_unseal_key(physical, new_shares[2:]))) == 32
    with pytest.raises(InvalidRequest, match="invalid recovery key"):
        run(recover_unseal_key(physical, result.key_shares[:2]))
    barrier = Barrier(physical)
    run(autounseal.unseal_auto(physical, barrier, static()))  # the seal is untouched
    assert not barrier.sealed


def test_bad_recovery_configuration_writes_nothing() -> None:
    physical = InMemoryStorage()
    with pytest.raises(InvalidRequest, match="invalid recovery configuration"):
        run(autounseal.initialize_auto(physical, Barrier(physical), static(), 3, 5))
    assert run(physical.list("core/")) == []


def _shamir_server(physical: InMemoryStorage) -> list[bytes]:
    barrier = Barrier(physical)
    result = run(initialize(physical, barrier, 3, 2))
    run(barrier.unseal(result.root_key))
    run(_write_and_seal(barrier))
    return result.key_shares


def test_migration_shamir_to_static_and_back_keeps_data() -> None:
    physical = InMemoryStorage()
    unseal_shares = _shamir_server(physical)
    seal = static()
    migration = run(seal_migration.pending_migration(physical, seal, None))
    assert migration == seal_migration.Migration("shamir", "static")
    barrier = Barrier(physical)
    step = run(seal_migration.migration_step(physical, barrier, migration, seal, None))
    progress = seal_migration.MigrationProgress(2, step)
    assert not run(progress.submit(unseal_shares[0]))
    assert run(progress.submit(unseal_shares[2]))
    assert run(barrier.get("secret/x")) == b"kept across every seal change"
    assert run(autounseal.quorum(physical)) == (2, 3)
    barrier.seal()
    again = Barrier(physical)
    run(autounseal.unseal_auto(physical, again, seal))
    again.seal()
    # Back to Shamir: the old unseal shares are now recovery shares and become unseal shares.
    back = run(seal_migration.pending_migration(physical, None, seal))
    assert back == seal_migration.Migration("static", "shamir")
    third = Barrier(physical)
    step = run(seal_migration.migration_step(physical, third, back, None, seal))
    progress = seal_migration.MigrationProgress(2, step)
    run(progress.submit(unseal_shares[1]))
    assert run(progress.submit(unseal_shares[0]))
    assert run(third.get("secret/x")) == b"kept across every seal change"
    assert run(physical.get(SEALED_ROOT_KEY_PATH)) is None
    assert run(physical.get(RECOVERY_CONFIG_PATH)) is None
    config = run(read_seal_config(physical))
    assert config is not None
    assert (config.seal_type, config.secret_threshold) == ("shamir", 2)
    fourth = Barrier(physical)
    unseal = UnsealProgress(physical, fourth)
    run(unseal.submit(unseal_shares[2]))
    assert run(unseal.submit(unseal_shares[0]))
    assert run(fourth.get("secret/x")) == b"kept across every seal change"


def test_migration_with_wrong_shares_changes_nothing() -> None:
    physical = InMemoryStorage()
    _shamir_server(physical)
    before = {k: run(physical.get(k)) for k in ("core/seal-config", ROOT_KEY_PATH)}
    seal = static()
    migration = run(seal_migration.pending_migration(physical, seal, None))
    assert migration is not None
    barrier = Barrier(physical)
    step = run(seal_migration.migration_step(physical, barrier, migration, seal, None))
    progress = seal_migration.MigrationProgress(2, step)
    run(progress.submit(bytes(range(33))))
    with pytest.raises(InvalidRequest):
        run(progress.submit(bytes(range(1, 34))))
    assert barrier.sealed
    assert {k: run(physical.get(k)) for k in before} == before
    assert run(physical.get(SEAL_CONFIG_PATH)) == before["core/seal-config"]


def test_static_migration_between_keys() -> None:
    physical = InMemoryStorage()
    run(autounseal.initialize_auto(physical, Barrier(physical), static(KEY_A, "a"), 1, 1))
    new = static(KEY_B, "b")
    old = static(KEY_A, "a")
    migration = run(seal_migration.pending_migration(physical, new, old))
    assert migration == seal_migration.Migration("static", "static")


def test_stanzas_resolve_to_seals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key_file = tmp_path / "unseal.key"
    key_file.write_bytes(KEY_A)
    monkeypatch.setenv("SEAL_KEY_B64", base64.b64encode(KEY_B).decode())
    assert load_key(f"file://{key_file}") == KEY_A
    assert load_key("env://SEAL_KEY_B64") == KEY_B
    assert load_key(KEY_A.hex()) == KEY_A
    for bad in ("env://NOT_SET_ANYWHERE", f"file://{tmp_path}/missing", "c2hvcnQ="):
        with pytest.raises(StaticKeyError) as caught:
            load_key(bad)
        assert KEY_A.hex() not in str(caught.value)
    setup = seal_setup(
        (
            SealStanza("static", {"current_key_id": "1", "current_key": f"file://{key_file}"}),
            SealStanza(
                "static",
                {"current_key_id": "0", "current_key": "env://SEAL_KEY_B64", "disabled": "true"},
            ),
        )
    )
    assert isinstance(setup.seal, StaticSeal)
    assert isinstance(setup.old_seal, StaticSeal)
    with pytest.raises(InvalidRequest, match="unknown setting"):
        seal_setup((SealStanza("static", {"current_key_id": "1", "nope": "x"}),))
    with pytest.raises(InvalidRequest, match="unknown seal type"):
        seal_setup((SealStanza("awskms", {}),))
