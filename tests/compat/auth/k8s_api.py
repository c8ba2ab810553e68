"""A stand-in for the Kubernetes API server's TokenReview endpoint, over real HTTPS.

A kube-apiserver cannot run on this machine (shared/reference/kubernetes.md §6), so this serves
``POST /apis/authentication.k8s.io/v1/tokenreviews`` as the real one does (k8s.io/api
authentication/v1; §5.3): the caller must present a known bearer token (else 401 with a
``Status`` object), the reviewed JWT's RS256 signature and expiry are checked with the
cluster's key, its service account must still exist with the same uid, and its audiences must
meet the requested ones; the answer is ``201 Created`` with the TokenReview and a filled
``status``. TLS uses a certificate from a throwaway CA made with openssl.
"""

from __future__ import annotations

import base64
import json
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

PATH = "/apis/authentication.k8s.io/v1/tokenreviews"


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Cluster:
    """The cluster's state: its signing key, live service accounts, reviewer tokens."""

    key: rsa.RSAPrivateKey
    accounts: dict[tuple[str, str], str] = field(default_factory=dict)  # (ns, name) -> uid
    reviewers: set[str] = field(default_factory=set)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    namespaces: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> labels
    issuer: str = "https://kubernetes.default.svc.cluster.local"

    def verify(self, token: str) -> dict[str, Any] | None:
        """The claims of a token this cluster signed and that has not expired."""
        try:
            head, body, sig = token.split(".")
            self.key.public_key().verify(
                _unb64(sig), f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256()
            )
            claims: dict[str, Any] = json.loads(_unb64(body))
        except (ValueError, InvalidSignature):
            return None
        if "exp" in claims and time.time() >= claims["exp"]:
            return None
        return claims

    def review(self, spec: dict[str, Any]) -> dict[str, Any]:
        """The ``status`` of a TokenReview of ``spec``."""
        claims = self.verify(str(spec.get("token", "")))
        if claims is None:
            return {
                "authenticated": False,
                "user": {},
                "error": "[invalid bearer token, square/go-jose: error in cryptographic primitive]",
            }
        aud = claims.get("aud") or []
        token_audiences = [aud] if isinstance(aud, str) else list(aud)
        wanted = list(spec.get("audiences") or [])
        granted = [a for a in wanted if a in token_audiences] if wanted else token_audiences
        if wanted and not granted:
            return {
                "authenticated": False,
                "user": {},
                "error": f"[invalid bearer token, token audiences {token_audiences} is invalid for the target audiences {wanted}]",
            }
        projected = claims.get("kubernetes.io") or {}
        if projected:
            ns, name = projected["namespace"], projected["serviceaccount"]["name"]
            uid = projected["serviceaccount"]["uid"]
        else:
            prefix = "kubernetes.io/serviceaccount/"
            ns, name = claims[prefix + "namespace"], claims[prefix + "service-account.name"]
            uid = claims[prefix + "service-account.uid"]
        if self.accounts.get((ns, name)) != uid:
            return {
                "authenticated": False,
                "user": {},
                "error": "[invalid bearer token, service account token has been invalidated]",
            }
        return {
            "authenticated": True,
            "user": {
                "username": f"system:serviceaccount:{ns}:{name}",
                "uid": uid,
                "groups": [
                    "system:serviceaccounts",
                    f"system:serviceaccounts:{ns}",
                    "system:authenticated",
                ],
                "extra": {"authentication.kubernetes.io/pod-name": ["app-0"]},
            },
            "audiences": granted,
        }

    def claims(
        self,
        ns: str,
        name: str,
        *,
        aud: list[str] | None = None,
        ttl: int = 3600,
        legacy: bool = False,
    ) -> dict[str, Any]:
        """Service-account claims as the cluster would issue them (projected or legacy)."""
        uid = self.accounts[(ns, name)]
        now = int(time.time())
        if legacy:
            p = "kubernetes.io/serviceaccount/"
            return {
                "iss": "kubernetes/serviceaccount",
                "sub": f"system:serviceaccount:{ns}:{name}",
                p + "namespace": ns,
                p + "secret.name": f"{name}-token-abcde",
                p + "service-account.name": name,
                p + "service-account.uid": uid,
            }
        return {
            "iss": self.issuer,
            "sub": f"system:serviceaccount:{ns}:{name}",
            "aud": aud or ["https://kubernetes.default.svc.cluster.local"],
            "iat": now,
            "nbf": now,
            "exp": now + ttl,
            "kubernetes.io": {
                "namespace": ns,
                "serviceaccount": {"name": name, "uid": uid},
                "pod": {"name": "app-0", "uid": "pod-uid-1"},
            },
        }


def _handler(cluster: Cluster) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            del format, args

        def _send(self, status: int, body: dict[str, Any]) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self) -> None:
            # GET /api/v1/namespaces/<name> (core/v1 Namespace), for namespace selectors.
            bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
            prefix = "/api/v1/namespaces/"
            name = self.path.removeprefix(prefix)
            if bearer not in cluster.reviewers:
                self._send(
                    401,
                    {
                        "kind": "Status",
                        "apiVersion": "v1",
                        "metadata": {},
                        "status": "Failure",
                        "message": "Unauthorized",
                        "reason": "Unauthorized",
                        "code": 401,
                    },
                )
            elif not self.path.startswith(prefix) or name not in cluster.namespaces:
                self._send(
                    404,
                    {
                        "kind": "Status",
                        "apiVersion": "v1",
                        "metadata": {},
                        "status": "Failure",
                        "message": f'namespaces "{name}" not found',
                        "reason": "NotFound",
                        "code": 404,
                    },
                )
            else:
                self._send(
                    200,
                    {
                        "kind": "Namespace",
                        "apiVersion": "v1",
                        "metadata": {"name": name, "labels": cluster.namespaces[name]},
                        "spec": {"finalizers": ["kubernetes"]},
                        "status": {"phase": "Active"},
                    },
                )

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
            if self.path != PATH:
                self._send(
                    404,
                    {
                        "kind": "Status",
                        "apiVersion": "v1",
                        "metadata": {},
                        "status": "Failure",
                        "message": "the server could not find the requested resource",
                        "reason": "NotFound",
                        "code": 404,
                    },
                )
                return
            if bearer not in cluster.reviewers:
                self._send(
                    401,
                    {
                        "kind": "Status",
                        "apiVersion": "v1",
                        "metadata": {},
                        "status": "Failure",
                        "message": "Unauthorized",
                        "reason": "Unauthorized",
                        "code": 401,
                    },
                )
                return
            cluster.reviews.append(body)
            spec = body.get("spec") or {}
            self._send(
                201,
                {
                    "kind": "TokenReview",
                    "apiVersion": "authentication.k8s.io/v1",
                    "metadata": {"creationTimestamp": None},
                    "spec": spec,
                    "status": cluster.review(spec),
                },
            )

    return Handler


class FakeAPIServer:
    """The HTTPS server thread."""

    def __init__(self, cluster: Cluster, cert: Path, key: Path) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(cluster))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(cert), str(key))
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """``https://127.0.0.1:<port>``."""
        return f"https://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> FakeAPIServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
