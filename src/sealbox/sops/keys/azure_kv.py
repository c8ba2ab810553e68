"""Azure Key Vault keys (``azure_kv``), kept intact; see ``opaque`` for why offline fails.

Entry fields as getsops/sops ``azkv/keysource.go`` writes them: ``vault_url``, ``name``,
``version``, ``created_at``, ``enc``. On the command line a key is its URL,
``https://<vault>.vault.azure.net/keys/<name>/<version>`` (the version may be omitted).
"""

from __future__ import annotations

import re
from typing import ClassVar, Self

from sealbox.sops.keys.base import InvalidKeyEntryError
from sealbox.sops.keys.opaque import OpaqueKey

_KEY_URL = re.compile(r"^(https://[^/]+)/keys/([^/]+)(?:/([^/]*))?/?$")


class AzureKvKey(OpaqueKey):
    """An Azure Key Vault key entry."""

    metadata_key: ClassVar[str] = "azure_kv"
    service: ClassVar[str] = "Azure Key Vault"
    identifier_fields: ClassVar[tuple[str, ...]] = ("vault_url", "name", "version")
    identifier_format: ClassVar[str] = "{}/keys/{}/{}"

    @classmethod
    def from_url(cls, url: str) -> Self:
        """A new key from ``https://<vault>.vault.azure.net/keys/<name>[/<version>]``."""
        match = _KEY_URL.match(url.strip())
        if match is None:
            raise InvalidKeyEntryError(f"invalid Azure Key Vault key URL {url!r}")
        vault_url, name, version = match.groups()
        return cls.new({"vault_url": vault_url, "name": name, "version": version or ""})
