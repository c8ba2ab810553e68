"""Fixtures for the differential suite: one sealbox and one OpenBao dev server per session."""

from __future__ import annotations

import pytest
from tests.compat.conftest import ServerProcess
from tests.compat.differential.diff_harness import Target


@pytest.fixture
def pair(sealbox_server: ServerProcess, bao_server: ServerProcess) -> tuple[Target, Target]:
    """Fresh request targets (own saved values) for the two session servers."""
    return (
        Target("sealbox", sealbox_server.address, sealbox_server.token),
        Target("bao", bao_server.address, bao_server.token),
    )
