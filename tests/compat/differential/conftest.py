"""Fixtures for the differential suite: its own sealbox dev server, and one OpenBao dev server.

The sealbox server is private to this suite: its steps LIST whole tables (token roles,
policies, mounts) and compare them with OpenBao's, so state left by other suites on the
shared server would show up as differences.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.compat.conftest import ServerProcess, start_dev_server
from tests.compat.differential.diff_harness import Target


@pytest.fixture(scope="session")
def diff_sealbox_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A sealbox dev server that only the differential suite writes to."""
    # Without the AWS and GCP doors, whose auth/sigv4 and auth/gcpsa mounts OpenBao's dev
    # server does not have.
    yield from start_dev_server(
        tmp_path_factory, ("-dev-aws-listen-address=off", "-dev-gcp-listen-address=off")
    )


@pytest.fixture
def pair(diff_sealbox_server: ServerProcess, bao_server: ServerProcess) -> tuple[Target, Target]:
    """Fresh request targets (own saved values) for the two session servers."""
    return (
        Target("sealbox", diff_sealbox_server.address, diff_sealbox_server.token),
        Target("bao", bao_server.address, bao_server.token),
    )
