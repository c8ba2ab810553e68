"""Baseline (HMAC, never the value), redaction, and the text/JSON/SARIF reports."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from tests.scan import tokens

from sealbox.scan import report, sarif
from sealbox.scan.baseline import KEY_ENV, Baseline, BaselineError, fingerprint
from sealbox.scan.builtin import BUILTIN_RULES
from sealbox.scan.model import Finding, Hit, Origin
from sealbox.scan.redact import redact, redact_line
from sealbox.scan.rules import RuleSet


def finding(
    secret: str, path: str = "app/.env", rule: str = "github-token", line: int = 3
) -> Finding:
    hit = Hit(rule, secret, line, line, 7, 6 + len(secret), f"TOKEN={secret}")
    return Finding(
        rule,
        "GitHub token",
        path,
        hit,
        Origin("git", "c0ffee" * 6 + "abcd", "Ann", "a@x", "2024-01-01T00:00:00+00:00"),
    )


def test_baseline_round_trip_holds_no_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    secret = tokens.github_pat()
    known = finding(secret)
    path = tmp_path / "baseline.json"
    Baseline.new().dump(path, [known])
    text = path.read_text()
    assert secret not in text
    assert hashlib.sha256(secret.encode()).hexdigest() not in text
    assert path.stat().st_mode & 0o777 == 0o600
    loaded = Baseline.load(path)
    assert loaded.contains(known)
    assert loaded.contains(finding(secret, line=40))  # moved lines stay baselined
    assert not loaded.contains(finding(tokens.github_pat()))
    assert not loaded.contains(finding(secret, path="other/.env"))


def test_baseline_key_from_environment_is_not_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, "ci-key-1")
    secret = tokens.github_pat()
    path = tmp_path / "baseline.json"
    Baseline.new().dump(path, [finding(secret)])
    doc = json.loads(path.read_text())
    assert "key" not in doc
    assert doc["findings"][0]["hmac"] == fingerprint(b"ci-key-1", finding(secret))
    assert Baseline.load(path).contains(finding(secret))
    monkeypatch.delenv(KEY_ENV)
    with pytest.raises(BaselineError, match=KEY_ENV):
        Baseline.load(path)


def test_bad_baseline_files(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text("[1, 2]")
    with pytest.raises(BaselineError, match="not a sealbox baseline"):
        Baseline.load(path)
    with pytest.raises(BaselineError, match="cannot read"):
        Baseline.load(tmp_path / "missing.json")


def test_redaction() -> None:
    secret = tokens.github_pat()
    assert redact(secret) == "ghp_*****"
    assert redact("short-pw") == "*****"
    assert redact(tokens.private_key_pem()) == "-----BEGIN RSA PRIVATE KEY-----*****"
    assert redact_line(f"TOKEN={secret}", secret) == "TOKEN=ghp_*****"


def test_text_and_json_reports_redact_unless_revealed() -> None:
    secret = tokens.github_pat()
    found = [finding(secret)]
    text = report.to_text(found)
    assert secret not in text
    assert "app/.env:3:7" in text
    assert "1 finding" in text
    doc = json.loads(report.to_json(found))
    assert doc[0]["secret"] == "ghp_*****"
    assert doc[0]["commit"].startswith("c0ffee")
    assert json.loads(report.to_json(found, reveal=True))[0]["secret"] == secret


def test_sarif_shape() -> None:
    secret = tokens.github_pat()
    rules = RuleSet(BUILTIN_RULES).by_id()
    log = json.loads(sarif.to_sarif([finding(secret)], rules, b"k"))
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    [run] = log["runs"]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["github-token"]
    [result] = run["results"]
    assert result["ruleId"] == "github-token"
    assert result["ruleIndex"] == 0
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "app/.env"
    assert location["region"] == {
        "startLine": 3,
        "startColumn": 7,
        "endLine": 3,
        "endColumn": 7 + len(secret),
        "snippet": {"text": "TOKEN=ghp_*****"},
    }
    assert result["partialFingerprints"]["sealboxSecretHmac/v1"] == fingerprint(
        b"k", finding(secret)
    )
    assert secret not in json.dumps(log)
