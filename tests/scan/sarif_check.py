"""Checks a SARIF log against SARIF 2.1.0: the official JSON schema when a copy is at hand,
else the required properties and enumerations the specification states.

The schema (oasis-tcs/sarif-spec, sarif-2.1/schema/sarif-schema-2.1.0.json) is not committed:
that repository is under the OASIS IPR policy, which grants no licence to redistribute it
here. It is read at test time from a snapshot of the repository (a git directory named by
``SEALBOX_SARIF_SPEC``, by default where the search tool's ``fetch`` puts it) or from a schema
file named by ``SEALBOX_SARIF_SCHEMA``. Without either, :func:`spec_errors` checks what the
specification (OASIS SARIF 2.1.0 errata 01) makes required, written from its text:
sarifLog.version = "2.1.0" and runs (3.13); run.tool (3.14.6); tool.driver (3.18.2);
toolComponent.name (3.19.8); reportingDescriptor.id (3.49.3); result.message (3.27.11) with
text or id (3.11.7-8); result.level in none|note|warning|error (3.27.10); ruleIndex >= 0 and
pointing at a rule (3.27.6); physicalLocation has artifactLocation or address (3.29.2);
region line/column numbers >= 1, end >= start (3.30.5-8); an artifactLocation.uri is a URI
reference (3.4.3), and uriBaseId only goes with a relative one (3.4.4); run.columnKind in
utf16CodeUnits|unicodeCodePoints (3.14.25).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

_DEFAULT_SPEC = "/work/.mirror/oasis-tcs+sarif-spec/repo"
_SCHEMA_PATH = "sarif-2.1/schema/sarif-schema-2.1.0.json"
_LEVELS = {"none", "note", "warning", "error"}
_COLUMN_KINDS = {"utf16CodeUnits", "unicodeCodePoints"}
_URI_FORBIDDEN = set(' "<>\\^`{|}')


def official_schema() -> dict[str, Any] | None:
    """The official SARIF 2.1.0 schema, or None when no copy is available."""
    named = os.environ.get("SEALBOX_SARIF_SCHEMA")
    if named:
        loaded: dict[str, Any] = json.loads(Path(named).read_text())
        return loaded
    spec = Path(os.environ.get("SEALBOX_SARIF_SPEC", _DEFAULT_SPEC))
    if shutil.which("git") is None or not (spec / "HEAD").exists():
        return None
    shown = subprocess.run(
        ["git", "--git-dir", str(spec), "show", f"HEAD:{_SCHEMA_PATH}"],
        capture_output=True,
        check=False,
    )
    if shown.returncode != 0:
        return None
    schema: dict[str, Any] = json.loads(shown.stdout)
    return schema


def _message(where: str, message: Any) -> list[str]:
    if not isinstance(message, dict) or not (
        isinstance(message.get("text"), str) or isinstance(message.get("id"), str)
    ):
        return [f"{where}: a message needs text or id"]
    return []


def _region(where: str, region: dict[str, Any]) -> list[str]:
    errors = []
    for name in ("startLine", "startColumn", "endLine", "endColumn"):
        value = region.get(name)
        if value is not None and (not isinstance(value, int) or value < 1):
            errors.append(f"{where}.{name}: must be an integer >= 1")
    if region.get("endLine", region.get("startLine", 1)) < region.get("startLine", 1):
        errors.append(f"{where}: endLine before startLine")
    return errors


def _uri(where: str, location: dict[str, Any]) -> list[str]:
    uri = location.get("uri")
    if not isinstance(uri, str) or not uri or set(uri) & _URI_FORBIDDEN:
        return [f"{where}.uri: not a URI reference: {uri!r}"]
    if urlsplit(uri).scheme and "uriBaseId" in location:
        return [f"{where}: uriBaseId with an absolute URI {uri!r}"]
    return []


def _result(where: str, result: dict[str, Any], rule_count: int) -> list[str]:
    errors = _message(f"{where}.message", result.get("message"))
    if result.get("level", "warning") not in _LEVELS:
        errors.append(f"{where}.level: {result.get('level')!r}")
    index = result.get("ruleIndex", -1)
    if "ruleIndex" in result and not (isinstance(index, int) and 0 <= index < rule_count):
        errors.append(f"{where}.ruleIndex: {index!r} does not name a rule")
    for n, location in enumerate(result.get("locations") or []):
        physical = location.get("physicalLocation")
        if physical is None:
            continue
        here = f"{where}.locations[{n}].physicalLocation"
        if "artifactLocation" not in physical and "address" not in physical:
            errors.append(f"{here}: needs artifactLocation or address")
        if "artifactLocation" in physical:
            errors += _uri(f"{here}.artifactLocation", physical["artifactLocation"])
        errors += _region(f"{here}.region", physical.get("region") or {})
    return errors


def spec_errors(log: dict[str, Any]) -> list[str]:
    """Violations of the SARIF 2.1.0 requirements listed in the module docstring."""
    errors = []
    if log.get("version") != "2.1.0":
        errors.append("sarifLog.version must be '2.1.0'")
    runs = log.get("runs")
    if not isinstance(runs, list):
        return [*errors, "sarifLog.runs is required"]
    for r, run in enumerate(runs):
        driver = (run.get("tool") or {}).get("driver")
        if not isinstance(driver, dict) or not isinstance(driver.get("name"), str):
            errors.append(f"runs[{r}].tool.driver.name is required")
            continue
        rules = driver.get("rules") or []
        for i, rule in enumerate(rules):
            if not isinstance(rule.get("id"), str):
                errors.append(f"runs[{r}].tool.driver.rules[{i}].id is required")
            for text in ("shortDescription", "fullDescription", "help"):
                if text in rule and not isinstance(rule[text].get("text"), str):
                    errors.append(f"runs[{r}].tool.driver.rules[{i}].{text}.text is required")
        if run.get("columnKind", "unicodeCodePoints") not in _COLUMN_KINDS:
            errors.append(f"runs[{r}].columnKind: {run.get('columnKind')!r}")
        for n, result in enumerate(run.get("results") or []):
            errors += _result(f"runs[{r}].results[{n}]", result, len(rules))
    return errors
