"""The ``sigv4`` auth method: AWS-style access keys for the AWS Secrets Manager door."""

from __future__ import annotations

from sealbox.auth.sigv4.backend import SigV4AuthMethod, sigv4_factory

__all__ = ["SigV4AuthMethod", "sigv4_factory"]
