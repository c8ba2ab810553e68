"""sealbox: a secrets manager with Vault-, SOPS-, AWS- and GCP-compatible doors."""

from __future__ import annotations

__version__ = "0.1.0"
