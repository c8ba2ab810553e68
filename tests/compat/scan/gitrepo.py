"""Real git repositories for the scanner's tests, built with the ``git`` command.

Identity, dates and config are fixed per call (no global or system config is read), so commit
metadata in the assertions is exactly what the test wrote.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


class Repo:
    """A throwaway repository driven through the real ``git`` binary."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.clock = 1_700_000_000
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def env(self, author: str) -> dict[str, str]:
        self.clock += 60
        stamp = f"{self.clock} +0000"
        return {
            **os.environ,
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": author,
            "GIT_AUTHOR_EMAIL": f"{author.lower()}@example.test",
            "GIT_COMMITTER_NAME": author,
            "GIT_COMMITTER_EMAIL": f"{author.lower()}@example.test",
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_DATE": stamp,
        }

    def git(self, *args: str, author: str = "Ann") -> str:
        done = subprocess.run(
            ["git", "-C", str(self.path), *args],
            env=self.env(author),
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    def write(self, name: str, text: str) -> None:
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)

    def commit(self, message: str, files: dict[str, str], author: str = "Ann") -> str:
        """Write ``files``, stage everything and commit; returns the commit id."""
        for name, text in files.items():
            self.write(name, text)
        self.git("add", "-A", author=author)
        self.git("commit", "-q", "-m", message, author=author)
        return self.git("rev-parse", "HEAD")
