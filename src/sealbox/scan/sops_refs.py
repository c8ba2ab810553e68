"""Findings that belong to SOPS: files the work tree holds SOPS-encrypted, or that a
``.sops.yaml`` creation rule says must be.

``--import`` must not copy such a value into KV v2 and tell the user to reference it from a
plaintext file. Two cases, decided from the work tree the scan ran on:

- the finding's path is a SOPS-encrypted file now (a history scan found the value in a commit
  from before it was encrypted): the file already is the reference; what is left is rotating the
  value, which git history still holds;
- the path is a plaintext file that the nearest ``.sops.yaml`` covers with a ``path_regex``
  creation rule (first match wins, as in Go sops; a catch-all rule without ``path_regex`` does not
  say a file is meant to be encrypted): the fix is encrypting that file in place with the keys
  its rule names, then reading it through ``sealbox-sops exec-env``.

Either way the value stays where it is (no KV write), and the references printed say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sealbox.scan.detect import is_sops_file
from sealbox.scan.model import Finding
from sealbox.sops.config import CONFIG_NAME, load_config
from sealbox.sops.errors import ConfigError

_MAX_READ = 64 << 20
_MAX_DEPTH = 100


@dataclass(frozen=True, slots=True)
class KeptInSops:
    """A finding left to SOPS: ``encrypted`` (the file is SOPS-encrypted already) or
    ``covered`` (``config`` has a creation rule ``rule`` for it)."""

    finding: Finding
    kind: str
    config: str = ""
    rule: str = ""

    def references(self) -> list[str]:
        """What replaces the value: the SOPS file itself, read by sops exec-env."""
        path = self.finding.path
        if self.kind == "encrypted":
            where = (
                f" (commit {self.finding.origin.commit[:12]})" if self.finding.origin.commit else ""
            )
            return [
                f"sops:     {path} is SOPS-encrypted in the work tree; not imported",
                f"          the value is still in git history{where}: rotate it",
                f"exec:     sealbox-sops exec-env {path} '<command>'",
            ]
        return [
            f"sops:     {path} is covered by {self.config} (path_regex {self.rule!r}); "
            "not imported",
            f"encrypt:  sealbox-sops encrypt --in-place {path}",
            f"exec:     sealbox-sops exec-env {path} '<command>'",
        ]


def _nearest_config(start: Path) -> Path | None:
    directory = start
    for _ in range(_MAX_DEPTH):
        candidate = directory / CONFIG_NAME
        if candidate.is_file():
            return candidate
        if directory.parent == directory:
            return None
        directory = directory.parent
    return None


def _covering_rule(config_path: Path, file: Path) -> str:
    """The ``path_regex`` of the first creation rule matching ``file``, or ``""``."""
    try:
        config = load_config(str(config_path))
    except ConfigError:
        return ""
    try:
        relative = file.resolve().relative_to(config_path.parent.resolve()).as_posix()
    except ValueError:  # a symlink leading out of the config's tree
        return ""
    for raw in config.creation_rules:
        pattern = str(raw.get("path_regex") or "")
        try:
            if not pattern or re.search(pattern, relative):
                return pattern
        except re.error:
            return ""
    return ""


def sops_owned(root: Path, finding: Finding) -> KeptInSops | None:
    """Whether ``finding`` (a path relative to ``root``) belongs to SOPS, and how."""
    file = root / finding.path
    if not file.is_file():
        return None
    try:
        with file.open("rb") as handle:
            data = handle.read(_MAX_READ)
    except OSError:
        return None
    if is_sops_file(data):
        return KeptInSops(finding, "encrypted")
    config = _nearest_config(file.parent.resolve())
    if config is None:
        return None
    rule = _covering_rule(config, file)
    if not rule:
        return None
    return KeptInSops(finding, "covered", str(config), rule)
