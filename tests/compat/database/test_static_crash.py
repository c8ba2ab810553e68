"""A static-role rotation interrupted between the database change and the stored password
(a crash, or the storage write failing) converges: the write-ahead password is applied again
by the periodic task, and static-creds then returns the password the database accepts.

Drives the engine directly over in-memory storage (as the core would) against the real
PostgreSQL, so the interruption can be placed exactly.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
from tests.compat.database.conftest import Database

from sealbox.core.password_policies import PasswordPolicyStore
from sealbox.engines.database import DatabaseEngine
from sealbox.engines.database.model import Records
from sealbox.framework import BackendConfig
from sealbox.logical import Operation, Request, Response, StorageView
from sealbox.storage.inmem import InMemoryStorage

pytestmark = [pytest.mark.compat, pytest.mark.slow]


def test_interrupted_rotation_converges(database: Database) -> None:
    user = f"app_{uuid.uuid4().hex[:8]}"
    with database.admin() as conn:
        conn.execute(f"CREATE ROLE \"{user}\" LOGIN PASSWORD 'initial-pw'")

    async def scenario() -> None:
        storage = InMemoryStorage()
        policies = PasswordPolicyStore(StorageView(storage, "sys/password_policy/"))
        config = BackendConfig("database/", "database", storage, password_policies=policies)
        engine = DatabaseEngine(config)

        async def call(
            op: Operation, path: str, data: dict[str, object] | None = None
        ) -> Response | None:
            return await engine.handle(Request(op, path, data or {}, storage=storage))

        try:
            await call(
                Operation.UPDATE,
                "config/pg",
                {
                    "plugin_name": "postgresql-database-plugin",
                    "connection_url": database.url_template(),
                    "username": "postgres",
                    "password": "postgres",
                    "allowed_roles": "*",
                },
            )
            await call(
                Operation.UPDATE,
                "static-roles/st",
                {"db_name": "pg", "username": user, "rotation_period": "1h"},
            )
            stored = await call(Operation.READ, "static-creds/st")
            assert stored is not None
            assert stored.data is not None
            # The crash: the write-ahead password reached the database, the role never got it.
            records = Records(storage)
            await records.begin_rotation("st", "written-ahead-Pw1")
            with database.admin() as conn:
                conn.execute(f"ALTER ROLE \"{user}\" PASSWORD 'written-ahead-Pw1'")
            assert not database.can_login(user, stored.data["password"])
            await engine.periodic()
            after = await call(Operation.READ, "static-creds/st")
            assert after is not None
            assert after.data is not None
            assert after.data["password"] == "written-ahead-Pw1"
            assert database.can_login(user, after.data["password"])
            assert await records.unfinished_rotations() == []
        finally:
            await engine.cleanup()

    asyncio.run(scenario())
