"""Session-wide test settings.

- No test reads or writes the developer's real home directory: ``bao server -dev`` stores its
  root token in ``~/.vault-token`` and hvac reads that file, so one suite's server could leak a
  token into another's clients; every process the tests start inherits a temporary HOME.
- Hypothesis has no per-example deadline: examples that start processes or hit a loaded CI
  machine would otherwise fail on time, and tests never assert on speed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("sealbox", deadline=None)
settings.load_profile("sealbox")


@pytest.fixture(scope="session", autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh, empty HOME for the whole session."""
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(home))
        yield home
