"""User configuration: extra rules, disabled built-ins and global allowlists, in TOML or YAML.

The same document in either syntax (chosen by the file's suffix, ``.toml`` or ``.yaml``/``.yml``;
``.sealbox-scan.toml`` in the scanned directory is read when no ``--config`` is given)::

    [extend]
    builtin = true              # keep the built-in rules (default)
    disabled = ["jwt"]          # built-in rule ids to drop

    [[rules]]
    id = "acme-token"
    description = "ACME API token"
    regex = 'acme_(?P<secret>[a-z0-9]{32})'
    keywords = ["acme_"]        # required unless you accept running the regex on every file
    entropy = 3.0
    multiline = false           # true: the match may span lines (run on the whole text)
    stopwords = ["example"]
    allowlist = { regexes = ["^acme_0+$"], paths = ["^testdata/"] }
    # context = ['acme_sandbox']  # drop a match with one of these within 600 bytes of it

    [allowlist]                 # applied to every rule
    paths = ['(^|/)fixtures/']
    regexes = []
    stopwords = []

Unknown keys are errors, so a typo cannot silently disable a rule.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from sealbox.scan.builtin import BUILTIN_RULES
from sealbox.scan.rules import Rule, RuleError, RuleSet

_RULE_KEYS = {
    "id",
    "description",
    "regex",
    "keywords",
    "entropy",
    "stopwords",
    "allowlist",
    "generic",
    "min_length",
    "multiline",
}
_TOP_KEYS = {"extend", "rules", "allowlist"}
_ALLOW_KEYS = {"paths", "regexes", "stopwords", "context"}


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleError(f"{where}: expected a list of strings")
    return tuple(value)


def _check_keys(doc: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(doc) - allowed
    if unknown:
        raise RuleError(f"{where}: unknown keys: {', '.join(sorted(unknown))}")


def _allow(doc: Any, where: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    if doc is None:
        return (), (), ()
    if not isinstance(doc, dict):
        raise RuleError(f"{where}: expected a table")
    _check_keys(doc, _ALLOW_KEYS, where)
    if "context" in doc and not where.startswith("rules["):
        raise RuleError(f"{where}: context belongs in a rule's allowlist")
    return (
        _strings(doc.get("paths"), f"{where}.paths"),
        _strings(doc.get("regexes"), f"{where}.regexes"),
        _strings(doc.get("stopwords"), f"{where}.stopwords"),
    )


def _rule(doc: Any, index: int) -> Rule:
    where = f"rules[{index}]"
    if not isinstance(doc, dict):
        raise RuleError(f"{where}: expected a table")
    _check_keys(doc, _RULE_KEYS, where)
    if not isinstance(doc.get("id"), str) or not isinstance(doc.get("regex"), str):
        raise RuleError(f"{where}: id and regex are required strings")
    paths, regexes, stopwords = _allow(doc.get("allowlist"), f"{where}.allowlist")
    allow = doc.get("allowlist") or {}
    try:
        entropy = float(doc.get("entropy", 0.0))
        min_length = int(doc.get("min_length", 0))
    except (TypeError, ValueError) as exc:
        raise RuleError(f"{where}: entropy and min_length must be numbers") from exc
    return Rule(
        id=doc["id"],
        description=str(doc.get("description") or doc["id"]),
        regex=doc["regex"],
        keywords=tuple(k.lower() for k in _strings(doc.get("keywords"), f"{where}.keywords")),
        entropy=entropy,
        allow_regexes=regexes,
        stopwords=_strings(doc.get("stopwords"), f"{where}.stopwords") + stopwords,
        allow_paths=paths,
        generic=bool(doc.get("generic", False)),
        min_length=min_length,
        multiline=bool(doc.get("multiline", False)),
        context_allow=_strings(allow.get("context"), f"{where}.allowlist.context"),
    )


def rules_from_document(doc: Mapping[str, Any]) -> RuleSet:
    """The rule set a parsed configuration document describes."""
    _check_keys(doc, _TOP_KEYS, "config")
    extend = doc.get("extend") or {}
    if not isinstance(extend, dict):
        raise RuleError("config.extend: expected a table")
    _check_keys(extend, {"builtin", "disabled"}, "config.extend")
    disabled = set(_strings(extend.get("disabled"), "config.extend.disabled"))
    known = {r.id for r in BUILTIN_RULES}
    if disabled - known:
        raise RuleError(
            f"config.extend.disabled: unknown rules: {', '.join(sorted(disabled - known))}"
        )
    rules = (
        [r for r in BUILTIN_RULES if r.id not in disabled] if extend.get("builtin", True) else []
    )
    custom = doc.get("rules") or []
    if not isinstance(custom, list):
        raise RuleError("config.rules: expected a list of tables")
    rules.extend(_rule(item, i) for i, item in enumerate(custom))
    paths, regexes, stopwords = _allow(doc.get("allowlist"), "config.allowlist")
    if paths or regexes or stopwords:
        rules = [
            dataclasses.replace(
                r,
                allow_paths=r.allow_paths + paths,
                allow_regexes=r.allow_regexes + regexes,
                stopwords=r.stopwords + stopwords,
            )
            for r in rules
        ]
    return RuleSet(rules)


def load_rules(path: Path | None) -> RuleSet:
    """Rules from the config file at ``path``, or the built-ins when ``path`` is None."""
    if path is None:
        return RuleSet(BUILTIN_RULES)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleError(f"config {path}: cannot read: {exc.strerror}") from exc
    try:
        if path.suffix.lower() == ".toml":
            doc: Any = tomllib.loads(text)
        elif path.suffix.lower() in {".yaml", ".yml"}:
            doc = yaml.safe_load(text) or {}
        else:
            raise RuleError(f"config {path}: use a .toml, .yaml or .yml file")
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise RuleError(f"config {path}: cannot parse: {exc}") from exc
    if not isinstance(doc, dict):
        raise RuleError(f"config {path}: expected a table at the top")
    return rules_from_document(doc)
