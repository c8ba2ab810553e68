"""A small OpenID Connect provider over real HTTPS, for the JWT/OIDC auth tests.

Serves what a provider serves (OpenID Connect Discovery 1.0 and Core 1.0): the discovery
document, a JWKS, an authorization endpoint that, standing in for the user's consent, redirects
straight back with a code, and a token endpoint that checks the client's credentials (HTTP
Basic) and the redirect URI before returning an RS256 ID token with the request's nonce.
"""

from __future__ import annotations

import base64
import json
import secrets
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from cryptography.hazmat.primitives.asymmetric import rsa
from tests.compat.auth.jwt_signing import jwk, new_rsa_key, sign_jwt


@dataclass
class Provider:
    """The provider's state: keys (newest first), its client, the user who logs in."""

    client_id: str = "sealbox-client"
    client_secret: str = "client-secret-value"
    keys: list[tuple[str, rsa.RSAPrivateKey]] = field(
        default_factory=lambda: [("k1", new_rsa_key())]
    )
    user: dict[str, Any] = field(
        default_factory=lambda: {"sub": "user-1", "email": "ada@example.com", "groups": ["eng"]}
    )
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    issuer: str = ""

    def rotate(self) -> None:
        """Add a new signing key (the old one stays published)."""
        self.keys.insert(0, (f"k{len(self.keys) + 1}", new_rsa_key()))

    def id_token(self, nonce: str, **extra: Any) -> str:
        """A signed ID token for the user."""
        kid, key = self.keys[0]
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            **self.user,
            **extra,
        }
        return sign_jwt(key, claims, kid=kid)


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            del format, args

        def _json(self, status: int, body: dict[str, Any]) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            if url.path == "/.well-known/openid-configuration":
                self._json(
                    200,
                    {
                        "issuer": provider.issuer,
                        "authorization_endpoint": provider.issuer + "/authorize",
                        "token_endpoint": provider.issuer + "/token",
                        "jwks_uri": provider.issuer + "/jwks",
                        "response_types_supported": ["code"],
                        "subject_types_supported": ["public"],
                        "id_token_signing_alg_values_supported": ["RS256"],
                    },
                )
            elif url.path == "/jwks":
                self._json(200, {"keys": [jwk(key, kid) for kid, key in provider.keys]})
            elif url.path == "/authorize":
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if (
                    query.get("client_id") != provider.client_id
                    or query.get("response_type") != "code"
                ):
                    self._json(400, {"error": "invalid_request"})
                    return
                code = secrets.token_urlsafe(16)
                provider.codes[code] = {
                    "nonce": query.get("nonce", ""),
                    "redirect_uri": query["redirect_uri"],
                }
                self.send_response(302)
                self.send_header(
                    "Location",
                    query["redirect_uri"]
                    + "?"
                    + urlencode({"code": code, "state": query["state"]}),
                )
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:
            if urlparse(self.path).path != "/token":
                self._json(404, {"error": "not_found"})
                return
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            expected = base64.b64encode(
                f"{provider.client_id}:{provider.client_secret}".encode()
            ).decode()
            if self.headers.get("Authorization") != f"Basic {expected}":
                self._json(401, {"error": "invalid_client"})
                return
            grant = provider.codes.pop(form.get("code", ""), None)
            if (
                grant is None
                or form.get("grant_type") != "authorization_code"
                or form.get("redirect_uri") != grant["redirect_uri"]
            ):
                self._json(400, {"error": "invalid_grant"})
                return
            self._json(
                200,
                {
                    "access_token": secrets.token_urlsafe(16),
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "id_token": provider.id_token(grant["nonce"]),
                },
            )

    return Handler


class ProviderServer:
    """The HTTPS server thread of a Provider."""

    def __init__(self, provider: Provider, cert: Path, key: Path) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(cert), str(key))
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        provider.issuer = f"https://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> ProviderServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
