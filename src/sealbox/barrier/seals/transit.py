"""The Transit seal: the root key wrapped by a Transit key of another sealbox (or Vault).

Mirrors OpenBao's ``seal "transit"`` (docs: configuration/seal/transit): ``address``,
``token``, ``key_name``, ``mount_path`` (default ``transit/``), ``namespace``,
``tls_ca_cert``, ``tls_client_cert``/``tls_client_key``, ``tls_skip_verify`` and
``disable_renewal`` (the token is renewed while the server runs, as OpenBao does). When the
stanza has no ``token``, ``VAULT_TOKEN`` (or ``SEALBOX_TOKEN``) from the server's environment is
used, so the token need not sit in the file. Wrapping is ``POST <mount>/encrypt/<key>`` with
the purpose as ``associated_data``; the blob keeps the ``vault:v<N>:`` ciphertext, so a key
rotation on the other side keeps old blobs readable.

An unreachable server, a TLS failure, a 5xx or a sealed peer is ``SealUnavailable`` (retry
later); a refusal (4xx: unknown key, permission denied, bad ciphertext) is
``SealDecryptError``. Neither message contains the token or key material.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from typing import Any

import httpx

from sealbox.barrier.seals.base import Blob, SealDecryptError, SealUnavailable
from sealbox.errors import InvalidRequest

SEAL_TYPE = "transit"
_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class TransitSealConfig:
    """The settings of a ``seal "transit"`` stanza."""

    address: str
    key_name: str
    token: str = field(default="", repr=False)
    mount_path: str = "transit/"
    namespace: str = ""
    tls_ca_cert: str = ""
    tls_client_cert: str = ""
    tls_client_key: str = ""
    tls_skip_verify: bool = False
    disable_renewal: bool = False

    def validate(self) -> None:
        if not self.address:
            raise InvalidRequest("transit seal: 'address' is required")
        if not self.key_name:
            raise InvalidRequest("transit seal: 'key_name' is required")
        if not self.address.startswith(("http://", "https://")):
            raise InvalidRequest("transit seal: 'address' must start with http:// or https://")


def _token(config: TransitSealConfig) -> str:
    token = config.token or os.environ.get("VAULT_TOKEN") or os.environ.get("SEALBOX_TOKEN")
    if not token:
        raise InvalidRequest("transit seal: no token (set 'token' or VAULT_TOKEN)")
    return token


class TransitSeal:
    """Wraps and unwraps through ``<address>/v1/<mount_path>/{encrypt,decrypt}/<key_name>``."""

    seal_type = SEAL_TYPE

    def __init__(self, config: TransitSealConfig) -> None:
        config.validate()
        self.config = config
        verify: Any = False if config.tls_skip_verify else (config.tls_ca_cert or True)
        cert = (config.tls_client_cert, config.tls_client_key) if config.tls_client_cert else None
        headers = {"X-Vault-Token": _token(config)}
        if config.namespace:
            headers["X-Vault-Namespace"] = config.namespace
        self._client = httpx.AsyncClient(
            base_url=config.address.rstrip("/") + "/v1/",
            headers=headers,
            verify=verify,
            cert=cert,
            timeout=_TIMEOUT,
        )
        self._mount = config.mount_path.strip("/")

    def __repr__(self) -> str:
        return f"TransitSeal(address={self.config.address!r}, key_name={self.config.key_name!r})"

    async def _post(self, operation: str, body: dict[str, str]) -> dict[str, Any]:
        url = f"{self._mount}/{operation}/{self.config.key_name}"
        where = f"{self.config.address} ({self._mount}/{operation}/{self.config.key_name})"
        try:
            answer = await self._client.post(url, json=body)
        except httpx.HTTPError as err:
            raise SealUnavailable(
                f"transit seal: {where} is unreachable: {type(err).__name__}"
            ) from err
        if answer.status_code >= 500 or answer.status_code == 429:
            raise SealUnavailable(f"transit seal: {where} answered {answer.status_code}")
        try:
            document = answer.json()
        except ValueError as err:
            raise SealUnavailable(f"transit seal: {where} sent no JSON") from err
        if answer.status_code >= 400:
            errors = document.get("errors") if isinstance(document, dict) else None
            detail = "; ".join(str(e) for e in errors) if errors else "no detail"
            raise SealDecryptError(
                f"transit seal: {where} refused ({answer.status_code}): {detail}"
            )
        data = document.get("data") if isinstance(document, dict) else None
        if not isinstance(data, dict):
            raise SealUnavailable(f"transit seal: {where} sent no data")
        return data

    async def encrypt(self, plaintext: bytes, aad: bytes) -> Blob:
        data = await self._post(
            "encrypt",
            {
                "plaintext": base64.b64encode(plaintext).decode("ascii"),
                "associated_data": base64.b64encode(aad).decode("ascii"),
            },
        )
        ciphertext = data.get("ciphertext")
        if not isinstance(ciphertext, str) or not ciphertext:
            raise SealUnavailable("transit seal: the encrypt answer had no ciphertext")
        return {
            "address": self.config.address,
            "mount_path": self._mount,
            "key_name": self.config.key_name,
            "ciphertext": ciphertext,
        }

    async def decrypt(self, blob: Blob, aad: bytes) -> bytes:
        data = await self._post(
            "decrypt",
            {
                "ciphertext": blob.get("ciphertext", ""),
                "associated_data": base64.b64encode(aad).decode("ascii"),
            },
        )
        try:
            return base64.b64decode(str(data.get("plaintext", "")), validate=True)
        except ValueError as err:
            raise SealUnavailable("transit seal: the decrypt answer was not base64") from err

    async def renew(self) -> bool:
        """Renew the seal's token (``auth/token/renew-self``) unless ``disable_renewal``.

        As OpenBao's transit seal does, so a token with a TTL does not expire under a running
        server; a token that cannot be renewed (root, or not renewable) is left alone.
        """
        if self.config.disable_renewal:
            return False
        try:
            answer = await self._client.post("auth/token/renew-self", json={})
        except httpx.HTTPError as err:
            raise SealUnavailable(
                f"transit seal: token renewal at {self.config.address} failed: {type(err).__name__}"
            ) from err
        if answer.status_code >= 500:
            raise SealUnavailable(
                f"transit seal: token renewal at {self.config.address} answered "
                f"{answer.status_code}"
            )
        return answer.status_code < 400

    async def aclose(self) -> None:
        await self._client.aclose()
