"""Fixtures for the integration suite: real sealbox processes (shared with tests/compat)."""

from __future__ import annotations

from tests.compat.conftest import sealbox_server

__all__ = ["sealbox_server"]
