"""The ``gcpsa`` auth method: GCP service-account key files for the GCP Secret Manager door."""

from __future__ import annotations

from sealbox.auth.gcpsa.backend import GcpServiceAccountAuthMethod, gcpsa_factory

__all__ = ["GcpServiceAccountAuthMethod", "gcpsa_factory"]
