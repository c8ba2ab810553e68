"""The listeners' sockets and TLS contexts, made before anything else starts.

Binding up front makes a busy port fail before the Core is built. ``reuse_port`` (worker
processes, server/workers.py) lets several processes bind the same address; the kernel then
spreads incoming connections across them.
"""

from __future__ import annotations

import socket
import ssl

from sealbox.server.config import Listener


def ssl_context(listener: Listener) -> ssl.SSLContext | None:
    """The listener's TLS context: server certificate, and client certificates when a CA is set.

    With ``tls_client_ca_file`` a client certificate is verified if one is sent (Go's
    VerifyClientCertIfGiven); ``tls_require_and_verify_client_cert`` makes it mandatory.
    """
    if listener.tls_disable:
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(listener.tls_cert_file, listener.tls_key_file)
    if listener.tls_client_ca_file:
        context.load_verify_locations(cafile=listener.tls_client_ca_file)
        context.verify_mode = (
            ssl.CERT_REQUIRED if listener.tls_require_client_cert else ssl.CERT_OPTIONAL
        )
    return context


def bind(listener: Listener, *, reuse_port: bool = False) -> socket.socket:
    """Bind a listener's socket up front, so a busy port fails before anything starts."""
    host, port = listener.host_port
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise ListenerError(
            f"Error initializing listener of type tcp: listen tcp {listener.address}: "
            f"bind: {err.strerror.lower() if err.strerror else err}"
        ) from err
    sock.listen(1024)
    sock.setblocking(False)
    return sock


class ListenerError(Exception):
    """A listener could not be opened."""
