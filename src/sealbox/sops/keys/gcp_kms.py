"""GCP KMS keys (``gcp_kms``), kept intact; see ``opaque`` for why they cannot be used offline.

Entry fields as getsops/sops ``gcpkms/keysource.go`` writes them: ``resource_id``
(``projects/P/locations/L/keyRings/R/cryptoKeys/K``), ``created_at``, ``enc``.
"""

from __future__ import annotations

from typing import ClassVar, Self

from sealbox.sops.keys.opaque import OpaqueKey


class GcpKmsKey(OpaqueKey):
    """A GCP KMS key entry."""

    metadata_key: ClassVar[str] = "gcp_kms"
    service: ClassVar[str] = "GCP KMS"
    identifier_fields: ClassVar[tuple[str, ...]] = ("resource_id",)

    @classmethod
    def from_resource_id(cls, resource_id: str) -> Self:
        """A new key from its resource id."""
        return cls.new({"resource_id": resource_id.strip()})
