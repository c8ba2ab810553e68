"""Fixtures for the differential suite: one sealbox and one OpenBao dev server per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The suite runs with --import-mode=importlib; make the harness module importable.
sys.path.insert(0, str(Path(__file__).parent))

from diff_harness import Target
from tests.compat.conftest import ServerProcess


@pytest.fixture
def pair(sealbox_server: ServerProcess, bao_server: ServerProcess) -> tuple[Target, Target]:
    """Fresh request targets (own saved values) for the two session servers."""
    return (
        Target("sealbox", sealbox_server.address, sealbox_server.token),
        Target("bao", bao_server.address, bao_server.token),
    )
