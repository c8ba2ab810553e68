"""Detection in one text: prefilter, rule regexes, and the checks that make a hit a finding.

Order of work per text (bytes): skip binaries and SOPS-encrypted files; lowercase once and ask
the rule set which rules' keywords occur; run only those regexes; then drop a match when its
secret is under the rule's entropy floor (or reads as an identifier, for rules that ask), is a
published example value (:mod:`known`), contains a placeholder stopword, matches an allowlist,
is a ``vault:v1:`` (Transit) or SOPS ``ENC[...]`` ciphertext, has one of the rule's context
patterns nearby (a Firebase client configuration around an ``AIza`` key), sits on a line
carrying the ``sealbox:allow`` pragma, or is a generic hit on a span a provider rule already
reported. In code files a generic assignment must have a quoted value (``password = get()`` is
code, not a secret); in configuration (.env, YAML, properties, shell) bare values count.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from sealbox.scan.entropy import is_identifier, shannon
from sealbox.scan.known import is_published
from sealbox.scan.model import Hit
from sealbox.scan.rules import CONTEXT_BYTES, CompiledRule, RuleSet

PRAGMA = b"sealbox:allow"
_SNIFF = 8192
_MAX_LINE = 400
CODE_SUFFIXES = frozenset(
    [
        ".py",
        ".pyi",
        ".js",
        ".mjs",
        ".cjs",
        ".jsx",
        ".ts",
        ".tsx",
        ".go",
        ".java",
        ".kt",
        ".kts",
        ".scala",
        ".groovy",
        ".rb",
        ".php",
        ".cs",
        ".c",
        ".h",
        ".cc",
        ".cpp",
        ".hpp",
        ".rs",
        ".swift",
        ".m",
        ".mm",
        ".dart",
        ".lua",
        ".pl",
        ".r",
        ".jl",
        ".ex",
        ".exs",
        ".erl",
        ".clj",
        ".vue",
        ".svelte",
    ]
)
# Files whose content is hashes and versions, never credentials.
_ALWAYS_SKIP = re.compile(
    r"(?:^|/)(?:go\.sum|package-lock\.json|yarn\.lock|pnpm-lock\.yaml|poetry\.lock|Cargo\.lock|"
    r"composer\.lock|Gemfile\.lock|uv\.lock|\.git/.*)$"
)
_CIPHERTEXT_PREFIXES = ("vault:v1:", "vault:v2:", "ENC[AES256_GCM,")
_SOPS_VALUE = b"ENC[AES256_GCM,data:"
# The MAC entry of SOPS metadata in each format Go sops writes (the MAC itself is encrypted, so
# it is always an ENC[AES256_GCM,...] value): YAML ``sops:`` mapping, JSON ``"sops": {...}``
# (also the wrapper of binary files), dotenv ``sops_mac=`` and INI ``[sops]`` section.
_SOPS_METADATA = (
    (
        re.compile(rb"(?m)^sops:[ \t]*\r?$"),
        re.compile(rb"(?m)^[ \t]+mac:[ \t]*[\"']?ENC\[AES256_GCM,"),
    ),
    (re.compile(rb'"sops"\s*:\s*\{'), re.compile(rb'"mac"\s*:\s*"ENC\[AES256_GCM,')),
    (re.compile(rb"(?m)^sops_version="), re.compile(rb"(?m)^sops_mac=ENC\[AES256_GCM,")),
    (
        re.compile(rb"(?m)^\[sops\][ \t]*\r?$"),
        re.compile(rb"(?m)^mac[ \t]*=[ \t]*ENC\[AES256_GCM,"),
    ),
)


def is_binary(data: bytes) -> bool:
    """A NUL byte near the start marks a binary file, as git decides."""
    return b"\0" in data[:_SNIFF]


def is_sops_file(data: bytes) -> bool:
    """A SOPS-encrypted file: ciphertext values plus SOPS metadata with its encrypted MAC, in
    the shape of one of the formats SOPS writes. A file that merely mentions ``sops``, ``mac``
    and an ``ENC[...]`` example (documentation, tests) is scanned like any other."""
    if _SOPS_VALUE not in data:
        return False
    return any(head.search(data) and mac.search(data) for head, mac in _SOPS_METADATA)


def _near(patterns: tuple[re.Pattern[bytes], ...], data: bytes, start: int, end: int) -> bool:
    """Whether a context pattern occurs within ``CONTEXT_BYTES`` of the span."""
    low, high = max(0, start - CONTEXT_BYTES), min(len(data), end + CONTEXT_BYTES)
    return any(p.search(data, low, high) for p in patterns)


class _Lines:
    """Maps byte offsets to 1-based line numbers; the newline index is built on first use."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._newlines: list[int] | None = None

    def number(self, offset: int) -> int:
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer(b"\n", self._data)]
        return bisect.bisect_left(self._newlines, offset) + 1

    def bounds(self, offset: int) -> tuple[int, int]:
        start = self._data.rfind(b"\n", 0, offset) + 1
        end = self._data.find(b"\n", offset)
        return start, len(self._data) if end < 0 else end


def _line_spans(data: bytes, offsets: list[int]) -> Iterator[tuple[int, int]]:
    """The lines holding ``offsets``, each once, in order."""
    end = -1
    for offset in sorted(offsets):
        if offset <= end:
            continue
        start = data.rfind(b"\n", 0, offset) + 1
        end = data.find(b"\n", offset)
        if end < 0:
            end = len(data)
        yield start, end


def _matches(
    compiled: CompiledRule, data: bytes, offsets: list[int] | None
) -> Iterator[re.Match[bytes]]:
    """Matches of a rule: only on the lines where its keywords occur, unless it spans lines
    (a PEM block) or has no keywords. Running regexes on those lines alone, rather than on the
    whole file, is what keeps loose rules (whose keywords are common words) cheap."""
    if offsets is None or compiled.rule.multiline:
        yield from compiled.pattern.finditer(data)
        return
    for start, end in _line_spans(data, offsets):
        yield from compiled.pattern.finditer(data, start, end)


class Detector:
    """Runs a rule set over texts; one per process (holds the compiled rules)."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules

    def scan(self, data: bytes, path: str) -> list[Hit]:
        """Every accepted hit in ``data`` (the content of ``path``), in text order."""
        if not data or _ALWAYS_SKIP.search(path) or is_binary(data) or is_sops_file(data):
            return []
        candidates = self.rules.candidates(data.lower())
        if not candidates:
            return []
        code = PurePosixPath(path).suffix.lower() in CODE_SUFFIXES
        lines = _Lines(data)
        taken: list[tuple[int, int]] = []
        hits: list[tuple[int, Hit]] = []
        for compiled, offsets in candidates:
            if any(p.search(path) for p in compiled.paths):
                continue
            for match in _matches(compiled, data, offsets):
                start, end = match.span(compiled.group)
                if start < 0 or not self._accept(compiled, match, code):
                    continue
                if compiled.context and _near(compiled.context, data, start, end):
                    continue
                if compiled.rule.generic and any(s < end and start < e for s, e in taken):
                    continue
                hit = self._hit(compiled, match, data, lines, start, end)
                if hit is not None:
                    taken.append((start, end))
                    hits.append((start, hit))
        hits.sort(key=lambda pair: pair[0])
        return [hit for _, hit in hits]

    @staticmethod
    def _accept(compiled: CompiledRule, match: re.Match[bytes], code: bool) -> bool:
        rule = compiled.rule
        secret = match.group(compiled.group).decode("utf-8", "replace")
        if len(secret) < rule.min_length or secret.startswith(_CIPHERTEXT_PREFIXES):
            return False
        if rule.entropy and shannon(secret) < rule.entropy:
            return False
        if is_published(secret) or (rule.skip_identifiers and is_identifier(secret)):
            return False
        lowered = secret.lower()
        if any(word in lowered for word in compiled.stopwords):
            return False
        if any(a.search(secret) for a in compiled.allow):
            return False
        if compiled.names and match.group("name") is not None:
            name = match.group("name").decode("utf-8", "replace")
            if any(n.search(name) for n in compiled.names):
                return False
        return not (rule.generic and code and "q" in match.re.groupindex and not match.group("q"))

    @staticmethod
    def _hit(
        compiled: CompiledRule,
        match: re.Match[bytes],
        data: bytes,
        lines: _Lines,
        start: int,
        end: int,
    ) -> Hit | None:
        first_start, _ = lines.bounds(start)
        last_start, last_end = lines.bounds(max(start, end - 1))
        if PRAGMA in data[first_start:last_end]:
            return None
        _, first_end = lines.bounds(start)
        name = match.group("name") if compiled.has_name else b""
        return Hit(
            rule_id=compiled.rule.id,
            secret=data[start:end].decode("utf-8", "replace"),
            start_line=lines.number(start),
            end_line=lines.number(max(start, end - 1)),
            start_column=start - first_start + 1,
            end_column=end - last_start,
            line=data[first_start:first_end][:_MAX_LINE].decode("utf-8", "replace"),
            name=(name or b"").decode("utf-8", "replace"),
        )
