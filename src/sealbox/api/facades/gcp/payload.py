"""A payload's bytes as KV v2 data, in the shape the AWS door uses too, and back.

KV v2 versions hold JSON objects, Secret Manager versions hold bytes. UTF-8 text that is a
compact JSON object is stored as that object (``sealbox kv get`` shows its fields), other text
as ``{"SecretString": text}`` and anything else as ``{"SecretBinary": base64}``: the same
shapes the AWS door writes for SecretString/SecretBinary, so a value reads the same through
each door. A version written by a Vault client (any other object) reads as compact JSON; one
the AWS door wrote with spaced separators (its version ``enc`` is ``json-spaced``) reads spaced.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

import orjson

STRING, BINARY = "SecretString", "SecretBinary"


def _compact(obj: Any) -> str:
    try:
        return orjson.dumps(obj).decode()
    except TypeError:  # integers beyond 64 bits
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def encode(raw: bytes) -> dict[str, Any]:
    """The KV data for a payload."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return {BINARY: base64.b64encode(raw).decode()}
    try:
        obj = orjson.loads(raw) if raw[:1] == b"{" else None
    except orjson.JSONDecodeError:
        obj = None
    if isinstance(obj, dict) and obj and _compact(obj) == text:
        return obj
    return {STRING: text}


def decode(data: Any, version_extra: dict[str, Any]) -> bytes:
    """The payload bytes a version's KV data stands for."""
    if isinstance(data, dict) and len(data) == 1:
        if isinstance(data.get(STRING), str):
            return str(data[STRING]).encode("utf-8")
        if isinstance(data.get(BINARY), str):
            try:
                return base64.b64decode(data[BINARY], validate=True)
            except (binascii.Error, ValueError):
                pass
    aws = version_extra.get("aws") or {}
    if isinstance(aws, dict) and aws.get("enc") == "json-spaced":
        return json.dumps(data, ensure_ascii=False).encode("utf-8")
    return _compact(data).encode("utf-8")
