"""The ``ldap`` auth method (OpenBao builtin/credential/ldap)."""

from __future__ import annotations

from sealbox.auth.ldap.backend import LDAPAuthMethod, ldap_factory

__all__ = ["LDAPAuthMethod", "ldap_factory"]
