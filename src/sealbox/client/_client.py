"""A small typed synchronous client for Vault's HTTP API, over httpx.

Every call returns the parsed JSON body (the Vault envelope, or the bare object of the
unauthenticated sys endpoints) or None for an empty 204 reply. A status of 400 or more raises
:class:`ClientError`, except a 404 on ``read``/``list``, which returns None as Vault's CLI does
(unless the 404 carries data or warnings, as kv v2 deleted versions do). Connection failures
raise :class:`ClientConnectionError`. Tokens never appear in ``repr`` or messages.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from typing import Any

import httpx
import orjson

from sealbox.client._config import ClientConfig

JSONDict = dict[str, Any]


class ClientConnectionError(Exception):
    """The server could not be reached (refused, TLS failure, timeout)."""

    def __init__(self, method: str, url: str, reason: str) -> None:
        super().__init__(f'{method.capitalize()} "{url}": {reason}')
        self.method = method
        self.url = url


class ClientError(Exception):
    """The server answered with a status of 400 or more."""

    def __init__(
        self,
        status: int,
        errors: list[str],
        *,
        method: str = "",
        url: str = "",
        body: JSONDict | None = None,
    ) -> None:
        self.status = status
        self.errors = errors
        self.method = method
        self.url = url
        self.body = body
        super().__init__(self.render())

    def render(self) -> str:
        """Vault's ``Error making API request.`` block."""
        lines = [
            "Error making API request.",
            "",
            f"URL: {self.method} {self.url}",
            f"Code: {self.status}. Errors:",
            "",
        ]
        lines.extend(f"* {error}" for error in self.errors)
        return "\n".join(lines)


def _decode(response: httpx.Response) -> JSONDict | None:
    content = response.content
    if not content.strip():
        return None
    try:
        parsed = orjson.loads(content)
    except orjson.JSONDecodeError:
        return {"_raw": content.decode("utf-8", "replace")}
    return parsed if isinstance(parsed, dict) else {"_value": parsed}


def _has_payload(body: JSONDict | None) -> bool:
    return body is not None and bool(body.get("data") or body.get("warnings"))


class Client:
    """Synchronous Vault API client; one per address and token."""

    def __init__(
        self,
        address: str,
        token: str | None = None,
        namespace: str | None = None,
        *,
        verify: bool = True,
        ca_cert: str | None = None,
        client_cert: str | None = None,
        client_key: str | None = None,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.address = address.rstrip("/")
        self.token = token
        self.namespace = namespace
        self.wrap_ttl: str | None = None
        tls: ssl.SSLContext | bool = verify
        if verify and (ca_cert or client_cert):
            tls = ssl.create_default_context(cafile=ca_cert)
            if client_cert:
                tls.load_cert_chain(client_cert, client_key)
        elif client_cert:
            tls = ssl.create_default_context()
            tls.check_hostname = False
            tls.verify_mode = ssl.CERT_NONE
            tls.load_cert_chain(client_cert, client_key)
        self._http = httpx.Client(
            verify=tls, timeout=timeout, follow_redirects=True, transport=transport
        )

    @classmethod
    def from_config(cls, config: ClientConfig) -> Client:
        """Build a client from resolved :class:`ClientConfig` settings."""
        return cls(
            config.address,
            config.token,
            config.namespace,
            verify=not config.skip_verify,
            ca_cert=config.ca_cert,
            client_cert=config.client_cert,
            client_key=config.client_key,
            timeout=config.timeout,
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Client:
        """Build a client from ``SEALBOX_*``/``VAULT_*`` variables and the token file."""
        return cls.from_config(ClientConfig.from_env(env))

    def __repr__(self) -> str:
        return f"Client(address={self.address!r})"

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the connection pool."""
        self._http.close()

    def url(self, path: str) -> str:
        """The full URL of API ``path`` (relative to ``/v1/``)."""
        return f"{self.address}/v1/{path.lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        data: Any = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        wrap_ttl: str | None = None,
        content_type: str = "application/json",
    ) -> httpx.Response:
        """Send one request and return the raw response, raising on transport failure only."""
        sent: dict[str, str] = {"X-Vault-Request": "true"}
        if self.token:
            sent["X-Vault-Token"] = self.token
        if self.namespace:
            sent["X-Vault-Namespace"] = self.namespace
        ttl = wrap_ttl if wrap_ttl is not None else self.wrap_ttl
        if ttl:
            sent["X-Vault-Wrap-TTL"] = ttl
        content: bytes | None = None
        if data is not None:
            content = orjson.dumps(data)
            sent["Content-Type"] = content_type
        if headers:
            sent.update(headers)
        url = self.url(path)
        try:
            return self._http.request(
                method, url, content=content, params=dict(params or {}), headers=sent
            )
        except httpx.ConnectError as exc:
            parsed = httpx.URL(url)
            reason = str(exc) or type(exc).__name__
            if "refused" in reason.lower():
                port = parsed.port or (443 if parsed.scheme == "https" else 80)
                reason = f"dial tcp {parsed.host}:{port}: connect: connection refused"
            raise ClientConnectionError(method, url, reason) from None
        except httpx.HTTPError as exc:
            raise ClientConnectionError(method, url, str(exc) or type(exc).__name__) from None

    def call(
        self,
        method: str,
        path: str,
        *,
        data: Any = None,
        params: Mapping[str, str] | None = None,
        wrap_ttl: str | None = None,
        content_type: str = "application/json",
        missing_ok: bool = False,
    ) -> JSONDict | None:
        """Send a request; return the parsed body or None, raising ClientError on >= 400."""
        response = self.request(
            method,
            path,
            data=data,
            params=params,
            wrap_ttl=wrap_ttl,
            content_type=content_type,
        )
        body = _decode(response)
        if response.status_code == 404 and missing_ok:
            return body if _has_payload(body) else None
        if response.status_code >= 400:
            errors = body.get("errors") if body else None
            messages = [str(e) for e in errors] if isinstance(errors, list) else []
            raise ClientError(
                response.status_code,
                messages,
                method=method,
                url=str(response.request.url),
                body=body,
            )
        return body

    def read(
        self, path: str, params: Mapping[str, str] | None = None, *, wrap_ttl: str | None = None
    ) -> JSONDict | None:
        """GET ``path``; None when nothing is there (404)."""
        return self.call("GET", path, params=params, wrap_ttl=wrap_ttl, missing_ok=True)

    def list(self, path: str, *, wrap_ttl: str | None = None) -> JSONDict | None:
        """LIST ``path`` (sent as ``GET ?list=true``); None when there are no keys."""
        return self.call("GET", path, params={"list": "true"}, wrap_ttl=wrap_ttl, missing_ok=True)

    def write(
        self, path: str, data: Mapping[str, Any] | None = None, *, wrap_ttl: str | None = None
    ) -> JSONDict | None:
        """PUT ``data`` to ``path``; None for a 204 reply."""
        return self.call("PUT", path, data=dict(data or {}), wrap_ttl=wrap_ttl)

    def post(
        self, path: str, data: Mapping[str, Any] | None = None, *, wrap_ttl: str | None = None
    ) -> JSONDict | None:
        """POST ``data`` to ``path`` (some endpoints log the verb); None for 204."""
        return self.call("POST", path, data=dict(data or {}), wrap_ttl=wrap_ttl)

    def delete(
        self, path: str, params: Mapping[str, str] | None = None, *, wrap_ttl: str | None = None
    ) -> JSONDict | None:
        """DELETE ``path``; None for a 204 reply."""
        return self.call("DELETE", path, params=params, wrap_ttl=wrap_ttl)

    def patch(
        self, path: str, data: Mapping[str, Any], *, wrap_ttl: str | None = None
    ) -> JSONDict | None:
        """PATCH ``path`` with a JSON merge patch; None for 204."""
        return self.call(
            "PATCH",
            path,
            data=dict(data),
            wrap_ttl=wrap_ttl,
            content_type="application/merge-patch+json",
        )
