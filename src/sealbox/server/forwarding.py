"""The HTTP side of HA: standbys forward requests to the active node; sys/step-down.

OpenBao standbys forward client requests to the active node over the cluster port (mutual TLS,
gRPC; vault/request_forwarding.go) or, with forwarding off, answer 307 to the active's
``api_addr``. Ours forward over the active's ``api_addr`` itself (HTTP/1.1 over keep-alive
connections, upstream.py; TLS verified with the system's trust store), so no second port is
needed; a node started with several worker processes forwards to the active worker's own
address (the lock row's ``forward_addr``, server/workers.py). A standby answers locally what describes the node
itself: sys/health (429, Vault's standby code; 473 for a performance standby), sys/leader,
sys/seal-status, sys/unseal and sys/init. A performance standby (the default; not with
``disable_performance_standby``) also answers pure reads itself (standby_reads.py), after
``HACoordinator.read_barrier`` made sure it has applied every change the active acknowledged
before the read arrived; if that cannot be done, or handling the read meets a refused write,
the read is forwarded. Everything else goes to the active. With no active node known, the
answer is 503 (hvac's VaultDown), retryable. With
``disable_request_forwarding = true`` in the server config a standby answers 307 with
``Location`` = the active's api_addr + the same path and query, as Vault's standbys do when
they cannot forward.

sys/step-down (PUT/POST, root tokens only, like Vault's sudo-protected endpoint) makes the
active release the lock and stay out of the election for 10 s; on a standby it is forwarded.
sys/seal on a standby seals that standby (Vault does not forward it either), for root tokens.
"""

from __future__ import annotations

import hmac
import logging

import orjson

from sealbox.api.app import HTTPRequest, VaultAPI
from sealbox.api.errors import error_bytes
from sealbox.core.core import Core
from sealbox.core.ha import HACoordinator
from sealbox.server.standby_reads import may_answer_here, read_path, token_allows
from sealbox.server.upstream import Upstream, UpstreamUnavailable
from sealbox.storage.postgresql import FencedWrite

log = logging.getLogger("sealbox.server.forwarding")
# httpx (the doors' forwarding, the workers' relay) logs every request URL at INFO; paths
# name secrets, so keep it to warnings.
logging.getLogger("httpx").setLevel(logging.WARNING)

_LOCAL = frozenset(
    {"/v1/sys/health", "/v1/sys/leader", "/v1/sys/seal-status", "/v1/sys/unseal", "/v1/sys/init"}
)
_HOP_BY_HOP = frozenset(
    {
        "host",
        "connection",
        "keep-alive",
        "transfer-encoding",
        "content-length",
        "te",
        "trailer",
        "upgrade",
        "proxy-authorization",
        "proxy-connection",
    }
)
_FORWARD_TIMEOUT = 60.0
_FORWARDED = "x-sealbox-forwarded-by"
Answer = tuple[int, list[tuple[bytes, bytes]], bytes]
# What a standby's refused write renders as: such a read is forwarded instead.
_FENCED = error_bytes(FencedWrite())


def _json(status: int, body: object) -> Answer:
    data = orjson.dumps(body)
    headers = [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]
    return status, [*headers, (b"content-length", str(len(data)).encode())], data


class HAVaultAPI(VaultAPI):
    """``VaultAPI`` for a node in an HA cluster: local when active, forwarding when standby."""

    def __init__(
        self, core: Core, ha: HACoordinator, *, redirect: bool = False, **kwargs: int
    ) -> None:
        super().__init__(core, **kwargs)
        self.ha = ha
        self.redirect = redirect
        self._upstream = Upstream(_FORWARD_TIMEOUT)
        self.local_reads = 0
        """Reads this standby answered itself (a test and benchmark aid)."""

    async def respond(self, request: HTTPRequest) -> Answer:
        """Answer, forward, or step down."""
        path = request.path
        if path == "/v1/sys/step-down" and request.method in ("PUT", "POST"):
            if self.ha.active:
                return await self._step_down(request)
        elif path == "/v1/sys/seal" and self.ha.running and not self.ha.active:
            return await self._seal_standby(request)
        elif path in _LOCAL or self.ha.active or not self.ha.running:
            return await super().respond(request)
        elif self.ha.performance_standby and may_answer_here(request):
            return await self._read_here(request)
        return await self._forward(request)

    async def _read_here(self, request: HTTPRequest) -> Answer:
        """A performance standby's read: synced with the active's changes (mount table
        included, so the path is classified against the current one), then answered here;
        forwarded when it cannot sync, is not a pure read, or turns out to need a write."""
        if (
            not await self.ha.read_barrier()
            or not read_path(self.core, request)
            or not await token_allows(self.core, request)
        ):
            return await self._forward(request)
        answer = await super().respond(request)
        if answer[0] == FencedWrite.status and answer[2] == _FENCED:
            return await self._forward(request)
        self.local_reads += 1
        return answer

    async def close(self) -> None:
        """Close the forwarding connections."""
        await self._upstream.close()

    async def _is_root(self, request: HTTPRequest) -> bool:
        token = request.headers.get("x-vault-token", "")
        bearer = request.headers.get("authorization", "")
        if not token and bearer[:7].lower() == "bearer ":
            token = bearer[7:].strip()
        entry = await self.core.tokens.lookup(token) if token else None
        return entry is not None and any(hmac.compare_digest(p, "root") for p in entry.policies)

    async def _step_down(self, request: HTTPRequest) -> Answer:
        if not await self._is_root(request):
            return _json(403, {"errors": ["permission denied"]})
        await self.ha.step_down()
        return 204, [(b"cache-control", b"no-store")], b""

    async def _seal_standby(self, request: HTTPRequest) -> Answer:
        """sys/seal on a standby seals that standby, as in Vault (not forwarded). Its tables
        are not loaded, so a root token stands in for the sudo capability check."""
        if request.method not in ("PUT", "POST"):
            return _json(405, {"errors": []})
        if not await self._is_root(request):
            return _json(403, {"errors": ["permission denied"]})
        await self.core.seal()
        return 204, [(b"cache-control", b"no-store")], b""

    async def _forward(self, request: HTTPRequest) -> Answer:
        if _FORWARDED in request.headers:
            # Forwarded to us, yet we are not active: the leader changed in between. One hop
            # only, so two nodes with stale views can never bounce a request back and forth.
            return _json(503, {"errors": ["no active node is available; try again shortly"]})
        me = self.ha.lock.identity
        leader = self.ha.leader
        if leader is None or leader.identity == me:  # unknown, or stale
            leader = await self.ha.current_leader()
        if leader is None or leader.identity == me:
            return _json(503, {"errors": ["no active node is available; try again shortly"]})
        query = "?" + request.query_string.decode("latin-1") if request.query_string else ""
        if self.redirect and leader.value != self.ha.api_addr:
            # Vault's standby with forwarding off: 307 keeps the method and body, so the
            # client repeats the request itself at the active's api_addr. (A sibling worker
            # behind this same api_addr is forwarded to: a redirect would come back here.)
            location = (leader.value.rstrip("/") + request.raw_path + query).encode("latin-1")
            return 307, [(b"location", location), (b"content-length", b"0")], b""
        headers = [(k, v) for k, v in request.headers.items() if k not in _HOP_BY_HOP]
        headers.append((_FORWARDED, self.ha.api_addr))
        if request.client:
            headers.append(("x-forwarded-for", request.client))
        try:
            status, answer_headers, body = await self._upstream.request(
                leader.target.rstrip("/"),
                request.method,
                request.raw_path + query,
                headers,
                request.body,
            )
        except UpstreamUnavailable as err:
            log.warning("forwarding to the active node failed (%s)", type(err.__cause__).__name__)
            self.ha.leader = None  # ask the database again next time
            return _json(503, {"errors": ["the active node could not be reached"]})
        out = [
            (name, value)
            for name, value in answer_headers
            if name.lower().decode("latin-1") not in _HOP_BY_HOP
            and name.lower() != b"content-encoding"
        ]
        if status >= 300 or body:
            out.append((b"content-length", str(len(body)).encode()))
        return status, out, b"" if request.method == "HEAD" else body
