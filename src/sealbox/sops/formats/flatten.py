"""Flattening of nested metadata into single-level keys, for the dotenv and INI stores.

Mirrors stores/flatten.go: a mapping child becomes ``parent__map_key``, a list element
``parent__list_<i>``; e.g. ``age__list_0__map_enc``. Values become strings (bools ``true``/
``false``); ``unflatten`` rebuilds the nesting and leaves values as strings, which
``Metadata.from_dict`` coerces.
"""

from __future__ import annotations

import re
from typing import Any

_PART = re.compile(r"__(map|list)_")


def flatten(metadata: dict[str, Any]) -> dict[str, str]:
    """Flatten a nested metadata dict."""
    out: dict[str, str] = {}
    for key, value in metadata.items():
        _flatten_into(key, value, out)
    return out


def _flatten_into(key: str, value: Any, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for child, item in value.items():
            _flatten_into(f"{key}__map_{child}", item, out)
    elif isinstance(value, list):
        for position, item in enumerate(value):
            _flatten_into(f"{key}__list_{position}", item, out)
    elif isinstance(value, bool):
        out[key] = "true" if value else "false"
    elif value is not None:
        out[key] = str(value)


def unflatten(flat: dict[str, str]) -> dict[str, Any]:
    """Rebuild nested metadata from flattened keys."""
    root: dict[str, Any] = {}
    for key, value in flat.items():
        pieces = _PART.split(key)
        # pieces = [top, kind, name, kind, name, ...]
        container: Any = root
        name: str | int = pieces[0]
        for kind, token in zip(pieces[1::2], pieces[2::2], strict=True):
            child: Any = {} if kind == "map" else []
            container = _descend(container, name, child)
            name = token if kind == "map" else int(token)
        _assign(container, name, value)
    return root


def _descend(container: Any, name: str | int, empty: Any) -> Any:
    if isinstance(container, dict):
        return container.setdefault(name, empty)
    name = int(name)
    while len(container) <= name:
        container.append(None)
    if container[name] is None:
        container[name] = empty
    return container[name]


def _assign(container: Any, name: str | int, value: str) -> None:
    if isinstance(container, dict):
        container[name] = value
        return
    name = int(name)
    while len(container) <= name:
        container.append(None)
    container[name] = value
