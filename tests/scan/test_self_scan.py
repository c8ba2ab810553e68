"""This repository scans clean: ``sealbox scan --gitignore .`` with the root .sealbox-scan.toml.

A failure names the file and line of a new finding: either a real leak, or a test value that
needs generating at run time (tests/scan/tokens.py) or, with a reason, an entry in the config.
"""

from __future__ import annotations

from pathlib import Path

from sealbox.scan.scanner import Options, scan_tree
from sealbox.scan.userconfig import load_rules

ROOT = Path(__file__).resolve().parents[2]


def test_repository_self_scan_is_clean() -> None:
    rules = load_rules(ROOT / ".sealbox-scan.toml")
    findings = scan_tree(ROOT, rules, Options(jobs=1, gitignore=True))
    assert [f"{f.path}:{f.hit.start_line} {f.rule_id}" for f in findings] == []
