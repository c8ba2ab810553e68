"""The values the scanner passes around: a rule hit inside one text, and a located finding.

A :class:`Hit` is what detection finds in one blob of bytes (positions only, no idea where the
blob came from); a :class:`Finding` adds the origin (file path, commit, image layer) that the
source attached. Both hold the secret in clear because baselines, redaction and the import
step need it; ``repr`` never shows it, so a stray log line or traceback cannot leak it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Hit:
    """One rule match in one text: lines and columns are 1-based, end column inclusive."""

    rule_id: str
    secret: str = field(repr=False)
    start_line: int
    end_line: int
    start_column: int
    end_column: int
    line: str = field(repr=False)
    name: str = ""


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a scanned text came from: the git commit or image layer, when there is one."""

    source: str = "tree"
    commit: str = ""
    author: str = ""
    email: str = ""
    date: str = ""
    layer: str = ""
    deleted_in: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    """A hit placed in its file and source; what reports, baselines and imports consume."""

    rule_id: str
    description: str
    path: str
    hit: Hit
    origin: Origin = Origin()

    @property
    def secret(self) -> str:
        """The matched secret value (never printed unredacted unless the user asks)."""
        return self.hit.secret

    def sort_key(self) -> tuple[str, str, int, int, str]:
        """Stable report order: layer or commit, path, line, column, rule."""
        return (
            self.origin.layer or self.origin.commit,
            self.path,
            self.hit.start_line,
            self.hit.start_column,
            self.rule_id,
        )
