"""Text and JSON reports of findings (SARIF lives in :mod:`sealbox.scan.sarif`).

Secrets are redacted unless ``reveal`` is set. The JSON report is a list of flat objects with
stable field names, for scripts; the text report is for people, one block per finding.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sealbox.scan.model import Finding
from sealbox.scan.redact import redact, redact_line


def finding_dict(finding: Finding, *, reveal: bool = False) -> dict[str, Any]:
    """One finding as the JSON report's object."""
    hit, origin = finding.hit, finding.origin
    doc: dict[str, Any] = {
        "rule_id": finding.rule_id,
        "description": finding.description,
        "path": finding.path,
        "start_line": hit.start_line,
        "end_line": hit.end_line,
        "start_column": hit.start_column,
        "end_column": hit.end_column,
        "secret": hit.secret if reveal else redact(hit.secret),
        "line": hit.line if reveal else redact_line(hit.line, hit.secret),
        "source": origin.source,
    }
    if origin.commit:
        doc.update(commit=origin.commit, author=origin.author, email=origin.email, date=origin.date)
    if origin.layer:
        doc["layer"] = origin.layer
        doc["deleted_in"] = origin.deleted_in or None
    return doc


def to_json(findings: Sequence[Finding], *, reveal: bool = False) -> str:
    """The JSON report."""
    return json.dumps([finding_dict(f, reveal=reveal) for f in findings], indent=2)


def to_text(findings: Sequence[Finding], *, reveal: bool = False) -> str:
    """The human report: one block per finding and a closing count."""
    blocks: list[str] = []
    for finding in findings:
        doc = finding_dict(finding, reveal=reveal)
        lines = [
            f"{doc['path']}:{doc['start_line']}:{doc['start_column']}: {finding.description} "
            f"[{finding.rule_id}]",
            f"  secret: {doc['secret']}",
            f"  line:   {doc['line'].strip()}",
        ]
        if finding.origin.commit:
            lines.append(
                f"  commit: {finding.origin.commit[:12]} {finding.origin.author} "
                f"<{finding.origin.email}> {finding.origin.date}"
            )
        if finding.origin.layer:
            where = finding.origin.layer
            if finding.origin.deleted_in:
                where += f", deleted in {finding.origin.deleted_in}"
            lines.append(f"  image:  {where}")
        blocks.append("\n".join(lines))
    noun = "finding" if len(findings) == 1 else "findings"
    blocks.append(f"{len(findings)} {noun}")
    return "\n\n".join(blocks)
