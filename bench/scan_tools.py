"""The scanners bench/scan_bench.py runs, each as a fresh process, and how to read their reports.

Every runner returns wall and CPU seconds (user+sys of the process tree, so worker processes
count) and the (path, line) locations found, normalised to paths relative to the target.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BIN = Path(sys.executable).parent
Locations = set[tuple[str, int]]


@dataclass
class Run:
    """One tool run: timings and the (path, line) locations it reported."""

    wall: float
    cpu: float
    found: Locations
    commits: set[tuple[str, str, int]]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(args: list[str], cwd: Path | None = None) -> tuple[float, float]:
    cpu0, wall0 = _cpu(), time.perf_counter()
    subprocess.run(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - wall0, _cpu() - cpu0


def _rel(path: str, root: Path) -> str:
    text = path.removeprefix(str(root)).lstrip("/")
    return text.removeprefix("./")


def run_sealbox(target: Path, out: Path, history: bool = False, jobs: int = 2) -> Run:
    args = [
        str(BIN / "sealbox"),
        "scan",
        str(target),
        "--format",
        "json",
        "-o",
        str(out),
        "--no-progress",
        "-j",
        str(jobs),
        "--max-size",
        "2M",
    ]
    if history:
        args.append("--history")
    wall, cpu = _timed(args)
    doc = json.loads(out.read_text())
    found = {(d["path"], d["start_line"]) for d in doc}
    commits = {(d.get("commit", ""), d["path"], d["start_line"]) for d in doc}
    return Run(wall, cpu, found, commits)


def run_gitleaks(target: Path, out: Path, history: bool = False, jobs: int = 2) -> Run:
    del jobs
    mode = "git" if history else "dir"
    wall, cpu = _timed(
        [
            str(BIN / "gitleaks"),
            mode,
            str(target),
            "--no-banner",
            "-l",
            "error",
            "-f",
            "json",
            "-r",
            str(out),
            "--exit-code",
            "0",
            "--max-target-megabytes",
            "2",
        ]
    )
    doc = json.loads(out.read_text() or "[]")
    found = {(_rel(d["File"], target), int(d["StartLine"])) for d in doc}
    commits = {(d.get("Commit", ""), _rel(d["File"], target), int(d["StartLine"])) for d in doc}
    return Run(wall, cpu, found, commits)


def run_kingfisher(target: Path, out: Path, history: bool = False, jobs: int = 2) -> Run:
    args = [
        str(BIN / "kingfisher"),
        "scan",
        str(target),
        "--format",
        "json",
        "--no-validate",
        "--no-update-check",
        "-o",
        str(out),
        "-j",
        str(jobs),
    ]
    if not history:
        args += ["--git-history", "none"]
    wall, cpu = _timed(args)
    text = out.read_text()
    doc = json.loads(text.splitlines()[0]) if text.strip() else {"findings": []}
    found: Locations = set()
    commits: set[tuple[str, str, int]] = set()
    for item in doc.get("findings", []):
        finding = item["finding"]
        path = _rel(str(finding.get("path", "")), target)
        line = int(finding.get("line", 0))
        found.add((path, line))
        git = finding.get("git_metadata") or {}
        commit = str((git.get("commit") or {}).get("id", "")) if isinstance(git, dict) else ""
        commits.add((commit, path, line))
    return Run(wall, cpu, found, commits)


def run_detect_secrets(target: Path, out: Path, history: bool = False, jobs: int = 2) -> Run:
    del history, jobs
    cpu0, wall0 = _cpu(), time.perf_counter()
    with out.open("w") as handle:
        subprocess.run(
            [str(BIN / "detect-secrets"), "scan", "--all-files", "."],
            cwd=target,
            stdout=handle,
            stderr=subprocess.DEVNULL,
            check=False,
        )
    wall, cpu = time.perf_counter() - wall0, _cpu() - cpu0
    doc = json.loads(out.read_text() or "{}")
    found = {
        (path, int(r["line_number"])) for path, rows in doc.get("results", {}).items() for r in rows
    }
    return Run(wall, cpu, found, set())


TOOLS: dict[str, tuple[str, Callable[..., Run]]] = {
    "sealbox": ("sealbox", run_sealbox),
    "gitleaks": ("gitleaks", run_gitleaks),
    "kingfisher": ("kingfisher", run_kingfisher),
    "detect-secrets": ("detect-secrets", run_detect_secrets),
}


def available() -> dict[str, Callable[..., Run]]:
    tools = {}
    for name, (binary, runner) in TOOLS.items():
        if (BIN / binary).exists():
            tools[name] = runner
        else:
            print(f"skipped {name}: {binary} not installed (pip install -e '.[bench]')")
    return tools
