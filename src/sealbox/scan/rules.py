"""Rules and the compiled rule set with its keyword prefilter.

A rule is data: an id, the keywords that must occur (case-insensitively) in a text before its
regex is worth running, the regex, an entropy floor and allowlists. The rule set compiles every
rule's regex once and builds one Aho-Corasick automaton over all keywords, so a text is read
once to learn which few rules can match it; most files match none and cost one pass.

The secret is the regex's ``secret`` group (else group 1, else the whole match); an optional
``name`` group captures the assignment's key (``DB_PASSWORD``), used to name imported secrets.
``context_allow`` regexes drop a match when one of them occurs near it (within
:data:`CONTEXT_BYTES` before or after): the text around a value can make it public (a Firebase
client configuration's ``apiKey``) where the same value elsewhere is a secret.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import ahocorasick_rs

CONTEXT_BYTES = 600


class RuleError(ValueError):
    """A rule definition is invalid (bad regex, missing id, unknown field)."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One detection rule, as written in the built-in table or a user's config."""

    id: str
    description: str
    regex: str
    keywords: tuple[str, ...] = ()
    entropy: float = 0.0
    allow_regexes: tuple[str, ...] = ()
    stopwords: tuple[str, ...] = ()
    allow_paths: tuple[str, ...] = ()
    generic: bool = False
    min_length: int = 0
    multiline: bool = False
    allow_names: tuple[str, ...] = ()
    context_allow: tuple[str, ...] = ()
    skip_identifiers: bool = False


@dataclass(slots=True)
class CompiledRule:
    """A rule with its regexes compiled (bytes patterns: texts are scanned as bytes)."""

    rule: Rule
    pattern: re.Pattern[bytes]
    group: int | str
    has_name: bool
    allow: tuple[re.Pattern[str], ...]
    paths: tuple[re.Pattern[str], ...]
    stopwords: tuple[str, ...] = field(default=())
    names: tuple[re.Pattern[str], ...] = field(default=())
    context: tuple[re.Pattern[bytes], ...] = field(default=())


def _compile(source: str, rule_id: str) -> re.Pattern[bytes]:
    try:
        return re.compile(source.encode("utf-8"))
    except re.error as exc:
        raise RuleError(f"rule {rule_id}: invalid regex: {exc}") from exc


def compile_rule(rule: Rule) -> CompiledRule:
    """Compile one rule, choosing the secret group as the module docstring says."""
    if not rule.id:
        raise RuleError("a rule needs an id")
    pattern = _compile(rule.regex, rule.id)
    group: int | str = 0
    if "secret" in pattern.groupindex:
        group = "secret"
    elif pattern.groups:
        group = 1
    try:
        allow = tuple(re.compile(a) for a in rule.allow_regexes)
        paths = tuple(re.compile(p) for p in rule.allow_paths)
        names = tuple(re.compile(n) for n in rule.allow_names)
        context = tuple(re.compile(c.encode("utf-8")) for c in rule.context_allow)
    except re.error as exc:
        raise RuleError(f"rule {rule.id}: invalid allowlist regex: {exc}") from exc
    return CompiledRule(
        rule,
        pattern,
        group,
        "name" in pattern.groupindex,
        allow,
        paths,
        tuple(s.lower() for s in rule.stopwords),
        names,
        context,
    )


class RuleSet:
    """Compiled rules plus the keyword automaton; cheap to pickle (rebuilt in each worker)."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules: tuple[Rule, ...] = tuple(rules)
        ids = [r.id for r in self.rules]
        duplicate = {i for i in ids if ids.count(i) > 1}
        if duplicate:
            raise RuleError(f"duplicate rule ids: {', '.join(sorted(duplicate))}")
        self._build()

    def _build(self) -> None:
        self.compiled = [compile_rule(r) for r in self.rules]
        keywords = sorted({k.lower() for r in self.rules for k in r.keywords})
        self._always = [c for c in self.compiled if not c.rule.keywords]
        self._by_keyword: list[list[CompiledRule]] = [
            [c for c in self.compiled if kw in {k.lower() for k in c.rule.keywords}]
            for kw in keywords
        ]
        self._automaton = (
            ahocorasick_rs.BytesAhoCorasick([k.encode("utf-8") for k in keywords])
            if keywords
            else None
        )

    def __getstate__(self) -> dict[str, Any]:
        return {"rules": self.rules}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.rules = state["rules"]
        self._build()

    def by_id(self) -> dict[str, Rule]:
        """Rules keyed by id (for reports)."""
        return {r.id: r for r in self.rules}

    def candidates(self, lowered: bytes) -> list[tuple[CompiledRule, list[int] | None]]:
        """The rules whose keywords occur in ``lowered`` (the text, ASCII-lowercased), each
        with the offsets of its keyword hits (None: scan the whole text), specific rules first
        so that a generic hit on a span a specific rule reported can be dropped."""
        chosen: dict[str, tuple[CompiledRule, list[int] | None]] = {
            c.rule.id: (c, None) for c in self._always
        }
        if self._automaton is not None:
            by_keyword: dict[int, list[int]] = {}
            for index, start, _end in self._automaton.find_matches_as_indexes(
                lowered, overlapping=True
            ):
                by_keyword.setdefault(index, []).append(start)
            for index, offsets in by_keyword.items():
                for compiled in self._by_keyword[index]:
                    _, known = chosen.setdefault(compiled.rule.id, (compiled, []))
                    if known is not None:
                        known.extend(offsets)
        return sorted(chosen.values(), key=lambda pair: (pair[0].rule.generic, pair[0].rule.id))
