"""History and staged scans on real git repositories (secrets removed later, merges, refs)."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from tests.compat.scan.gitrepo import Repo
from tests.scan import tokens

from sealbox.scan.model import Finding
from sealbox.scan.scanner import Options, scan_history, scan_staged
from sealbox.scan.userconfig import load_rules

pytestmark = pytest.mark.compat
SEALBOX = str(Path(sys.executable).parent / "sealbox")


def located(findings: list[Finding]) -> set[tuple[str, int, str, str, str]]:
    return {
        (f.path, f.hit.start_line, f.rule_id, f.origin.commit, f.origin.author) for f in findings
    }


@pytest.mark.parametrize("jobs", [1, 2], ids=["inline", "two-workers"])
def test_history_finds_removed_merge_only_and_unmerged_secrets(tmp_path: Path, jobs: int) -> None:
    repo = Repo(tmp_path / "repo")
    removed = tokens.github_pat()
    kept = tokens.aws_key_id()
    merged_in = tokens.npm_token()
    unmerged = tokens.stripe_live()
    c1 = repo.commit(
        "initial",
        {
            "app/config.py": f'import os\nGITHUB_TOKEN = "{removed}"\n',
            ".env": f"AWS_ACCESS_KEY_ID={kept}\nDEBUG=1\n",
            "README.md": "hello\n",
        },
    )
    c2 = repo.commit(
        "use the environment",
        {
            "app/config.py": 'import os\nGITHUB_TOKEN = os.environ["GITHUB_TOKEN"]\n',
            ".env": f"AWS_ACCESS_KEY_ID={kept}\nDEBUG=0\n",
        },
        author="Bob",
    )
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("feature", {"feature.py": "def feature():\n    return 1\n"}, author="Cat")
    repo.git("checkout", "-q", "main")
    repo.commit("main work", {"other.txt": "x\n"})
    repo.git("merge", "-q", "--no-ff", "--no-commit", "feature")
    repo.write("ci.sh", f"#!/bin/sh\nexport NPM_TOKEN={merged_in}\n")
    repo.git("add", "ci.sh")
    repo.git("commit", "-q", "-m", "merge feature", author="Dan")
    merge = repo.git("rev-parse", "HEAD")
    repo.git("checkout", "-q", "-b", "spike", c2)
    spike = repo.commit("spike", {"pay.py": f'STRIPE = "{unmerged}"\n'}, author="Eve")
    repo.git("checkout", "-q", "main")

    findings = scan_history(repo.path, load_rules(None), Options(jobs=jobs, inline_bytes=0))
    assert located(findings) == {
        ("app/config.py", 2, "github-token", c1, "Ann"),
        (".env", 1, "aws-access-key-id", c1, "Ann"),
        ("ci.sh", 2, "npm-token", merge, "Dan"),
        ("pay.py", 1, "stripe-key", spike, "Eve"),
    }
    by_path = {f.path: f for f in findings}
    assert by_path[".env"].origin.email == "ann@example.test"
    assert by_path[".env"].origin.date.startswith("2023-11-14T22:")
    assert by_path["ci.sh"].secret == merged_in

    main_only = scan_history(
        repo.path, load_rules(None), Options(jobs=jobs, inline_bytes=0), ("main",)
    )
    assert "pay.py" not in {f.path for f in main_only}


def test_history_cli_reports_commits_and_fails_on_bad_repo(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    token = tokens.github_pat()
    commit = repo.commit("c", {"a.py": f'T = "{token}"\n'})
    done = subprocess.run(
        [SEALBOX, "scan", "--history", "--format", "json", str(repo.path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert token not in done.stdout + done.stderr
    assert f'"commit": "{commit}"' in done.stdout
    bad = subprocess.run(
        [SEALBOX, "scan", "--history", str(tmp_path / "nothing")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert "Error:" in bad.stderr


def test_staged_reports_only_added_lines(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    old = tokens.github_pat()
    repo.commit("old", {"settings.py": f'OLD = "{old}"\nX = 1\n'})
    added = tokens.gitlab_pat()
    new_file = tokens.npm_token()
    unstaged = tokens.stripe_live()
    repo.write("settings.py", f'OLD = "{old}"\nX = 1\nNEW = "{added}"\n')
    repo.write("deploy.sh", f"export NPM_TOKEN={new_file}\n")
    repo.git("add", "settings.py", "deploy.sh")
    repo.write("settings.py", f'OLD = "{old}"\nX = 1\nNEW = "{added}"\nLOCAL = "{unstaged}"\n')

    findings = scan_staged(repo.path, load_rules(None), Options(jobs=1))
    assert {(f.path, f.hit.start_line, f.rule_id) for f in findings} == {
        ("settings.py", 3, "gitlab-token"),
        ("deploy.sh", 1, "npm-token"),
    }
    hook = subprocess.run(
        [SEALBOX, "scan", "--staged", "--no-progress", str(repo.path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert hook.returncode == 1
    repo.git("reset", "-q")
    clean = subprocess.run(
        [SEALBOX, "scan", "--staged", str(repo.path)], capture_output=True, text=True, check=False
    )
    assert (clean.returncode, clean.stdout.strip()) == (0, "0 findings")


def test_pre_commit_hook_definition_runs_the_staged_scan(tmp_path: Path) -> None:
    hooks = yaml.safe_load((Path(__file__).parents[3] / ".pre-commit-hooks.yaml").read_text())
    [hook] = hooks
    assert (hook["id"], hook["language"], hook["pass_filenames"]) == (
        "sealbox-scan",
        "python",
        False,
    )
    argv = shlex.split(hook["entry"])
    assert argv[0] == "sealbox"
    repo = Repo(tmp_path / "repo")
    repo.commit("c", {"README.md": "x\n"})
    repo.write("creds.env", f"GITHUB_TOKEN={tokens.github_pat()}\n")
    repo.git("add", "creds.env")
    blocked = subprocess.run(
        [SEALBOX, *argv[1:]], cwd=repo.path, capture_output=True, text=True, check=False
    )
    assert blocked.returncode == 1
    assert "creds.env:1" in blocked.stdout
