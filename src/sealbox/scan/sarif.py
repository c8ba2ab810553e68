"""SARIF 2.1.0 output, the format GitHub code scanning uploads accept.

One run with the tool's rule descriptors (only rules that produced results, as GitHub limits
the rule count), one result per finding with a physical location (a repository-relative,
percent-encoded URI and a 1-based region) and ``partialFingerprints`` carrying the baseline
HMAC, so code scanning tracks an alert across commits without ever receiving the secret. The
HMAC key is the baseline's (the file's or ``SEALBOX_SCAN_BASELINE_KEY``); without either a run
gets a random key, so give CI one of them for fingerprints that stay the same from run to run.
Snippets are redacted unless asked. Tests check the log against the official SARIF 2.1.0
schema and the specification's required properties (tests/scan/sarif_check.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from sealbox import __version__
from sealbox.scan.baseline import fingerprint
from sealbox.scan.model import Finding
from sealbox.scan.redact import redact_line
from sealbox.scan.rules import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def artifact_uri(path: str) -> str:
    """A path as a relative URI reference (SARIF 3.4.3): percent-encoded, so a space, ``#`` or
    ``%`` stays part of the path and an image config entry (``config:Env``) is not read as an
    absolute URI with a ``config`` scheme, which may not carry a ``uriBaseId`` (3.4.4)."""
    return quote(path.lstrip("/"), safe="/-._~!$&'()*+,;=@")


def _rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.split("-")),
        "shortDescription": {"text": rule.description},
        "fullDescription": {"text": f"A hardcoded secret: {rule.description}."},
        "help": {
            "text": "Move the secret into sealbox (sealbox scan --import) and rotate it.",
        },
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["security", "secret"], "security-severity": "8.0"},
    }


def _result(finding: Finding, index: int, key: bytes, reveal: bool) -> dict[str, Any]:
    hit = finding.hit
    region: dict[str, Any] = {
        "startLine": hit.start_line,
        "startColumn": hit.start_column,
        "endLine": hit.end_line,
        "endColumn": hit.end_column + 1,
        "snippet": {"text": hit.line if reveal else redact_line(hit.line, hit.secret)},
    }
    properties: dict[str, Any] = {"source": finding.origin.source}
    for name in ("commit", "author", "date", "layer", "deleted_in"):
        value = getattr(finding.origin, name)
        if value:
            properties[name] = value
    return {
        "ruleId": finding.rule_id,
        "ruleIndex": index,
        "level": "error",
        "message": {"text": f"{finding.description} found in {finding.path}."},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {
                        "uri": artifact_uri(finding.path),
                        "uriBaseId": "%SRCROOT%",
                    },
                    "region": region,
                }
            }
        ],
        "partialFingerprints": {"sealboxSecretHmac/v1": fingerprint(key, finding)},
        "properties": properties,
    }


def to_sarif(
    findings: Sequence[Finding], rules: Mapping[str, Rule], key: bytes, *, reveal: bool = False
) -> str:
    """The SARIF 2.1.0 log for ``findings``; ``key`` is the baseline HMAC key."""
    used = sorted({f.rule_id for f in findings})
    index = {rule_id: i for i, rule_id in enumerate(used)}
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "sealbox",
                        "semanticVersion": __version__,
                        "rules": [_rule(rules[r]) for r in used if r in rules],
                    }
                },
                "results": [_result(f, index[f.rule_id], key, reveal) for f in findings],
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json.dumps(log, indent=2)
