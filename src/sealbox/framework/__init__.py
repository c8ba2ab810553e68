"""How a backend declares itself: paths, fields, operations, existence checks and help."""

from __future__ import annotations

from sealbox.framework.backend import Backend, BackendConfig
from sealbox.framework.fields import FieldData, FieldSchema, FieldType
from sealbox.framework.path import Handler, Path

__all__ = ["Backend", "BackendConfig", "FieldData", "FieldSchema", "FieldType", "Handler", "Path"]
