"""Precision and recall on the labelled corpus: the exact findings, nothing more or less."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.scan.corpus import build

from sealbox.scan.scanner import Options, scan_tree
from sealbox.scan.userconfig import load_rules


@pytest.mark.parametrize("jobs", [1, 2], ids=["inline", "two-workers"])
def test_corpus_findings_are_exactly_the_labels(tmp_path: Path, jobs: int) -> None:
    expected = build(tmp_path, filler_files=40 if jobs == 1 else 600)
    findings = scan_tree(tmp_path, load_rules(None), Options(jobs=jobs, inline_bytes=0))
    got = {(f.path, f.hit.start_line, f.rule_id) for f in findings}
    missed = expected - got
    false_positives = got - expected
    assert (missed, false_positives) == (set(), set())
