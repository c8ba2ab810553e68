"""Which requests an HA standby answers itself (a "performance standby") instead of forwarding.

Only pure reads, decided before anything runs, so nothing a standby answers ever needs a write:

- GET or LIST (``?list=true`` too) without ``X-Vault-Wrap-TTL`` (wrapping writes a token);
- on a KV mount: version 1, any path; version 2, ``data/``, ``metadata/`` and ``subkeys/``
  (KV reads create no lease: Vault's KV returns a TTL hint, never a lease id);
- on ``sys/``: the mount, auth and policy tables (``sys/mounts``, ``sys/auth``,
  ``sys/policy``, ``sys/policies/acl``, with their entries and tunes) and
  ``sys/internal/ui/mounts`` (the CLI's KV-version probe);
- ``auth/token/lookup-self`` (GET);
- and the token is not limited in uses (``num_uses`` is spent with a write): checked by
  ``token_allows`` once the standby has synced, so the entry is current.

Anything else, and any request whose handling still meets a refused write (``FencedWrite``:
a backend that writes on a read), is forwarded to the active (server/forwarding.py).
"""

from __future__ import annotations

from sealbox.api.app import HTTPRequest
from sealbox.core.core import Core
from sealbox.errors import SealboxError

_SYS_TABLES = ("mounts", "auth", "policy", "policies/acl")
_SYS_PREFIXES = ("internal/ui/mounts",)
_KV2_PREFIXES = ("data/", "metadata/", "subkeys/")


def _is_list(request: HTTPRequest) -> bool:
    if request.method == "LIST":
        return True
    query = request.query_string.decode("latin-1").lower()
    return request.method == "GET" and any(
        part in ("list=true", "list=1", "list=t") for part in query.split("&")
    )


def read_path(core: Core, request: HTTPRequest) -> bool:
    """Whether ``request`` is a pure read this standby may answer (before the token check)."""
    if request.method not in ("GET", "LIST") or "x-vault-wrap-ttl" in request.headers:
        return False
    path = request.path
    if not path.startswith("/v1/") or "/." in path or "//" in path:
        return False
    api_path = path[4:]
    listing = _is_list(request)
    if listing and not api_path.endswith("/"):
        api_path += "/"
    return pure_read(core, api_path, listing=listing)


def pure_read(core: Core, api_path: str, *, listing: bool) -> bool:
    """Whether a read (or, with ``listing``, a list) of ``api_path`` is one a standby answers."""
    matched = core.mounts.router.match(api_path)
    if matched is None:
        return False
    route, relative = matched
    kind = route.entry.type
    if kind == "kv":
        if route.entry.options.get("version", "1") in ("", "1"):
            return True
        return relative.startswith(_KV2_PREFIXES)
    if kind == "system":
        trimmed = relative.rstrip("/")
        return any(
            trimmed == table or trimmed.startswith(table + "/") for table in _SYS_TABLES
        ) or trimmed.startswith(_SYS_PREFIXES)
    return kind == "token" and relative == "lookup-self" and not listing


async def token_allows(core: Core, request: HTTPRequest) -> bool:
    """The caller's token can be used here without a write (no use count to spend)."""
    token = request.headers.get("x-vault-token", "")
    bearer = request.headers.get("authorization", "")
    if not token and bearer[:7].lower() == "bearer ":
        token = bearer[7:].strip()
    return await usable_here(core, token)


async def usable_here(core: Core, token: str) -> bool:
    """``token`` can be used on a standby: no use count to spend (absent: the pipeline
    answers 403, or serves an unauthenticated path)."""
    if not token:
        return True
    try:
        entry = await core.tokens.lookup(token)
    except SealboxError:
        return False  # e.g. an expired token, whose revocation is a write: the active's job
    return entry is None or entry.num_uses <= 0
