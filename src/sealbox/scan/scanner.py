"""The four scans, each a source feeding the engine and turning hits into findings.

This is the library entry point the CLI (and tests) call; it holds no I/O policy of its own
beyond what each source documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sealbox.scan.engine import Engine, Progress, default_jobs
from sealbox.scan.model import Finding
from sealbox.scan.rules import RuleSet
from sealbox.scan.sources import git, image, staged, tree


@dataclass(frozen=True, slots=True)
class Options:
    """What every scan takes: worker count, size limit, .gitignore handling, progress."""

    jobs: int = field(default_factory=default_jobs)
    max_size: int = 10 << 20
    gitignore: bool = False
    progress: Progress | None = None
    inline_bytes: int = 2 << 20


def _describe(rules: RuleSet) -> dict[str, str]:
    return {r.id: r.description for r in rules.rules}


def scan_tree(root: Path, rules: RuleSet, options: Options = Options()) -> list[Finding]:
    """Findings in the files under ``root`` (paths relative to it)."""
    engine = Engine(rules, options.jobs, options.max_size, inline_bytes=options.inline_bytes)
    items = tree.tree_items(root, gitignore=options.gitignore, max_size=options.max_size)
    hits = engine.run(items, options.progress)
    describe = _describe(rules)
    findings = [
        Finding(h.rule_id, describe[h.rule_id], path, h)
        for path, path_hits in hits.items()
        for h in path_hits
    ]
    return sorted(findings, key=Finding.sort_key)


def scan_history(
    repo: Path, rules: RuleSet, options: Options = Options(), log_opts: tuple[str, ...] = ()
) -> list[Finding]:
    """Findings in every blob of the repository's history, at their introducing commits."""
    blobs = git.history(repo, log_opts)
    sizes = git.blob_sizes(repo, list(blobs))
    engine = Engine(rules, options.jobs, options.max_size, str(repo), options.inline_bytes)
    hits = engine.run(git.history_items(blobs, sizes, options.max_size), options.progress)
    return git.history_findings(blobs, hits, _describe(rules))


def scan_staged(repo: Path, rules: RuleSet, options: Options = Options()) -> list[Finding]:
    """Findings on the lines the staged changes add."""
    items, added = staged.staged_items(repo)
    engine = Engine(rules, options.jobs, options.max_size, str(repo), options.inline_bytes)
    hits = engine.run(items, options.progress)
    return staged.staged_findings(hits, added, _describe(rules))


def scan_image(path: Path, rules: RuleSet, options: Options = Options()) -> list[Finding]:
    """Findings in every layer and the config of an image tarball."""
    with image.open_image(path) as tar:
        contents = image.read_image(tar)
        engine = Engine(rules, options.jobs, options.max_size, inline_bytes=options.inline_bytes)
        hits = engine.run(image.image_items(tar, contents, options.max_size), options.progress)
    return image.image_findings(contents, hits, _describe(rules))
