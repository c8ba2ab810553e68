"""``operator migrate`` and ``operator snapshot``: real servers, SQLite <-> PostgreSQL, verified."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import psycopg
import pytest
import requests
from tests.compat.conftest import VENV_BIN
from tests.integration.postgres.nodes import (
    initialize,
    pg_block,
    sqlite_block,
    start_node,
    unseal,
    write_config,
)

_CANARY = "Canary-s3cr3t-9f1c"


def _sealbox(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(VENV_BIN / "sealbox"), *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def _read_secret(address: str, key: str, token: str) -> str:
    unseal(address, key)
    answer = requests.get(
        f"{address}/v1/secret/data/app", headers={"X-Vault-Token": token}, timeout=30
    )
    answer.raise_for_status()
    return str(answer.json()["data"]["data"]["password"])


@pytest.mark.slow
def test_sqlite_to_postgresql_and_back_through_a_snapshot(tmp_path: Path, pg_url: str) -> None:
    source = start_node(tmp_path / "a", sqlite_block(tmp_path / "a.db"))
    key, token = initialize(source.address)
    unseal(source.address, key)
    headers = {"X-Vault-Token": token}
    requests.post(
        f"{source.address}/v1/sys/mounts/secret",
        json={"type": "kv", "options": {"version": "2"}},
        headers=headers,
        timeout=30,
    ).raise_for_status()
    requests.post(
        f"{source.address}/v1/secret/data/app",
        json={"data": {"password": _CANARY}},
        headers=headers,
        timeout=30,
    ).raise_for_status()
    source.stop()

    migrate = tmp_path / "migrate.hcl"
    migrate.write_text(
        sqlite_block(tmp_path / "a.db").replace('storage "sqlite"', 'storage_source "sqlite"')
        + pg_block(pg_url).replace('storage "postgresql"', 'storage_destination "postgresql"')
    )
    done = _sealbox("operator", "migrate", f"-config={migrate}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Success! All of the keys have been migrated" in done.stdout
    with psycopg.connect(pg_url) as conn:
        raw = b"".join(bytes(v) for (v,) in conn.execute("SELECT value FROM sealbox_kv_store"))
    assert raw
    assert _CANARY.encode() not in raw  # copied as stored: encrypted

    again = _sealbox("operator", "migrate", f"-config={migrate}", cwd=tmp_path)
    assert again.returncode == 1
    assert "not empty" in again.stderr

    on_pg = start_node(tmp_path / "b", pg_block(pg_url))
    assert _read_secret(on_pg.address, key, token) == _CANARY
    on_pg.stop()

    pg_config = write_config(tmp_path, pg_block(pg_url), 1)
    snap = tmp_path / "backup.snap"
    saved = _sealbox(
        "operator", "snapshot", "save", f"-config={pg_config}", str(snap), cwd=tmp_path
    )
    assert saved.returncode == 0, saved.stderr
    assert stat.S_IMODE(snap.stat().st_mode) == 0o600
    assert _CANARY.encode() not in snap.read_bytes()

    restored_config = write_config(tmp_path / "c", sqlite_block(tmp_path / "c.db"), 1)
    loaded = _sealbox(
        "operator", "snapshot", "restore", f"-config={restored_config}", str(snap), cwd=tmp_path
    )
    assert loaded.returncode == 0, loaded.stderr
    restored = start_node(tmp_path / "c", sqlite_block(tmp_path / "c.db"))
    assert _read_secret(restored.address, key, token) == _CANARY
    restored.stop()

    refused = _sealbox(
        "operator", "snapshot", "restore", f"-config={restored_config}", str(snap), cwd=tmp_path
    )
    assert refused.returncode == 1
    assert "-force" in refused.stderr


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage"])
def test_a_damaged_snapshot_restores_nothing(tmp_path: Path, pg_url: str, damage: str) -> None:
    seed = tmp_path / "seed.hcl"
    seed.write_text(
        sqlite_block(tmp_path / "seed.db").replace('storage "sqlite"', 'storage_source "sqlite"')
        + pg_block(pg_url).replace('storage "postgresql"', 'storage_destination "postgresql"')
    )
    import asyncio

    from sealbox.storage import SQLiteStorage

    async def fill() -> None:
        storage = SQLiteStorage(str(tmp_path / "seed.db"))
        for i in range(50):
            await storage.put(f"core/k{i}", bytes([i]) * 40)
        await storage.close()

    asyncio.run(fill())
    src_config = write_config(tmp_path / "src", sqlite_block(tmp_path / "seed.db"), 1)
    snap = tmp_path / "s.snap"
    assert (
        _sealbox(
            "operator", "snapshot", "save", f"-config={src_config}", str(snap), cwd=tmp_path
        ).returncode
        == 0
    )
    data = bytearray(snap.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0x01
    elif damage == "truncate":
        del data[-10:]
    else:
        data[:4] = b"JUNK"
    snap.write_bytes(bytes(data))
    dst_config = write_config(tmp_path / "dst", pg_block(pg_url), 1)
    result = _sealbox(
        "operator", "snapshot", "restore", f"-config={dst_config}", str(snap), cwd=tmp_path
    )
    assert result.returncode == 1
    assert "snapshot" in result.stderr
    with psycopg.connect(pg_url) as conn:
        count = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE tablename = 'sealbox_kv_store'"
        ).fetchone()
        rows = (
            conn.execute("SELECT count(*) FROM sealbox_kv_store").fetchone()
            if count and count[0]
            else (0,)
        )
    assert rows == (0,)
