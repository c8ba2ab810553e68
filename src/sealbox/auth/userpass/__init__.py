"""The ``userpass`` auth method (OpenBao builtin/credential/userpass)."""

from __future__ import annotations

from sealbox.auth.userpass.backend import UserpassAuthMethod, userpass_factory

__all__ = ["UserpassAuthMethod", "userpass_factory"]
