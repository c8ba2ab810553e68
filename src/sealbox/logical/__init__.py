"""The contracts between doors, core and backends: requests, responses, storage, and the token
records and views (``logical.tokens``) the core hands the token backend."""

from __future__ import annotations

from sealbox.logical.request import Operation, Request
from sealbox.logical.response import Alias, Auth, Document, Link, Response, Secret, WrapInfo
from sealbox.logical.storage import Storage, StorageEntry, StorageView, TxOp

__all__ = [
    "Alias",
    "Auth",
    "Document",
    "Link",
    "Operation",
    "Request",
    "Response",
    "Secret",
    "Storage",
    "StorageEntry",
    "StorageView",
    "TxOp",
    "WrapInfo",
]
