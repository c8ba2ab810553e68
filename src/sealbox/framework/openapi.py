"""OpenAPI 3 generated from Path declarations: the document and the ``?help=1`` fragment.

The same declarations that validate input describe the API, so the document always matches
what is served (OpenBao internal-specs-openapi.mdx, sdk/framework/openapi.go).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sealbox import __version__
from sealbox.errors import UnsupportedPath
from sealbox.framework.backend import Backend
from sealbox.framework.fields import FieldType
from sealbox.framework.path import Path
from sealbox.logical import Operation

_JSON_TYPES = {
    FieldType.STRING: "string",
    FieldType.INT: "integer",
    FieldType.BOOL: "boolean",
    FieldType.DURATION: "string",
    FieldType.COMMA_STRING_LIST: "array",
    FieldType.STRING_LIST: "array",
    FieldType.INT_LIST: "array",
    FieldType.MAP: "object",
    FieldType.KV_PAIRS: "object",
    FieldType.RAW: "object",
}
_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
_HTTP = {
    Operation.READ: "get",
    Operation.UPDATE: "post",
    Operation.CREATE: "post",
    Operation.DELETE: "delete",
    Operation.PATCH: "patch",
}


def _template(pattern: str) -> str:
    text = _GROUP.sub(lambda m: "{" + m.group(1) + "}", pattern)
    return re.sub(r"[\^$?()|\\]|/\?$", "", text.replace("/?", "/"))


def _operation(route: Path, operation: Operation) -> dict[str, Any]:
    body_fields = {
        n: f for n, f in route.fields.items() if f"{{{n}}}" not in _template(route.pattern)
    }
    op: dict[str, Any] = {"summary": route.synopsis, "responses": {"200": {"description": "OK"}}}
    if operation in (Operation.UPDATE, Operation.CREATE, Operation.PATCH) and body_fields:
        props = {
            n: {"type": _JSON_TYPES[f.type], "description": f.description}
            for n, f in sorted(body_fields.items())
        }
        op["requestBody"] = {
            "content": {"application/json": {"schema": {"type": "object", "properties": props}}}
        }
    return op


def _path_item(declared: Path) -> dict[str, Any]:
    item: dict[str, Any] = {"description": declared.synopsis}
    params = [
        {"name": g, "in": "path", "required": True, "schema": {"type": "string"}}
        for g in declared.regex.groupindex
    ]
    if params:
        item["parameters"] = params
    for operation in declared.operations:
        if operation is Operation.LIST:
            item.setdefault("get", _operation(declared, operation))
            continue
        item[_HTTP[operation]] = _operation(declared, operation)
    return item


def help_openapi(backend: Backend, relative: str) -> dict[str, Any]:
    """The ``openapi`` part of a ``?help=1`` answer: the one matching path, mount-relative.

    compat: OpenBao's help response carries an OpenAPI document of the matched path
    (sdk/framework/backend.go handleRootHelp / handleHelp).
    """
    paths_doc: dict[str, Any] = {}
    try:
        declared, _ = backend.route(relative)
    except UnsupportedPath:
        declared = None
    if declared is not None:
        paths_doc["/" + _template(declared.pattern)] = _path_item(declared)
    return _document(paths_doc)


def openapi_document(mounts: Iterable[tuple[str, Backend]]) -> dict[str, Any]:
    """The OpenAPI 3.0.2 document for backends mounted at the given paths."""
    paths_doc: dict[str, Any] = {}
    for mount_path, backend in mounts:
        for declared in backend.paths:
            url = "/" + mount_path + _template(declared.pattern)
            paths_doc[url] = _path_item(declared)
    return _document(paths_doc)


def _document(paths_doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "openapi": "3.0.2",
        "info": {
            "title": "sealbox",
            "description": "HTTP API of a sealbox server.",
            "version": __version__,
            "license": {"name": "Apache-2.0"},
        },
        "paths": paths_doc,
        "components": {"schemas": {}},
    }
