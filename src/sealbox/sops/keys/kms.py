"""AWS KMS keys (``kms``), kept intact; see ``opaque`` for why they cannot be used offline.

Entry fields as getsops/sops ``kms/keysource.go`` writes them: ``arn``, optional ``role`` and
``context``, ``created_at``, ``enc``, ``aws_profile`` (always written, may be empty).
On the command line a key is ``ARN`` or ``ARN+ROLE_ARN``.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from sealbox.sops.keys.opaque import OpaqueKey


class KmsKey(OpaqueKey):
    """An AWS KMS key entry."""

    metadata_key: ClassVar[str] = "kms"
    service: ClassVar[str] = "AWS KMS"
    identifier_fields: ClassVar[tuple[str, ...]] = ("arn",)

    @classmethod
    def from_arn(
        cls, spec: str, aws_profile: str = "", context: dict[str, Any] | None = None
    ) -> Self:
        """A new key from ``ARN`` or ``ARN+ROLE_ARN``, with an optional encryption context."""
        arn, _, role = spec.strip().partition("+")
        fields: dict[str, Any] = {"arn": arn}
        if role:
            fields["role"] = role
        if context:
            fields["context"] = dict(context)
        key = cls.new(fields)
        key.entry["aws_profile"] = aws_profile
        return key
