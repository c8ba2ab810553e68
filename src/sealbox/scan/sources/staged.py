"""Staged changes (``--staged``, for the pre-commit hook): what ``git commit`` would add.

Each staged file is scanned whole from the index (so a multi-line private key is seen intact),
but only hits that touch a line the commit adds are reported: a secret already committed is
history's (and the baseline's) business, not this commit's. Added lines come from the hunk
headers of ``git diff --cached -U0``.
"""

from __future__ import annotations

import re
from pathlib import Path

from sealbox.scan.engine import Item
from sealbox.scan.model import Finding, Hit, Origin
from sealbox.scan.sources.git import git

_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)
_BLOB_MODES = {"100644", "100755"}


def staged_items(repo: Path) -> tuple[list[Item], dict[str, set[int]]]:
    """Items for staged blobs and, per path, the line numbers the commit adds."""
    raw = git(
        repo, "diff", "--cached", "--raw", "-z", "--no-abbrev", "--no-renames", "--diff-filter=ACMT"
    )
    tokens = raw.split(b"\0")
    items: list[Item] = []
    for meta, raw_path in zip(tokens[0::2], tokens[1::2], strict=False):
        fields = meta.decode("ascii", "replace").strip().lstrip(":").split()
        if len(fields) < 5 or fields[1] not in _BLOB_MODES:
            continue
        path = raw_path.decode("utf-8", "replace")
        items.append(Item(path, path, "blob", fields[3], 1))
    added: dict[str, set[int]] = {item.path: set() for item in items}
    for item in items:
        diff = git(
            repo,
            "diff",
            "--cached",
            "-U0",
            "--no-color",
            "--no-ext-diff",
            "--no-renames",
            "--",
            f":(literal){item.path}",
        )
        for match in _HUNK.finditer(diff):
            start = int(match.group(1))
            count = int(match.group(2)) if match.group(2) is not None else 1
            added[item.path].update(range(start, start + count))
    return items, added


def staged_findings(
    hits: dict[str, list[Hit]], added: dict[str, set[int]], describe: dict[str, str]
) -> list[Finding]:
    """Findings on added lines only."""
    findings: list[Finding] = []
    for path, path_hits in hits.items():
        lines = added.get(path, set())
        for hit in path_hits:
            if any(n in lines for n in range(hit.start_line, hit.end_line + 1)):
                findings.append(
                    Finding(
                        hit.rule_id,
                        describe.get(hit.rule_id, hit.rule_id),
                        path,
                        hit,
                        Origin("staged"),
                    )
                )
    return sorted(findings, key=Finding.sort_key)
