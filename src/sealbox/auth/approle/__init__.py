"""The ``approle`` auth method (OpenBao builtin/credential/approle)."""

from __future__ import annotations

from sealbox.auth.approle.backend import AppRoleAuthMethod, approle_factory

__all__ = ["AppRoleAuthMethod", "approle_factory"]
