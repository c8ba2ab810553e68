"""``sealbox scan`` as CI runs it: exit codes, formats, baselines, user rules, redaction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.scan import tokens

from sealbox.cli.main import main
from sealbox.scan.baseline import KEY_ENV


@pytest.fixture(autouse=True)
def _no_baseline_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)


def scan(*args: str) -> int:
    return main(["scan", "--no-progress", *args])


def test_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "clean.py").write_text("print('hello')\n")
    assert scan(str(tmp_path)) == 0
    assert capsys.readouterr().out.strip() == "0 findings"
    token = tokens.github_pat()
    (tmp_path / "leak.py").write_text(f'TOKEN = "{token}"\n')
    assert scan(str(tmp_path)) == 1
    assert scan(str(tmp_path), "--exit-code", "3") == 3
    assert scan(str(tmp_path), "--exit-code", "0") == 0
    assert scan(str(tmp_path), "--format", "xml") == 2
    assert scan(str(tmp_path), "--max-size", "lots") == 2
    assert token not in capsys.readouterr().out
    assert scan(str(tmp_path), "--reveal") == 1
    assert token in capsys.readouterr().out


def test_json_and_sarif_output_files(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    token = tokens.gitlab_pat()
    (tree / "ci.yml").write_text(f"variables:\n  GL: {token}\n")
    report = tmp_path / "out.json"
    assert scan(str(tree), "--format", "json", "--output", str(report)) == 1
    [entry] = json.loads(report.read_text())
    assert (entry["path"], entry["start_line"], entry["rule_id"]) == ("ci.yml", 2, "gitlab-token")
    sarif = tmp_path / "out.sarif"
    assert scan(str(tree), "--format", "sarif", "-o", str(sarif)) == 1
    log = json.loads(sarif.read_text())
    assert log["runs"][0]["results"][0]["ruleId"] == "gitlab-token"
    assert token not in sarif.read_text()


def test_baseline_fails_only_on_new_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    old = tokens.npm_token()
    (tree / "a.sh").write_text(f"export NPM_TOKEN={old}\n")
    baseline = tmp_path / "baseline.json"
    assert scan(str(tree), "--write-baseline", str(baseline)) == 1
    assert old not in baseline.read_text()
    assert scan(str(tree), "--baseline", str(baseline)) == 0
    new = tokens.stripe_live()
    (tree / "b.py").write_text(f'STRIPE = "{new}"\n')
    capsys.readouterr()
    assert scan(str(tree), "--baseline", str(baseline), "--format", "json") == 1
    [entry] = json.loads(capsys.readouterr().out)
    assert entry["path"] == "b.py"
    baseline.write_text("{}")
    assert scan(str(tree), "--baseline", str(baseline)) == 2


def test_user_rules_toml_and_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    acme = "acme_" + tokens.rand("abcdef0123456789", 32)
    (tree / "a.txt").write_text(f"{acme}\n{tokens.jwt()}\n")
    toml = tmp_path / "rules.toml"
    toml.write_text(
        '[extend]\ndisabled = ["jwt"]\n\n[[rules]]\nid = "acme"\ndescription = "ACME token"\n'
        "regex = 'acme_(?P<secret>[0-9a-f]{32})'\nkeywords = [\"acme_\"]\nentropy = 3.0\n"
    )
    capsys.readouterr()
    assert scan(str(tree), "--config", str(toml), "--format", "json") == 1
    assert [e["rule_id"] for e in json.loads(capsys.readouterr().out)] == ["acme"]
    yaml_file = tmp_path / "rules.yaml"
    yaml_file.write_text(
        "extend:\n  builtin: false\nrules:\n  - id: acme\n    regex: 'acme_[0-9a-f]{32}'\n"
        "    keywords: [acme_]\nallowlist:\n  paths: ['^a\\.txt$']\n"
    )
    assert scan(str(tree), "--config", str(yaml_file)) == 0
    (tree / ".sealbox-scan.toml").write_text(toml.read_text())
    capsys.readouterr()
    assert scan(str(tree), "--format", "json") == 1
    assert [e["rule_id"] for e in json.loads(capsys.readouterr().out)] == ["acme"]
    bad = tmp_path / "bad.toml"
    bad.write_text('[[rules]]\nid = "x"\nregex = "("\n')
    assert scan(str(tree), "--config", str(bad)) == 2
    bad.write_text('[[rules]]\nid = "x"\nregex = "x"\nkeywrods = ["x"]\n')
    assert scan(str(tree), "--config", str(bad)) == 2
    assert "unknown keys: keywrods" in capsys.readouterr().err


def test_gitignore_flag(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("local/\n")
    (tmp_path / "local").mkdir()
    (tmp_path / "local" / "dev.env").write_text(f"API_TOKEN={tokens.github_pat()}\n")
    assert scan(str(tmp_path)) == 1
    assert scan(str(tmp_path), "--gitignore") == 0


def test_missing_target_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert scan(str(tmp_path / "nope")) == 2
    assert "no such file or directory" in capsys.readouterr().err


def test_sarif_fingerprints_are_stable_with_a_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "a.env").write_text(f"API_TOKEN={tokens.github_pat()}\n")
    monkeypatch.setenv(KEY_ENV, "ci-key")
    prints = []
    for name in ("one.sarif", "two.sarif"):
        out = tmp_path / name
        assert scan(str(tmp_path / "t"), "--format", "sarif", "-o", str(out)) == 1
        result = json.loads(out.read_text())["runs"][0]["results"][0]
        prints.append(result["partialFingerprints"]["sealboxSecretHmac/v1"])
    assert prints[0] == prints[1]
    monkeypatch.setenv(KEY_ENV, "other-key")
    out = tmp_path / "three.sarif"
    assert scan(str(tmp_path / "t"), "--format", "sarif", "-o", str(out)) == 1
    result = json.loads(out.read_text())["runs"][0]["results"][0]
    assert result["partialFingerprints"]["sealboxSecretHmac/v1"] != prints[0]
