"""HuaweiCloud KMS keys (``hckms``), kept intact; see ``opaque`` for why offline fails.

Entry fields as getsops/sops (3.12+) writes them: ``key_id`` (``region:uuid``),
``created_at``, ``enc``. Only reading and rewriting such entries is supported.
"""

from __future__ import annotations

from typing import ClassVar

from sealbox.sops.keys.opaque import OpaqueKey


class HcKmsKey(OpaqueKey):
    """A HuaweiCloud KMS key entry."""

    metadata_key: ClassVar[str] = "hckms"
    service: ClassVar[str] = "HuaweiCloud KMS"
    identifier_fields: ClassVar[tuple[str, ...]] = ("key_id",)
