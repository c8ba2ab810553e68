"""Challenge validation, in the background (RFC 8555 8.2, 8.3).

A client's "ready" POST marks the challenge ``processing`` and starts a task here; the
request answers at once and the client polls. http-01 fetches
``http://<identifier>:<port>/.well-known/acme-challenge/<token>`` and expects the key
authorization ``<token>.<account key thumbprint>`` (trailing whitespace ignored), as OpenBao's
``ValidateHTTP01Challenge`` does: at most 10 redirects, a body of at most 512 bytes, no proxy.

The port is 80 unless ``config/acme`` ``http_01_port`` says otherwise (a sealbox setting: an
ACME server on a private network, or a test that cannot bind 80). A failed attempt is retried
a few times (the client may still be setting up) before the challenge goes ``invalid``. A
challenge left ``processing`` by a node that stopped is validated again when its client next
reads the authorization or the challenge (paths_orders.py ``_resume``).
dns-01 looks up the TXT records of ``_acme-challenge.<domain>`` at ``config/acme``
``dns_resolver`` (engines/pki/acme/dns.py) and expects base64url(SHA-256(key authorization)).
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import httpx

from sealbox.engines.pki.acme import dns, orders
from sealbox.engines.pki.acme.jws import b64encode
from sealbox.engines.pki.acme.orders import Authorization, Challenge
from sealbox.engines.pki.store import PKIStore

_MAX_BODY = 512
_RETRY_DELAYS = (0.5, 1.0, 2.0)
_PROBLEM = "urn:ietf:params:acme:error:"


class ChallengeFailed(Exception):
    """Why a challenge did not validate (``kind`` is the ACME error type)."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


def http01_url(identifier: orders.Identifier, port: int, token: str) -> str:
    host = identifier.value
    if identifier.type == "ip" and ipaddress.ip_address(host).version == 6:
        host = f"[{host}]"
    netloc = host if port == 80 else f"{host}:{port}"
    return f"http://{netloc}/.well-known/acme-challenge/{token}"


async def check_http01(url: str, token: str, thumbprint: str) -> None:
    """Fetch ``url``; raise ChallengeFailed unless it answers the key authorization."""
    timeout = httpx.Timeout(10.0)
    try:
        async with (
            httpx.AsyncClient(
                timeout=timeout, follow_redirects=True, max_redirects=10, trust_env=False
            ) as client,
            client.stream("GET", url) as answer,
        ):
            body = b""
            async for chunk in answer.aiter_bytes():
                body += chunk
                if len(body) > _MAX_BODY:
                    raise ChallengeFailed("unauthorized", f"http-01: response from {url} too large")
    except httpx.TooManyRedirects as err:
        raise ChallengeFailed("connection", f"http-01: too many redirects from {url}") from err
    except httpx.HTTPError as err:
        raise ChallengeFailed("connection", f"http-01: failed to fetch {url}: {err}") from err
    if answer.status_code != 200:
        raise ChallengeFailed("unauthorized", f"http-01: {url} answered {answer.status_code}")
    if body.decode("utf-8", "replace").strip() != f"{token}.{thumbprint}":
        raise ChallengeFailed("unauthorized", f"http-01: wrong key authorization at {url}")


async def check_dns01(domain: str, token: str, job: Job) -> None:
    """Raise ChallengeFailed unless a TXT record of _acme-challenge.<domain> is the digest."""
    name = f"_acme-challenge.{domain}"
    expected = b64encode(hashlib.sha256(f"{token}.{job.thumbprint}".encode()).digest())
    try:
        records = await dns.txt_records(name, dns.resolver_address(job.resolver))
    except (dns.LookupFailed, ValueError) as err:
        raise ChallengeFailed("dns", f"dns-01: looking up TXT {name} failed: {err}") from err
    if expected not in records:
        raise ChallengeFailed("unauthorized", f"dns-01: no matching TXT record at {name}")


@dataclass(slots=True)
class Job:
    """One challenge to validate."""

    store: PKIStore
    authz_id: str
    kind: str
    thumbprint: str
    port: int
    resolver: str = ""


class Validator:
    """Runs validations as asyncio tasks, one at most per authorization."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def running(self, authz_id: str) -> bool:
        return authz_id in self._tasks

    def start(self, job: Job) -> None:
        if job.authz_id in self._tasks:
            return
        task = asyncio.get_running_loop().create_task(self._run(job))
        self._tasks[job.authz_id] = task
        task.add_done_callback(lambda _t: self._tasks.pop(job.authz_id, None))

    async def stop(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _attempt(self, authz: Authorization, challenge: Challenge, job: Job) -> None:
        if challenge.type == orders.DNS_01:
            await check_dns01(authz.identifier.value, challenge.token, job)
            return
        url = http01_url(authz.identifier, job.port, challenge.token)
        await check_http01(url, challenge.token, job.thumbprint)

    async def _run(self, job: Job) -> None:
        failure: ChallengeFailed | None = None
        for delay in (0.0, *_RETRY_DELAYS):
            await asyncio.sleep(delay)
            authz = await orders.load_authz(job.store, job.authz_id)
            challenge = authz.challenge(job.kind) if authz is not None else None
            if authz is None or challenge is None or challenge.status != "processing":
                return
            try:
                await self._attempt(authz, challenge, job)
            except ChallengeFailed as err:
                failure = err
                continue
            # a bug or an odd identifier must not leave the challenge processing for ever
            except Exception as err:  # noqa: BLE001
                failure = ChallengeFailed("serverInternal", f"validation failed: {err!r}")
                break
            now = self._clock()
            challenge.status, challenge.validated = "valid", now.isoformat()
            authz.status = "valid"
            authz.expires = (now + orders.AUTHZ_VALID_FOR).isoformat()
            await orders.save_authz(job.store, authz)
            return
        authz = await orders.load_authz(job.store, job.authz_id)
        challenge = authz.challenge(job.kind) if authz is not None else None
        if authz is None or challenge is None or failure is None:
            return
        challenge.status = "invalid"
        challenge.error = {
            "type": _PROBLEM + failure.kind,
            "detail": failure.detail,
            "status": 400,
        }
        authz.status = "invalid"
        await orders.save_authz(job.store, authz)
