"""SARIF output validates against SARIF 2.1.0 (see tests/scan/sarif_check.py for which check runs).

The log comes from a real scan of the labelled corpus plus findings with git and image origins
(an image config "path" such as ``config:Env`` must still be a relative URI reference).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from tests.scan import tokens
from tests.scan.corpus import build
from tests.scan.sarif_check import official_schema, spec_errors

from sealbox.scan import sarif
from sealbox.scan.model import Finding, Hit, Origin
from sealbox.scan.scanner import Options, scan_tree
from sealbox.scan.userconfig import load_rules

SCHEMA = official_schema()


def sarif_log(tmp_path: Path) -> dict[str, Any]:
    build(tmp_path, filler_files=2)
    rules = load_rules(None)
    findings = scan_tree(tmp_path, rules, Options(jobs=1))
    token = tokens.github_pat()
    hit = Hit("github-token", token, 2, 2, 5, 4 + len(token), f"GH={token}")
    findings += [
        Finding("github-token", "GitHub token", "config:Env", hit, Origin("image", layer="config")),
        Finding(
            "github-token",
            "GitHub token",
            "dir with space/#odd%name.txt",
            hit,
            Origin("git", "ab" * 20, "Ann", "ann@example.test", "2024-01-01T00:00:00+00:00"),
        ),
    ]
    log: dict[str, Any] = json.loads(sarif.to_sarif(findings, rules.by_id(), b"key"))
    return log


def schema_errors(log: dict[str, Any]) -> list[str]:
    assert SCHEMA is not None
    validator = jsonschema.Draft4Validator(SCHEMA)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]


def test_sarif_meets_the_specification(tmp_path: Path) -> None:
    log = sarif_log(tmp_path)
    assert len(log["runs"][0]["results"]) > 10
    assert spec_errors(log) == []
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    }
    assert {"config%3AEnv", "dir%20with%20space/%23odd%25name.txt", ".env"} <= uris


@pytest.mark.skipif(SCHEMA is None, reason="no copy of the official SARIF 2.1.0 schema here")
def test_sarif_validates_against_the_official_schema(tmp_path: Path) -> None:
    assert schema_errors(sarif_log(tmp_path)) == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("version",), "2.0.0"),
        (("runs", 0, "results", 0, "level"), "fatal"),
        (("runs", 0, "results", 0, "message"), {"markdown": "only"}),
        (("runs", 0, "results", 0, "locations", 0, "physicalLocation", "region", "startLine"), 0),
        (("runs", 0, "tool", "driver", "rules", 0, "id"), None),
    ],
    ids=["version", "level", "message", "start-line", "rule-id"],
)
def test_the_checks_reject_broken_logs(
    tmp_path: Path, path: tuple[str | int, ...], value: object
) -> None:
    log = copy.deepcopy(sarif_log(tmp_path))
    target: Any = log
    for key in path[:-1]:
        target = target[key]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    assert spec_errors(log) != []
    if SCHEMA is not None:
        assert schema_errors(log) != []
