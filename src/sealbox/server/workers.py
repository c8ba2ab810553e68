"""``workers = N``: one node as N server processes on one HA storage, sharing its ports.

Python runs one request at a time per process, so a node on a machine with several cores
scales reads by running several processes. Each worker is a whole server (its own Core,
cache and change listener) bound to the same listener addresses with ``SO_REUSEPORT``, so
the kernel spreads connections across them. The HA lock decides which worker is active (it
writes); the others are performance standbys that answer reads themselves and forward the
rest (forwarding.py). Hence ``workers`` needs ``storage "postgresql"`` with ``ha_enabled``.
The workers share an ``ActiveSlot`` (storage/read_lease.py) in which the active one publishes
its announcements and a read lease, so a standby worker's read needs no database round trip.

Forwarding needs to reach *the* active worker, not whichever process the kernel picks for
the shared port, so each worker also listens on a port of its own, on the first listener's
host, bound by the parent before it forks (``forward_addr`` in the lock row). The same
private ports carry what an operator does to the node as a whole: a ``sys/unseal`` or
``sys/seal`` a worker receives from a client is relayed to its siblings (one hop, marked by a
header), so one unseal key share given to the node reaches every worker. Unseal key shares
then cross the loopback (or the listener's host), with the listener's TLS when it has TLS.

The parent only supervises: it forwards SIGTERM/SIGINT, restarts a worker that died (it comes
back sealed unless an auto-unseal seal unseals it; the next unseal given to the node reaches
it too), and each worker asks the kernel to kill it if the parent dies (``PR_SET_PDEATHSIG``),
so a node killed with SIGKILL takes its workers with it, as a single process would.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from sealbox.api.app import HTTPRequest
from sealbox.server.config import Listener, ServerConfig
from sealbox.server.http import Responder
from sealbox.storage.read_lease import ActiveSlot

log = logging.getLogger("sealbox.server.workers")

_RELAYED = "x-sealbox-relayed-by"
_RELAY_PATHS = frozenset({"/v1/sys/unseal", "/v1/sys/seal"})
_RELAY_TIMEOUT = 30.0
_RESTART_DELAY = 1.0
_PR_SET_PDEATHSIG = 1
Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


class WorkerError(Exception):
    """The configuration cannot run with workers."""


@dataclass(frozen=True, slots=True)
class WorkerSetup:
    """What one worker knows: its index, its own socket and every worker's address."""

    index: int
    private: socket.socket = field(repr=False)
    addresses: tuple[str, ...]
    slot: ActiveSlot = field(repr=False)
    """Shared by the node's workers: what the active one tells the others (read_lease.py)."""

    @property
    def forward_addr(self) -> str:
        """This worker's own address (where the others forward to it)."""
        return self.addresses[self.index]

    @property
    def siblings(self) -> tuple[str, ...]:
        """The other workers' addresses."""
        return tuple(a for i, a in enumerate(self.addresses) if i != self.index)


def check(config: ServerConfig) -> None:
    """Raise ``WorkerError`` unless ``config`` can run several workers."""
    options = config.storage_options
    ha = options.get("ha_enabled", "false").strip().lower() in ("true", "1")
    if config.storage_type != "postgresql" or not ha:
        raise WorkerError('workers needs storage "postgresql" with ha_enabled = "true"')


def _private_sockets(listener: Listener, count: int) -> list[socket.socket]:
    host, _ = listener.host_port
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    out = []
    for _ in range(count):
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.bind((host, 0))
        sock.listen(1024)
        sock.setblocking(False)
        out.append(sock)
    return out


def _address(listener: Listener, sock: socket.socket) -> str:
    host, _ = listener.host_port
    port = sock.getsockname()[1]
    scheme = "http" if listener.tls_disable else "https"
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def supervise(config: ServerConfig, serve: Callable[[WorkerSetup], int]) -> int:
    """Fork ``config.workers`` processes running ``serve`` and keep them running until
    SIGTERM/SIGINT; returns the exit code."""
    first = next(listener for listener in config.listeners if listener.kind == "tcp")
    privates = _private_sockets(first, config.workers)
    addresses = tuple(_address(first, sock) for sock in privates)
    slot = ActiveSlot()  # before fork: every worker maps the same memory
    children: dict[int, int] = {}  # pid -> worker index
    stopping = False

    def spawn(index: int) -> None:
        pid = os.fork()
        if pid == 0:  # the worker
            code = 1
            try:
                _die_with_parent()
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                for i, sock in enumerate(privates):
                    if i != index:
                        sock.close()
                code = serve(WorkerSetup(index, privates[index], addresses, slot))
            finally:
                os._exit(code)
        children[pid] = index

    def stop(signum: int, frame: object) -> None:
        del frame
        nonlocal stopping
        stopping = True
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for index in range(config.workers):
        spawn(index)
    log.info("started %d workers (own addresses %s)", config.workers, ", ".join(addresses))
    code = 0
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        index = children.pop(pid, -1)
        if index < 0:
            continue
        if os.waitstatus_to_exitcode(status) != 0:
            code = 1
        if not stopping:
            log.warning("worker %d exited (status %d); restarting it", index, status)
            time.sleep(_RESTART_DELAY)
            if not stopping:
                spawn(index)
    return 0 if stopping else code


class SiblingRelay:
    """Serves the Vault API and relays what a client does to the node as a whole (unseal,
    seal) to the other workers."""

    def __init__(self, app: Responder, setup: WorkerSetup) -> None:
        self._app = app
        self._setup = setup
        self.max_body = app.max_body
        self._client = httpx.AsyncClient(timeout=_RELAY_TIMEOUT)

    async def respond(self, request: HTTPRequest) -> Answer:
        """Answer here, then relay a client's unseal or seal to every sibling."""
        answer = await self._app.respond(request)
        relay = (
            request.path in _RELAY_PATHS
            and request.method in ("PUT", "POST")
            and _RELAYED not in request.headers
        )
        if relay:
            await self._relay(request)
        return answer

    async def _relay(self, request: HTTPRequest) -> None:
        headers = {
            k: v
            for k, v in request.headers.items()
            if k in ("content-type", "x-vault-token", "authorization")
        }
        headers[_RELAYED] = self._setup.forward_addr
        for address in self._setup.siblings:
            try:
                await self._client.request(
                    request.method, address + request.path, headers=headers, content=request.body
                )
            except httpx.HTTPError as err:
                log.warning("relaying %s to a worker failed (%s)", request.path, type(err).__name__)

    async def close(self) -> None:
        """Close the relay's connections and the app's."""
        await self._client.aclose()
        close = getattr(self._app, "close", None)
        if close is not None:
            await close()
