"""The OIDC authorization-code flow: ``oidc/auth_url`` and ``oidc/callback``.

Mirrors vault-plugin-auth-jwt path_oidc.go: ``auth_url`` checks the role is an OIDC role and the
redirect URI is one it allows, then returns the provider's authorization endpoint with a fresh
``state`` and ``nonce``; ``callback`` spends the state (once, within 5 minutes), checks the
optional ``client_nonce``, exchanges the code at the token endpoint with the client credentials
(HTTP Basic, RFC 6749 §2.3.1), and verifies the ID token: signature from the provider's JWKS,
issuer, audience (the client ID unless the role binds others) and nonce. The rest is the JWT
login's claim checks.
"""

from __future__ import annotations

import secrets
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx

from sealbox.auth.jwt.config import JWTConfig
from sealbox.auth.jwt.keys import KeySource, tls_context
from sealbox.auth.jwt.roles import JWTRole
from sealbox.errors import InvalidRequest

_STATE_SECONDS = 300
_MISSING_STATE = "OpenBao login failed. Expired or missing OAuth state."


@dataclass(frozen=True, slots=True)
class PendingLogin:
    """What ``auth_url`` remembers until the provider sends the user back."""

    role: str
    redirect_uri: str
    nonce: str
    client_nonce: str
    expires: float


class OIDCFlow:
    """Pending logins of one mount (in memory: a restart abandons them, as they expire anyway)."""

    def __init__(self) -> None:
        self._pending: dict[str, PendingLogin] = {}

    def _sweep(self) -> None:
        now = time.monotonic()
        for state in [s for s, p in self._pending.items() if p.expires <= now]:
            del self._pending[state]

    async def auth_url(
        self,
        config: JWTConfig,
        source: KeySource,
        role: JWTRole,
        redirect_uri: str,
        client_nonce: str,
    ) -> str:
        """The provider URL to send the user to."""
        if role.role_type != "oidc":
            raise InvalidRequest(f'role "{role.name}" is not an OIDC role')
        if redirect_uri not in role.allowed_redirect_uris:
            raise InvalidRequest(f"unauthorized redirect_uri: {redirect_uri}")
        discovery = await source.discovery()
        endpoint = str(discovery.get("authorization_endpoint", ""))
        if not endpoint:
            raise InvalidRequest("provider has no authorization_endpoint")
        self._sweep()
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        self._pending[state] = PendingLogin(
            role.name, redirect_uri, nonce, client_nonce, time.monotonic() + _STATE_SECONDS
        )
        scopes = ["openid", *[s for s in role.oidc_scopes if s != "openid"]]
        query = {
            "client_id": config.oidc_client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": " ".join(scopes),
            "state": state,
            "nonce": nonce,
        }
        if role.max_age > 0:
            query["max_age"] = str(role.max_age)
        return endpoint + ("&" if "?" in endpoint else "?") + urlencode(query)

    def take(self, state: str, client_nonce: str) -> PendingLogin:
        """Spend ``state``: the pending login it stands for (400 when unknown or expired)."""
        self._sweep()
        pending = self._pending.pop(state, None)
        if pending is None:
            raise InvalidRequest(_MISSING_STATE)
        if pending.client_nonce and not secrets.compare_digest(pending.client_nonce, client_nonce):
            raise InvalidRequest("invalid client_nonce")
        return pending

    @staticmethod
    async def exchange(config: JWTConfig, source: KeySource, code: str, redirect_uri: str) -> str:
        """Trade the authorization code for the ID token at the provider's token endpoint."""
        discovery = await source.discovery()
        endpoint = str(discovery.get("token_endpoint", ""))
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        try:
            async with httpx.AsyncClient(
                verify=tls_context(config.oidc_discovery_ca_pem), timeout=10
            ) as client:
                answer = await client.post(
                    endpoint, data=form, auth=(config.oidc_client_id, config.oidc_client_secret)
                )
            body = answer.json()
        except (httpx.HTTPError, ssl.SSLError, ValueError) as err:
            raise InvalidRequest("error exchanging oidc code") from err
        if answer.status_code != 200 or not isinstance(body, dict) or not body.get("id_token"):
            raise InvalidRequest("error exchanging oidc code")
        return str(body["id_token"])
