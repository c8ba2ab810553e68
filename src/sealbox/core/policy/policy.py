"""Policy documents: parsing HCL/JSON ACL policies into path rules.

Mirrors OpenBao's internal/vault/policy/policy.go (``ParseACLPolicy``/``parsePaths``):
top-level keys ``name`` and ``path``; per-path keys ``comment, policy, capabilities,
allowed_parameters, denied_parameters, required_parameters, min_wrapping_ttl,
max_wrapping_ttl, mfa_methods, pagination_limit, expiration,
list_scan_response_keys_filter_path, control_group``; a leading ``/`` is stripped; ``+*``
is refused; a trailing ``*`` makes a prefix rule unless the path also has ``+`` segments;
``deny`` replaces every other capability (and the rest of the stanza is then ignored);
allowed/denied parameter names are lower-cased. Error texts are those OpenBao 2.7 returns
(``failed to parse policy: path "x": path "x": invalid capability "bogus"``).

Decided here: ``mfa_methods``, ``control_group``, ``pagination_limit`` and
``list_scan_response_keys_filter_path`` are accepted and kept but not enforced yet;
paths with identity templates (``{{identity.entity.id}}``) are kept but never match
until an identity store exists; paths whose ``expiration`` has passed are dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sealbox.core.policy.syntax import Item, Obj, SyntaxProblem, parse_document, to_python
from sealbox.errors import InvalidRequest
from sealbox.goformat import DurationError, parse_duration

DENY, CREATE, READ, UPDATE, DELETE, LIST, SUDO, PATCH, SCAN = (
    "deny",
    "create",
    "read",
    "update",
    "delete",
    "list",
    "sudo",
    "patch",
    "scan",
)
ROOT_CAPABILITY = "root"
CAPABILITIES = frozenset({DENY, CREATE, READ, UPDATE, DELETE, LIST, SUDO, PATCH, SCAN})

# compat: the pre-0.5 ``policy = "..."`` shorthand (policy.go OldReadPathPolicy etc.)
_LEGACY: dict[str, tuple[str, ...]] = {
    "deny": (DENY,),
    "read": (READ, LIST),
    "write": (CREATE, READ, UPDATE, DELETE, LIST),
    "sudo": (CREATE, READ, UPDATE, DELETE, LIST, SUDO),
}
_TOP_KEYS = ("name", "path")
_PATH_KEYS = (
    "comment",
    "policy",
    "capabilities",
    "allowed_parameters",
    "denied_parameters",
    "required_parameters",
    "min_wrapping_ttl",
    "max_wrapping_ttl",
    "mfa_methods",
    "pagination_limit",
    "expiration",
    "list_scan_response_keys_filter_path",
    "control_group",
)


@dataclass(frozen=True, slots=True)
class PathRules:
    """One ``path "<pattern>" { ... }`` stanza after parsing.

    ``path`` is the key the ACL stores the rule under: the pattern without its leading
    ``/`` and, for a prefix rule, without the trailing ``*``. Wrapping TTLs are seconds,
    0 meaning unset. Parameter maps are None when the stanza does not mention them.
    """

    path: str
    capabilities: frozenset[str]
    is_prefix: bool = False
    has_segment_wildcards: bool = False
    templated: bool = False
    allowed_parameters: Mapping[str, tuple[Any, ...]] | None = None
    denied_parameters: Mapping[str, tuple[Any, ...]] | None = None
    required_parameters: tuple[str, ...] = ()
    min_wrapping_ttl: int = 0
    max_wrapping_ttl: int = 0
    mfa_methods: tuple[str, ...] = ()
    pagination_limit: int = 0
    expiration: datetime | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    """A named policy: the raw text exactly as written, and its parsed path rules."""

    name: str
    raw: str
    paths: tuple[PathRules, ...] = field(default=())
    templated: bool = False


def normalize_name(name: str) -> str:
    """Policy names are trimmed and lower-cased (policy_store.go sanitizeName)."""
    clean = name.strip().lower()
    if not clean:
        raise InvalidRequest("policy name missing")
    if any(ord(ch) < 0x20 or ch == "\x7f" for ch in clean):
        raise InvalidRequest("policy name contains control characters")
    return clean


def _multierror(messages: list[str]) -> str:
    """hashicorp/go-multierror's rendering, which OpenBao passes to clients verbatim."""
    noun = "1 error occurred" if len(messages) == 1 else f"{len(messages)} errors occurred"
    return noun + ":\n" + "".join(f"\t* {m}\n" for m in messages) + "\n"


def _check_keys(obj: Obj, valid: tuple[str, ...]) -> str | None:
    bad = [
        f'invalid key "{item.keys[0]}" on line {item.line}'
        for item in obj.items
        if item.keys[0] not in valid
    ]
    return _multierror(bad) if bad else None


class _StanzaError(Exception):
    """Raised inside one stanza; the caller prefixes ``path "<key>": ``."""


def parse_policy(name: str, text: str) -> Policy:
    """Parse policy ``text`` (HCL or JSON) named ``name``; InvalidRequest on any error."""
    clean_name = normalize_name(name)
    try:
        root = parse_document(text)
    except SyntaxProblem as err:
        raise InvalidRequest(f"failed to parse policy: {err}") from err
    problem = _check_keys(root, _TOP_KEYS)
    if problem is not None:
        raise InvalidRequest(f"failed to parse policy: {problem}")
    rules: list[PathRules] = []
    now = datetime.now(UTC)
    for item in root.items:
        if item.keys[0] != "path":
            continue
        key = item.keys[1] if len(item.keys) > 1 else "path"
        try:
            rule = _parse_stanza(key, item)
        except _StanzaError as err:
            raise InvalidRequest(f'failed to parse policy: path "{key}": {err}') from err
        if rule.expiration is not None and rule.expiration <= now:
            continue
        rules.append(rule)
    return Policy(
        name=clean_name,
        raw=text,
        paths=tuple(rules),
        templated=any(r.templated for r in rules),
    )


def _fields(key: str, item: Item) -> dict[str, Any]:
    if len(item.keys) > 2:
        raise _StanzaError(f'path "{key}": a path block takes exactly one label')
    if not isinstance(item.value, Obj):
        raise _StanzaError(f'path "{key}": expected an object')
    problem = _check_keys(item.value, _PATH_KEYS)
    if problem is not None:
        raise _StanzaError(problem)
    return {sub.keys[0]: sub.value for sub in item.value.items}


def _string_list(key: str, field_name: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _StanzaError(f'path "{key}": {field_name} must be a list of strings')
    return tuple(value)


def _param_map(key: str, field_name: str, value: Any) -> Mapping[str, tuple[Any, ...]] | None:
    if value is None:
        return None
    if not isinstance(value, Obj):
        raise _StanzaError(f'path "{key}": {field_name} must be a map of lists')
    out: dict[str, tuple[Any, ...]] = {}
    for sub in value.items:
        values = to_python(sub.value)
        if not isinstance(values, list):
            raise _StanzaError(f'path "{key}": {field_name} must be a map of lists')
        out[sub.keys[0].lower()] = tuple(values)
    return out


def _capabilities(key: str, fields: dict[str, Any]) -> list[str]:
    caps = list(_string_list(key, "capabilities", fields.get("capabilities")))
    legacy = fields.get("policy")
    if legacy is not None:
        if not isinstance(legacy, str) or legacy not in _LEGACY:
            raise _StanzaError(f'path "{key}": invalid policy "{legacy}"')
        caps = [DENY] if legacy == "deny" else caps + list(_LEGACY[legacy])
    for cap in caps:
        if cap == DENY:
            return [DENY]
        if cap not in CAPABILITIES:
            raise _StanzaError(f'path "{key}": invalid capability "{cap}"')
    return caps


def _ttl(fields: dict[str, Any], field_name: str) -> int:
    raw = fields.get(field_name)
    if raw is None:
        return 0
    try:
        return parse_duration(raw)
    except DurationError as err:
        raise _StanzaError(f"error parsing {field_name}: {err}") from err


def _expiration(key: str, raw: Any) -> datetime | None:
    if raw is None or raw == "":
        return None
    try:
        when = datetime.fromisoformat(str(raw))
    except ValueError as err:
        raise _StanzaError(f'path "{key}": invalid expiration time: {err}') from err
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _parse_stanza(key: str, item: Item) -> PathRules:
    fields = _fields(key, item)
    expiration = _expiration(key, fields.get("expiration"))
    path = key[1:] if key.startswith("/") else key
    if "+*" in path:
        raise _StanzaError(f"path \"{path}\": invalid use of wildcards ('+*' is forbidden)")
    segments = path == "+" or "/+" in path or path.startswith("+/")
    is_prefix = path.endswith("*") and not segments
    if is_prefix:
        path = path[:-1]
    templated = "{{" in path
    caps = _capabilities(key, fields)
    if caps == [DENY]:
        # compat: a deny stanza ignores everything else in it (policy.go "goto PathFinished")
        return PathRules(
            path, frozenset(caps), is_prefix, segments, templated, expiration=expiration
        )
    min_ttl, max_ttl = _ttl(fields, "min_wrapping_ttl"), _ttl(fields, "max_wrapping_ttl")
    if min_ttl and max_ttl and max_ttl < min_ttl:
        raise _StanzaError("max_wrapping_ttl cannot be less than min_wrapping_ttl")
    limit = fields.get("pagination_limit", 0)
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise _StanzaError(f'path "{key}": pagination_limit must be an integer')
    return PathRules(
        path=path,
        capabilities=frozenset(caps),
        is_prefix=is_prefix,
        has_segment_wildcards=segments,
        templated=templated,
        allowed_parameters=_param_map(key, "allowed_parameters", fields.get("allowed_parameters")),
        denied_parameters=_param_map(key, "denied_parameters", fields.get("denied_parameters")),
        required_parameters=_string_list(
            key, "required_parameters", fields.get("required_parameters")
        ),
        min_wrapping_ttl=min_ttl,
        max_wrapping_ttl=max_ttl,
        mfa_methods=_string_list(key, "mfa_methods", fields.get("mfa_methods")),
        pagination_limit=limit,
        expiration=expiration,
    )
