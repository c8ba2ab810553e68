"""The ``jwt`` and ``oidc`` auth methods (OpenBao's built-in vault-plugin-auth-jwt)."""

from __future__ import annotations

from sealbox.auth.jwt.backend import JWTAuthMethod, jwt_factory

__all__ = ["JWTAuthMethod", "jwt_factory"]
