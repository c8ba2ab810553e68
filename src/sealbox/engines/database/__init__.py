"""The database secrets engine: dynamic users, static roles, root rotation (see backend.py)."""

from __future__ import annotations

from sealbox.engines.database.backend import DatabaseEngine, database_factory

__all__ = ["DatabaseEngine", "database_factory"]
