"""``sealbox scan``: find hardcoded secrets in a tree, git history, staged changes or an image.

Exit codes (for CI): 0 when there is no finding outside the baseline, ``--exit-code`` (default
1) when there are, 2 for errors (unreadable source, bad config or baseline, failed import,
usage errors). Findings are redacted unless ``--reveal``. ``--import PREFIX`` stores the findings
in KV v2 through the API with the caller's token (``SEALBOX_TOKEN``/``VAULT_TOKEN``) after a
confirmation per finding (or ``--yes``), and prints the reference that replaces each value; a
value in a file SOPS owns (SOPS-encrypted now, or covered by a ``.sops.yaml`` rule) is not
written to KV, and its reference is the SOPS file (see ``sealbox.scan.sops_refs``).
"""

from __future__ import annotations

import shlex
import sys
from enum import IntEnum
from pathlib import Path
from typing import Any

import click

from sealbox.cli.base import client_flags, make_client
from sealbox.client import ClientConnectionError, ClientError
from sealbox.scan import report, sarif
from sealbox.scan.baseline import Baseline, BaselineError
from sealbox.scan.engine import ScanError
from sealbox.scan.importer import ImportFailed, import_findings
from sealbox.scan.model import Finding
from sealbox.scan.progress import progress_for
from sealbox.scan.redact import redact
from sealbox.scan.rules import RuleError, RuleSet
from sealbox.scan.scanner import Options, scan_history, scan_image, scan_staged, scan_tree
from sealbox.scan.userconfig import load_rules


class ScanExit(IntEnum):
    """The scan's exit codes; ``--exit-code`` replaces FINDINGS."""

    CLEAN = 0
    FINDINGS = 1
    ERROR = 2


_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
_DEFAULT_CONFIG = ".sealbox-scan.toml"


class ScanCommand(click.Command):
    """Usage errors exit 2 here, so CI can tell "secrets found" (1) from "scan broken"."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            exc.show()
            raise click.exceptions.Exit(ScanExit.ERROR) from None


def _size(text: str) -> int:
    value = text.strip().upper().removesuffix("B")
    unit = value[-1:] if value[-1:] in _UNITS else ""
    number = value[: len(value) - len(unit)]
    if not number.isdigit():
        raise click.BadParameter(f"not a size: {text!r} (use e.g. 512K, 10M)")
    return int(number) * _UNITS[unit]


class _Fail(Exception):
    """A scan error already worded for the user."""


def _rules(config: Path | None, target: Path) -> RuleSet:
    if config is None:
        candidate = (target if target.is_dir() else target.parent) / _DEFAULT_CONFIG
        config = candidate if candidate.is_file() else None
    return load_rules(config)


def _run_scan(
    mode: str, target: Path, rules: RuleSet, options: Options, log_opts: str
) -> list[Finding]:
    if mode == "history":
        return scan_history(target, rules, options, tuple(shlex.split(log_opts)))
    if mode == "staged":
        return scan_staged(target, rules, options)
    if mode == "image":
        return scan_image(target, rules, options)
    return scan_tree(target, rules, options)


def _confirm(findings: list[Finding], yes: bool) -> list[Finding]:
    if yes:
        return findings
    if not sys.stdin.isatty():
        raise _Fail("--import needs --yes when standard input is not a terminal")
    return [
        f
        for f in findings
        if click.confirm(
            f"Import {f.rule_id} {redact(f.secret)} from {f.path}:{f.hit.start_line}?",
            default=False,
            err=True,
        )
    ]


def _work_tree(mode: str, target: Path) -> Path | None:
    """Where the scanned files are now (for SOPS ownership checks); an image has none."""
    if mode == "image":
        return None
    return target if target.is_dir() else target.parent


def _import(prefix: str, findings: list[Finding], yes: bool, root: Path | None) -> None:
    chosen = _confirm(findings, yes)
    if not chosen:
        click.echo("nothing imported", err=True)
        return
    with make_client() as client:
        try:
            imported = import_findings(client, prefix, chosen, root)
        except (ClientError, ClientConnectionError) as exc:
            raise _Fail(f"import failed: {exc}") from None
        except ImportFailed as exc:
            raise _Fail(f"import failed: {exc}") from None
    for item in imported:
        click.echo(
            f"{item.finding.path}:{item.finding.hit.start_line}: replace the value with", err=True
        )
        for line in item.references():
            click.echo(f"  {line}", err=True)


def _render(fmt: str, findings: list[Finding], rules: RuleSet, key: bytes, reveal: bool) -> str:
    if fmt == "json":
        return report.to_json(findings, reveal=reveal)
    if fmt == "sarif":
        return sarif.to_sarif(findings, rules.by_id(), key, reveal=reveal)
    return report.to_text(findings, reveal=reveal)


@click.command("scan", cls=ScanCommand)
@click.argument("target", type=click.Path(path_type=Path), default=".")
@click.option(
    "--history", "mode", flag_value="history", help="Scan every commit of the repository."
)
@click.option("--staged", "mode", flag_value="staged", help="Scan the staged changes (pre-commit).")
@click.option("--image", "mode", flag_value="image", help="TARGET is a docker save / OCI tarball.")
@click.option("--log-opts", default="", help="git log arguments for --history (default --all).")
@click.option("--gitignore", is_flag=True, help="Skip files .gitignore excludes (tree scans).")
@click.option("--max-size", default="10M", help="Skip files larger than this (e.g. 512K, 10M).")
@click.option(
    "--config", "config", type=click.Path(path_type=Path), help="Rules file (TOML or YAML)."
)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write the report here.")
@click.option(
    "--baseline", type=click.Path(path_type=Path), help="Ignore findings in this baseline."
)
@click.option(
    "--write-baseline", type=click.Path(path_type=Path), help="Record findings as a baseline."
)
@click.option("--reveal", is_flag=True, help="Print secrets unredacted.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None, help="Worker processes.")
@click.option("--progress/--no-progress", default=None, help="Progress line (default: on a TTY).")
@click.option(
    "--exit-code",
    type=click.IntRange(0, 255),
    default=int(ScanExit.FINDINGS),
    help="Exit code on findings.",
)
@click.option(
    "--import", "import_prefix", default=None, help="Store findings in KV v2 under this path."
)
@click.option("--yes", "-y", is_flag=True, help="Import without asking per finding.")
@client_flags
def scan_cmd(
    target: Path,
    mode: str | None,
    log_opts: str,
    gitignore: bool,
    max_size: str,
    config: Path | None,
    fmt: str,
    output: Path | None,
    baseline: Path | None,
    write_baseline: Path | None,
    reveal: bool,
    jobs: int | None,
    progress: bool | None,
    exit_code: int,
    import_prefix: str | None,
    yes: bool,
) -> None:
    """Find hardcoded secrets in TARGET (a directory or file; a repository with --history or
    --staged; an image tarball with --image)."""
    mode = mode or "tree"
    try:
        rules = _rules(config, target)
        known = Baseline.load(baseline) if baseline is not None else Baseline.new()
        line = progress_for(progress, f"scan {mode}")
        options = Options(max_size=_size(max_size), gitignore=gitignore, progress=line)
        if jobs is not None:
            options = Options(jobs, options.max_size, gitignore, line)
        try:
            findings = _run_scan(mode, target, rules, options, log_opts)
        finally:
            if line is not None:
                line.finish()
        new = [f for f in findings if not known.contains(f)]
        if write_baseline is not None:
            known.dump(write_baseline, findings)
        text = _render(fmt, new, rules, known.key, reveal)
        if output is not None:
            output.write_text(text + "\n", encoding="utf-8")
        else:
            click.echo(text)
        if import_prefix and new:
            _import(import_prefix, new, yes, _work_tree(mode, target))
    except (ScanError, RuleError, BaselineError, _Fail, click.BadParameter, OSError) as exc:
        click.echo(f"Error: {exc}", err=True)
        raise click.exceptions.Exit(ScanExit.ERROR) from None
    raise click.exceptions.Exit(exit_code if new else ScanExit.CLEAN)


COMMANDS = (scan_cmd,)
