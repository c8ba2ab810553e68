"""``sealbox login -method=oidc``: the browser-based OIDC login, as Vault's CLI does it.

Mirrors vault-plugin-auth-jwt cli.go: asks ``auth/<mount>/oidc/auth_url`` for the provider URL
with ``redirect_uri = <callbackmethod>://<callbackhost>:<callbackport>/oidc/callback`` and a fresh
client nonce, prints it (and opens a browser unless ``skip_browser``), listens on
``<listenaddress>:<port>`` (default localhost:8250) for the provider's redirect, then hands
``state`` and ``code`` to ``auth/<mount>/oidc/callback`` and returns its login answer.
"""

from __future__ import annotations

import secrets
import sys
import time
import webbrowser
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from sealbox.cli.args import ArgsError, parse_kv_args
from sealbox.cli.base import Exit, api_errors, fail
from sealbox.client import Client

_WAIT_SECONDS = 300
_DONE_PAGE = b"<html><body>Signed in to sealbox. You can close this window.</body></html>"


def _truthy(value: str) -> bool:
    return value.strip().lower() in ("1", "t", "true", "yes")


def _wait_for_callback(host: str, port: int) -> dict[str, str]:
    """Serve until the provider's redirect arrives at /oidc/callback; its query."""
    received: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            del format, args

        def do_GET(self) -> None:
            url = urlparse(self.path)
            if url.path != "/oidc/callback":
                self.send_response(404)
                self.end_headers()
                return
            received.update({k: v[0] for k, v in parse_qs(url.query).items()})
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(_DONE_PAGE)))
            self.end_headers()
            self.wfile.write(_DONE_PAGE)

    deadline = time.monotonic() + _WAIT_SECONDS
    with HTTPServer((host, port), Handler) as server:
        while not received and time.monotonic() < deadline:
            server.timeout = max(deadline - time.monotonic(), 0.1)
            server.handle_request()
    return received


def oidc_login_secret(client: Client, path: str, args: tuple[str, ...]) -> Any:
    """Run the OIDC login against ``auth/<path or oidc>/``; the callback's answer."""
    try:
        opts = parse_kv_args(args, sys.stdin)
    except ArgsError as exc:
        fail(f"Error parsing configuration: {exc}")
    mount = (path or opts.get("mount") or "oidc").strip("/")
    port = int(opts.get("port") or 8250)
    listen = opts.get("listenaddress") or "localhost"
    redirect = (
        f"{opts.get('callbackmethod') or 'http'}://{opts.get('callbackhost') or 'localhost'}:"
        f"{int(opts.get('callbackport') or port)}/oidc/callback"
    )
    nonce = secrets.token_urlsafe(16)
    client.token = None
    body = {"role": opts.get("role", ""), "redirect_uri": redirect, "client_nonce": nonce}
    with api_errors("Error authenticating"):
        answer = client.write(f"auth/{mount}/oidc/auth_url", body) or {}
    url = str((answer.get("data") or {}).get("auth_url") or "")
    if not url:
        fail(
            "Error authenticating: no auth_url was returned (check role and redirect URI)",
            Exit.REMOTE,
        )
    skip = _truthy(str(opts.get("skip_browser", "")))
    lead = "Complete the login via your OIDC provider. "
    print(
        lead + ("Open this URL:" if skip else "Launching browser to:") + f"\n\n    {url}\n\n",
        file=sys.stderr,
        flush=True,
    )
    if not skip:
        webbrowser.open(url)
    print("Waiting for OIDC authentication to complete...", file=sys.stderr, flush=True)
    query = _wait_for_callback(listen, port)
    if not query:
        fail("Error authenticating: timed out waiting for the OIDC callback", Exit.REMOTE)
    params = {"state": query.get("state", ""), "code": query.get("code", ""), "client_nonce": nonce}
    with api_errors("Error authenticating"):
        secret = client.read(f"auth/{mount}/oidc/callback", params)
    if not secret or not secret.get("auth"):
        fail("Error authenticating: no auth information was returned", Exit.REMOTE)
    return secret
