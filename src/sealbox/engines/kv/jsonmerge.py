"""JSON merge patch (RFC 7386) and the subkeys view of a secret.

Mirrors openbao internal/builtin/logical/kv: path_data.go ``pathDataPatch`` applies the request's
``data`` to the current version as a JSON merge patch (a null removes a key), and
path_subkeys.go replaces every leaf value by null down to ``depth`` levels.
"""

from __future__ import annotations

from typing import Any


def merge_patch(target: Any, patch: Any) -> Any:
    """``target`` with ``patch`` applied per RFC 7386; neither argument is modified."""
    if not isinstance(patch, dict):
        return patch
    result: dict[str, Any] = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def subkeys(data: Any, depth: int, level: int = 1) -> Any:
    """Keys of ``data`` with leaves as None; ``depth`` 0 = unlimited.

    compat: an empty map and a list both show as null; a negative depth acts like 1
    (path_subkeys.go stops descending once ``level < depth`` fails).
    """
    if not isinstance(data, dict):
        return None
    out: dict[str, Any] = {}
    for key, value in data.items():
        descend = isinstance(value, dict) and value and (depth == 0 or level < depth)
        out[key] = subkeys(value, depth, level + 1) if descend else None
    return out
