"""The ``cert`` auth method (OpenBao builtin/credential/cert)."""

from __future__ import annotations

from sealbox.auth.cert.backend import CertAuthMethod, cert_factory

__all__ = ["CertAuthMethod", "cert_factory"]
