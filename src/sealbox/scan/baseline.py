"""Baseline files: known findings that CI should not fail on, stored without the secrets.

An entry is ``{rule_id, path, hmac}`` where ``hmac`` is HMAC-SHA256 over the secret under a
baseline key, so the file never holds a value or a plain hash (a plain hash of a short password
is reversed by a lookup table). The key comes from ``SEALBOX_SCAN_BASELINE_KEY`` when set (then
the file holds no key at all and is useless without it); otherwise a random key is generated
and stored in the file, which still defeats precomputed tables across baselines. Line numbers
are kept for reading only: matching ignores them, so edits that move a line keep it baselined.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sealbox.scan.model import Finding

KEY_ENV = "SEALBOX_SCAN_BASELINE_KEY"
_VERSION = 1


class BaselineError(ValueError):
    """The baseline file is unreadable, malformed, or its key is missing."""


def fingerprint(key: bytes, finding: Finding) -> str:
    """HMAC-SHA256 (hex) of rule id and secret under ``key``."""
    message = finding.rule_id.encode() + b"\0" + finding.secret.encode("utf-8", "replace")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Baseline:
    """A loaded baseline: its key and the (rule, path, hmac) triples it accepts."""

    key: bytes
    entries: frozenset[tuple[str, str, str]]
    key_in_file: bool = True

    @classmethod
    def new(cls) -> Baseline:
        """An empty baseline with the environment's key, or a fresh random one."""
        env = os.environ.get(KEY_ENV)
        if env:
            return cls(env.encode(), frozenset(), key_in_file=False)
        return cls(secrets.token_bytes(32), frozenset())

    @classmethod
    def load(cls, path: Path) -> Baseline:
        """Read a baseline file written by :meth:`dump`."""
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BaselineError(f"baseline {path}: cannot read: {exc}") from exc
        if not isinstance(doc, dict) or doc.get("version") != _VERSION:
            raise BaselineError(f"baseline {path}: not a sealbox baseline (version {_VERSION})")
        env = os.environ.get(KEY_ENV)
        stored = doc.get("key")
        if env:
            key, in_file = env.encode(), False
        elif isinstance(stored, str):
            key, in_file = base64.b64decode(stored), True
        else:
            raise BaselineError(f"baseline {path}: its key is not in the file; set {KEY_ENV}")
        entries = frozenset(
            (str(e["rule_id"]), str(e["path"]), str(e["hmac"]))
            for e in doc.get("findings") or []
            if isinstance(e, dict) and {"rule_id", "path", "hmac"} <= e.keys()
        )
        return cls(key, entries, in_file)

    def contains(self, finding: Finding) -> bool:
        """Whether ``finding`` is already known (same rule, path and secret)."""
        entry = (finding.rule_id, finding.path, fingerprint(self.key, finding))
        return entry in self.entries

    def with_findings(
        self, findings: Iterable[Finding]
    ) -> tuple[Baseline, list[dict[str, object]]]:
        """A baseline accepting ``findings``, and its entries for writing."""
        rows: list[dict[str, object]] = [
            {
                "rule_id": f.rule_id,
                "path": f.path,
                "line": f.hit.start_line,
                "commit": f.origin.commit or None,
                "hmac": fingerprint(self.key, f),
            }
            for f in findings
        ]
        entries = frozenset((str(r["rule_id"]), str(r["path"]), str(r["hmac"])) for r in rows)
        return Baseline(self.key, entries, self.key_in_file), rows

    def dump(self, path: Path, findings: Iterable[Finding]) -> None:
        """Write a baseline accepting ``findings`` (mode 0600: it may hold its key)."""
        _, rows = self.with_findings(findings)
        doc: dict[str, object] = {"version": _VERSION, "algorithm": "hmac-sha256"}
        if self.key_in_file:
            doc["key"] = base64.b64encode(self.key).decode()
        doc["findings"] = rows
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(doc, handle, indent=2)
            handle.write("\n")
