"""Tree paths as ``--extract``, ``set`` and ``unset`` take them: ``["a"]["b"][0]``.

Mirrors Go sops's path syntax: string components in double or single quotes, integer list
indices; list indices count comment items too, as in Go sops. Lookups that miss raise
PathNotFoundError (exit 1); setting creates missing mapping keys.
"""

from __future__ import annotations

import json
import re

from sealbox.sops.errors import InvalidTreePathError, PathNotFoundError
from sealbox.sops.tree import Branch, Value

_COMPONENT = re.compile(r"""\[\s*("(?:[^"\\]|\\.)*"|'[^']*'|-?\d+)\s*\]""")


def parse_path(text: str) -> list[str | int]:
    """Components of ``text``; InvalidTreePathError (91) when it is not a path."""
    components: list[str | int] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _COMPONENT.match(text, position)
        if match is None:
            raise InvalidTreePathError(f"invalid tree path {text!r}")
        token = match.group(1)
        if token[0] == '"':
            components.append(json.loads(token))
        elif token[0] == "'":
            components.append(token[1:-1])
        else:
            components.append(int(token))
        position = match.end()
    if not components:
        raise InvalidTreePathError("empty tree path")
    return components


def lookup(root: Value, path: list[str | int]) -> Value:
    """The value at ``path``."""
    node = root
    for component in path:
        node = _child(node, component)
    return node


def _child(node: Value, component: str | int) -> Value:
    if isinstance(component, str) and isinstance(node, Branch):
        try:
            return node.get(component)
        except KeyError:
            pass
    elif isinstance(component, int) and isinstance(node, list) and 0 <= component < len(node):
        return node[component]
    raise PathNotFoundError(f"component [{json.dumps(component)}] not found")


def assign(root: Branch, path: list[str | int], value: Value) -> bool:
    """Set the value at ``path`` (creating mapping keys); True when something changed."""
    node: Value = root
    for position, component in enumerate(path):
        last = position == len(path) - 1
        if isinstance(component, str):
            if not isinstance(node, Branch):
                raise PathNotFoundError(f"component [{json.dumps(component)}] not found")
            if last:
                before = node.index(component)
                if before >= 0 and node.get(component) == value:
                    return False
                node.set(component, value)
                return True
            if node.index(component) < 0:
                node.set(component, Branch())
            node = node.get(component)
        else:
            if not isinstance(node, list) or not 0 <= component <= len(node):
                raise PathNotFoundError(f"component [{component}] not found")
            if last:
                if component == len(node):
                    node.append(value)
                elif node[component] == value:
                    return False
                else:
                    node[component] = value
                return True
            node = node[component]
    return False


def remove(root: Branch, path: list[str | int]) -> None:
    """Delete the value at ``path``; PathNotFoundError when it is not there."""
    parent = lookup(root, path[:-1]) if len(path) > 1 else root
    component = path[-1]
    if isinstance(component, str) and isinstance(parent, Branch) and parent.index(component) >= 0:
        del parent.items[parent.index(component)]
        return
    if isinstance(component, int) and isinstance(parent, list) and 0 <= component < len(parent):
        del parent[component]
        return
    raise PathNotFoundError(f"component [{json.dumps(component)}] not found")
