"""HashiCorp Vault / OpenBao Transit master keys (``hc_vault``), over Vault's HTTP API.

Mirrors getsops/sops ``hcvault/keysource.go``: a key is given as a URI
``https://vault.example.com:8200/v1/<engine path>/keys/<key name>`` and stored as
``{vault_address, engine_path, key_name, created_at, enc}``. Encrypting POSTs
``{"plaintext": base64(data key)}`` to ``<engine>/encrypt/<key>`` and keeps the returned
``vault:v1:...`` ciphertext verbatim as ``enc``; decrypting POSTs it to ``<engine>/decrypt/<key>``.
The token comes from ``VAULT_TOKEN``, else ``~/.vault-token``; ``VAULT_NAMESPACE``,
``VAULT_CACERT`` and ``VAULT_SKIP_VERIFY`` are honoured like the Vault client library does.
The server address is the one stored in the key, not ``VAULT_ADDR`` (as in Go sops).
The token and the data key never appear in errors.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from pathlib import Path
from typing import Any, ClassVar, Self
from urllib.parse import urlsplit

from sealbox.sops.keys.base import (
    CouldNotDecryptKeyError,
    CouldNotEncryptKeyError,
    InvalidKeyEntryError,
    MasterKeyError,
    created_at,
    now_rfc3339,
    require_str,
)
from sealbox.sops.record import Record

_URI_EXAMPLE = "https://vault.example.com:8200/v1/transit/keys/keyName"
# compat: Go sops searches (unanchored) for a prefix before /v1/, which it refuses, and for
# /v<n>/<engine>/x/<key> (hcvault/keysource.go getBackendAndKeyFromPath).
_PREFIXED_PATH = re.compile(r"/[^/]+/v\d+/[^/]+/[^/]+/[^/]+")
_VALID_PATH = re.compile(r"/v\d+/[^/]+/[^/]+/[^/]+")
_TIMEOUT_SECONDS = 30.0


def parse_transit_uri(uri: str) -> tuple[str, str, str]:
    """Split a transit key URI into (vault_address, engine_path, key_name)."""
    parts = urlsplit(uri.strip())
    if not parts.scheme or not parts.netloc:
        raise InvalidKeyEntryError(f"vault URI {uri!r} must look like {_URI_EXAMPLE}")
    if _PREFIXED_PATH.search(parts.path):
        raise InvalidKeyEntryError(f"vault URI {uri!r}: a prefix before /v1/ is not supported")
    if not _VALID_PATH.search(parts.path):
        raise InvalidKeyEntryError(f"vault URI {uri!r} must look like {_URI_EXAMPLE}")
    segments = parts.path.strip("/").split("/")
    # segments: v1, <engine path...>, keys, <key name>
    return f"{parts.scheme}://{parts.netloc}", "/".join(segments[1:-2]), segments[-1]


def vault_token() -> str:
    """``VAULT_TOKEN``, else the token file the vault CLI writes (``~/.vault-token``)."""
    token = os.environ.get("VAULT_TOKEN", "").strip()
    if token:
        return token
    try:
        return (Path.home() / ".vault-token").read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def _verify() -> bool | str:
    if os.environ.get("VAULT_SKIP_VERIFY", "").lower() in {"1", "true", "t"}:
        return False
    return os.environ.get("VAULT_CACERT") or True


class HcVaultKey(Record):
    """One Transit key on one Vault/OpenBao server and, once encrypted, its ciphertext.

    A plain class rather than a dataclass: see ``sealbox.sops.record``.
    """

    metadata_key: ClassVar[str] = "hc_vault"
    _fields = ("vault_address", "engine_path", "key_name", "created_at", "enc")
    _hidden = frozenset({"enc"})

    def __init__(
        self,
        vault_address: str,
        engine_path: str,
        key_name: str,
        created_at: str | None = None,
        enc: str = "",
    ) -> None:
        self.vault_address = vault_address
        self.engine_path = engine_path
        self.key_name = key_name
        self.created_at = now_rfc3339() if created_at is None else created_at
        self.enc = enc

    @classmethod
    def from_uri(cls, uri: str) -> Self:
        """A new key from ``https://host:8200/v1/<engine>/keys/<name>``."""
        address, engine_path, key_name = parse_transit_uri(uri)
        return cls(vault_address=address, engine_path=engine_path, key_name=key_name)

    @classmethod
    def from_metadata(cls, entry: dict[str, Any]) -> Self:
        """Load ``{vault_address, engine_path, key_name, created_at, enc}``."""
        return cls(
            vault_address=require_str(entry, "vault_address", "hc_vault"),
            engine_path=require_str(entry, "engine_path", "hc_vault"),
            key_name=require_str(entry, "key_name", "hc_vault"),
            created_at=created_at(entry, "hc_vault"),
            enc=require_str(entry, "enc", "hc_vault"),
        )

    @property
    def identifier(self) -> str:
        """The key's URI, as Go sops's ``ToString``."""
        return f"{self.vault_address}/v1/{self.engine_path}/keys/{self.key_name}"

    def _call(self, action: str, body: dict[str, str], error: type[MasterKeyError]) -> str:
        """POST ``<engine>/<action>/<key>`` and return the single string field of ``data``."""
        import httpx

        route = f"{self.engine_path}/{action}/{self.key_name}"
        token = vault_token()
        if not token:
            raise error(f"no Vault token for {self.identifier}: set VAULT_TOKEN or log in")
        headers = {"X-Vault-Token": token}
        namespace = os.environ.get("VAULT_NAMESPACE")
        if namespace:
            headers["X-Vault-Namespace"] = namespace
        try:
            response = httpx.post(
                f"{self.vault_address}/v1/{route}",
                json=body,
                headers=headers,
                timeout=_TIMEOUT_SECONDS,
                verify=_verify(),
            )
        except httpx.HTTPError as err:
            raise error(f"Vault transit {route!r} at {self.vault_address}: {err}") from err
        wanted = "ciphertext" if action == "encrypt" else "plaintext"
        try:
            payload = response.json()
            if response.status_code != 200:
                reasons = "; ".join(str(e) for e in payload.get("errors", []))
                raise error(f"Vault transit {route!r}: HTTP {response.status_code} {reasons}")
            value = payload["data"][wanted]
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            raise error(
                f"Vault transit {route!r}: unexpected answer (HTTP {response.status_code})"
            ) from err
        if not isinstance(value, str):
            raise error(f"Vault transit {route!r}: {wanted} missing in the answer")
        return value

    def encrypt(self, data_key: bytes) -> None:
        """Wrap ``data_key`` with the Transit key; ``enc`` becomes ``vault:v<n>:...``."""
        plaintext = base64.b64encode(data_key).decode("ascii")
        self.enc = self._call("encrypt", {"plaintext": plaintext}, CouldNotEncryptKeyError)

    def decrypt(self) -> bytes:
        """Unwrap ``enc`` with the Transit key."""
        plaintext = self._call("decrypt", {"ciphertext": self.enc}, CouldNotDecryptKeyError)
        try:
            return base64.b64decode(plaintext, validate=True)
        except binascii.Error as err:
            raise CouldNotDecryptKeyError(
                f"Vault transit answered invalid base64 for {self.identifier}"
            ) from err

    def to_metadata(self) -> dict[str, Any]:
        """The entry in the order Go sops writes it."""
        return {
            "vault_address": self.vault_address,
            "engine_path": self.engine_path,
            "key_name": self.key_name,
            "created_at": self.created_at,
            "enc": self.enc,
        }
