"""Output exactly as Vault's CLI prints it: table, json and yaml.

Table output copies Vault's ``columnize`` rules: cells are trimmed, empty cells print as
``n/a``, columns are joined by four spaces and the last column is never padded. Values print
as Go's ``%v`` would (``<nil>``, ``[a b]``, ``map[k:v]``), and keys that look like durations
print as Vault's ``humanDuration`` (``768h``, ``1h30m``). JSON output is the ``api.Secret``
shape (request_id, lease_id, lease_duration, renewable, data, warnings, then auth and wrap_info
when present), indented by two spaces with Go's HTML escaping. YAML output sorts keys like
``sigs.k8s.io/yaml``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import yaml

from sealbox.goformat import human_duration

_AUTH_KEYS = (
    "client_token",
    "accessor",
    "policies",
    "token_policies",
    "identity_policies",
    "metadata",
    "orphan",
    "entity_id",
    "lease_duration",
    "renewable",
    "mfa_requirement",
)
_WRAP_KEYS = ("token", "accessor", "ttl", "creation_time", "creation_path", "wrapped_accessor")
GLUE = "    "
_YAML11_BOOLS = frozenset({"y", "Y", "n", "N"})
FORMATS = ("table", "json", "yaml", "yml", "raw")


def go_value(value: Any) -> str:
    """Render ``value`` as Go's ``fmt.Sprintf("%v", value)`` renders decoded JSON."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        items = " ".join(f"{k}:{go_value(value[k])}" for k in sorted(value))
        return f"map[{items}]"
    if isinstance(value, list | tuple):
        return "[" + " ".join(go_value(v) for v in value) + "]"
    return str(value)


def go_quoted_list(values: Iterable[Any] | None) -> str:
    """Go's ``%q`` of a string slice: ``["a" "b"]``."""
    return "[" + " ".join(json.dumps(str(v)) for v in values or ()) + "]"


def human_duration_value(value: Any) -> Any:
    """Vault's ``humanDurationInt``: integers become durations, anything else is unchanged."""
    if isinstance(value, int) and not isinstance(value, bool):
        return human_duration(value)
    return value


def looks_like_duration(key: str) -> bool:
    """Vault's heuristic for keys whose integer values are seconds."""
    return key in {"period", "ttl", "duration", "lease_max", "ttl_max"} or key.endswith(
        ("_period", "_ttl", "_duration")
    )


def columnize(rows: Sequence[Sequence[str]]) -> str:
    """Align ``rows`` in columns like ryanuber/columnize with Vault's settings."""
    if not rows:
        return ""
    cells = [[(c.strip() or "n/a") for c in row] for row in rows]
    ncols = max(len(r) for r in cells)
    widths = [0] * ncols
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    lines = []
    for row in cells:
        parts = [cell if i == len(row) - 1 else cell.ljust(widths[i]) for i, cell in enumerate(row)]
        lines.append(GLUE.join(parts))
    return "\n".join(lines)


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table with ``header`` and a ``---`` underline row, as Vault's ``tableOutput``."""
    underline = ["-" * len(h.strip()) for h in header]
    return columnize([list(header), underline, *rows])


def map_rows(data: Mapping[str, Any]) -> list[list[str]]:
    """Sorted ``key, value`` rows of a data map, durations humanised."""
    rows = []
    for key in sorted(data):
        value = data[key]
        if looks_like_duration(key):
            value = human_duration_value(value)
        rows.append([key, go_value(value)])
    return rows


def map_table(data: Mapping[str, Any]) -> str:
    """Vault's ``OutputMap``: a Key/Value table, or nothing for an empty map."""
    rows = map_rows(data)
    return table(["Key", "Value"], rows) if rows else ""


def auth_rows(auth: Mapping[str, Any]) -> list[list[str]]:
    """The token rows Vault prints for a response carrying ``auth``."""
    duration = auth.get("lease_duration") or 0
    rows = [
        ["token", str(auth.get("client_token", ""))],
        ["token_accessor", str(auth.get("accessor", ""))],
        ["token_duration", "∞" if duration == 0 else str(human_duration_value(duration))],
        ["token_renewable", go_value(bool(auth.get("renewable")))],
        ["token_policies", go_quoted_list(auth.get("token_policies"))],
        ["identity_policies", go_quoted_list(auth.get("identity_policies"))],
        ["policies", go_quoted_list(auth.get("policies"))],
    ]
    metadata = auth.get("metadata") or {}
    rows.extend([f"token_meta_{k}", go_value(metadata[k])] for k in sorted(metadata))
    return rows


_RFC3339 = re.compile(r"(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def go_time(text: str) -> str:
    """An RFC 3339 time as Go's ``time.Time.String`` prints it (``... +0000 UTC``)."""
    match = _RFC3339.match(text)
    if not match:
        return text
    day, clock, frac, zone = match.groups()
    frac = (frac or "").rstrip("0").rstrip(".")
    if zone == "Z":
        return f"{day} {clock}{frac} +0000 UTC"
    offset = zone.replace(":", "")
    return f"{day} {clock}{frac} {offset} {offset}"


def wrap_rows(wrap: Mapping[str, Any]) -> list[list[str]]:
    """The wrapping rows Vault prints for a wrapped response."""
    rows = [
        ["wrapping_token:", str(wrap.get("token", ""))],
        ["wrapping_accessor:", str(wrap.get("accessor", ""))],
        ["wrapping_token_ttl:", str(human_duration_value(wrap.get("ttl", 0)))],
        ["wrapping_token_creation_time:", go_time(str(wrap.get("creation_time", "")))],
        ["wrapping_token_creation_path:", str(wrap.get("creation_path", ""))],
    ]
    if wrap.get("wrapped_accessor"):
        rows.append(["wrapped_accessor:", str(wrap["wrapped_accessor"])])
    return rows


def secret_rows(secret: Mapping[str, Any]) -> list[list[str]]:
    """Every row of Vault's ``OutputSecret`` table, in Vault's order."""
    rows: list[list[str]] = []
    lease_duration = secret.get("lease_duration") or 0
    if lease_duration > 0:
        if secret.get("lease_id"):
            rows.append(["lease_id", str(secret["lease_id"])])
            rows.append(["lease_duration", human_duration(lease_duration)])
            rows.append(["lease_renewable", go_value(bool(secret.get("renewable")))])
        else:
            rows.append(["refresh_interval", human_duration(lease_duration)])
    if secret.get("auth"):
        rows.extend(auth_rows(secret["auth"]))
    if secret.get("wrap_info"):
        rows.extend(wrap_rows(secret["wrap_info"]))
    data = secret.get("data")
    if isinstance(data, Mapping):
        rows.extend(map_rows(data))
    return rows


def secret_table(secret: Mapping[str, Any]) -> str:
    """Vault's table rendering of a whole response (without its warnings)."""
    rows = secret_rows(secret)
    return table(["Key", "Value"], rows) if rows else ""


def list_table(keys: Iterable[Any]) -> str:
    """Vault's ``OutputList``: a ``Keys``/``----`` column of sorted keys."""
    items = sorted(str(k) for k in keys)
    return table(["Keys"], [[k] for k in items]) if items else ""


def wrap_text(text: str, limit: int) -> list[str]:
    """Wrap words with minimum raggedness, as kr/text's ``Wrap`` (Vault's warning output)."""
    words = text.split()
    n = len(words)
    if n == 0:
        return [""]
    penalty = 100000
    lengths = [[0] * n for _ in range(n)]
    for i in range(n):
        lengths[i][i] = len(words[i])
        for j in range(i + 1, n):
            lengths[i][j] = lengths[i][j - 1] + 1 + len(words[j])
    breaks = [0] * n
    cost = [2**31 - 1] * n
    for i in range(n - 1, -1, -1):
        if lengths[i][n - 1] <= limit or i == n - 1:
            cost[i] = 0
            breaks[i] = n
            continue
        for j in range(i + 1, n):
            gap = limit - lengths[i][j - 1]
            candidate = gap * gap + cost[j] + (penalty if lengths[i][j - 1] > limit else 0)
            if candidate < cost[i]:
                cost[i] = candidate
                breaks[i] = j
    lines = []
    i = 0
    while i < n:
        lines.append(" ".join(words[i : breaks[i]]))
        i = breaks[i]
    return lines


def warnings_text(secret: Mapping[str, Any] | None) -> str:
    """The warning block Vault prints (to stderr) above a table, or ""."""
    warnings = (secret or {}).get("warnings") or []
    if not warnings:
        return ""
    lines = ["WARNING! The following warnings were returned from Vault:", ""]
    for warning in warnings:
        wrapped = wrap_text(f"* {warning}", 76)
        lines.extend("  " + line for line in wrapped)
        lines.append("")
    return "\n".join(lines)


def sort_maps(value: Any) -> Any:
    """Sort every map's keys recursively, as Go marshals ``map[string]interface{}``."""
    if isinstance(value, Mapping):
        return {k: sort_maps(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [sort_maps(v) for v in value]
    return value


def secret_shape(secret: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of Go's ``api.Secret`` in its JSON order (top-level sys mirrors dropped)."""
    shaped: dict[str, Any] = {
        "request_id": secret.get("request_id", ""),
        "lease_id": secret.get("lease_id", ""),
        "lease_duration": secret.get("lease_duration", 0),
        "renewable": secret.get("renewable", False),
        "data": sort_maps(secret.get("data")),
        "warnings": secret.get("warnings"),
    }
    auth = secret.get("auth")
    if auth:
        shaped["auth"] = {k: sort_maps(auth.get(k)) for k in _AUTH_KEYS}
    wrap = secret.get("wrap_info")
    if wrap:
        shaped["wrap_info"] = {k: wrap.get(k, "") for k in _WRAP_KEYS}
    return shaped


def to_json(value: Any) -> str:
    """Go's ``json.MarshalIndent(value, "", "  ")`` (HTML characters escaped)."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class _GoYamlDumper(yaml.SafeDumper):
    """Quote like go-yaml: double quotes instead of single, literal blocks for newlines."""

    def choose_scalar_style(self) -> Any:
        event = self.event
        if isinstance(event, yaml.ScalarEvent) and "\n" in event.value:
            return "|"
        style = super().choose_scalar_style()
        if not style and isinstance(event, yaml.ScalarEvent) and event.value in _YAML11_BOOLS:
            return '"'
        return '"' if style == "'" else style


def to_yaml(value: Any) -> str:
    """``sigs.k8s.io/yaml`` style: sorted keys, block style, no trailing newline."""
    text = yaml.dump(
        value,
        Dumper=_GoYamlDumper,
        sort_keys=True,
        default_flow_style=False,
        allow_unicode=True,
        width=1 << 30,
    )
    return text.strip()


def format_value(value: Any, output_format: str) -> str:
    """Render a bare value in ``output_format`` (json, yaml, or Go ``%v`` for table/raw)."""
    if output_format == "json":
        return to_json(value)
    if output_format in {"yaml", "yml"}:
        return to_yaml(value)
    return go_value(value)


def raw_field(secret: Mapping[str, Any], field: str) -> Any:
    """Vault's ``RawField``: a field of the auth, wrap info or data of a response."""
    data = secret.get("data")
    data_map: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
    auth = secret.get("auth")
    if auth:
        auth_fields = {
            "token": auth.get("client_token"),
            "token_accessor": auth.get("accessor"),
            "token_duration": auth.get("lease_duration", 0),
            "token_renewable": auth.get("renewable"),
            "token_policies": auth.get("token_policies"),
            "identity_policies": auth.get("identity_policies"),
            "policies": auth.get("policies"),
        }
        return auth_fields[field] if field in auth_fields else data_map.get(field)
    wrap = secret.get("wrap_info")
    if wrap:
        wrap_fields = {
            "wrapping_token": wrap.get("token"),
            "wrapping_accessor": wrap.get("accessor"),
            "wrapping_token_ttl": wrap.get("ttl"),
            "wrapping_token_creation_time": wrap.get("creation_time"),
            "wrapping_token_creation_path": wrap.get("creation_path"),
            "wrapped_accessor": wrap.get("wrapped_accessor"),
        }
        return wrap_fields[field] if field in wrap_fields else data_map.get(field)
    top = {
        "lease_duration": secret.get("lease_duration"),
        "lease_id": secret.get("lease_id"),
        "request_id": secret.get("request_id"),
        "renewable": secret.get("renewable"),
        "refresh_interval": secret.get("lease_duration"),
    }
    if field in top:
        return top[field]
    if field == "data":
        return data_map.get("data", data)
    return data_map.get(field)


def pad_equal_signs(header: str, total_len: int) -> str:
    """Vault's section header: ``==== Title ====`` centred over ``total_len`` columns."""
    signs = total_len - (len(header) + 2)
    if signs <= 0:
        signs = 4
    if signs % 2:
        signs += 1
    half = "=" * (signs // 2)
    return f"{half} {header} {half}"


def header_for_map(header: str, data: Mapping[str, Any]) -> str:
    """Vault's ``getHeaderForMap``: as wide as the longest key plus the Value column."""
    longest = max((len(k) for k in data), default=0)
    return pad_equal_signs(header, longest + 4 + 5)
