"""Which requests an HA standby answers itself (a "performance standby") instead of forwarding.

Only requests that read, decided before anything runs, so nothing a standby answers ever
needs a write; none may carry ``X-Vault-Wrap-TTL`` (wrapping writes a token):

- GET or LIST (``?list=true`` too) on a KV mount: version 1, any path; version 2, ``data/``,
  ``metadata/`` and ``subkeys/`` (KV reads create no lease: Vault's KV returns a TTL hint,
  never a lease id);
- GET or LIST on ``sys/``: the mount, auth and policy tables (``sys/mounts``, ``sys/auth``,
  ``sys/policy``, ``sys/policies/acl``, with their entries and tunes) and
  ``sys/internal/ui/mounts`` (the CLI's KV-version probe);
- GET of ``auth/token/lookup-self``;
- GET or LIST of a transit mount's ``keys/`` (a key's description, the list of keys);
- POST or PUT of a transit operation that only uses a key (``encrypt/``, ``decrypt/``,
  ``rewrap/``, ``datakey/``, ``hmac/``, ``sign/``, ``verify/``, ``hash``, ``random``), as
  Vault's performance standbys do: the standby's parsed keys follow the active's changes
  (``Backend.invalidate``), and an encrypt that would create its key (upsert) meets a refused
  write and is forwarded;
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
_TRANSIT_OPERATIONS = (
    "encrypt/",
    "decrypt/",
    "rewrap/",
    "datakey/",
    "hmac/",
    "sign/",
    "verify/",
    "hash",
    "random",
)
_TRANSIT_SEGMENTS = tuple("/" + operation for operation in _TRANSIT_OPERATIONS)
_WRITE_METHODS = ("POST", "PUT")


def _is_list(request: HTTPRequest) -> bool:
    if request.method == "LIST":
        return True
    query = request.query_string.decode("latin-1").lower()
    return request.method == "GET" and any(
        part in ("list=true", "list=1", "list=t") for part in query.split("&")
    )


def may_answer_here(request: HTTPRequest) -> bool:
    """A cheap first filter, before syncing with the active: the method is a read's, or the
    request names a transit operation (``read_path`` decides once synced)."""
    if request.method in ("GET", "LIST"):
        return True
    path = request.path
    return request.method in _WRITE_METHODS and any(
        segment in path for segment in _TRANSIT_SEGMENTS
    )


def read_path(core: Core, request: HTTPRequest) -> bool:
    """Whether ``request`` only reads and this standby may answer it (before the token
    check)."""
    if "x-vault-wrap-ttl" in request.headers:
        return False
    path = request.path
    if not path.startswith("/v1/") or "/." in path or "//" in path:
        return False
    api_path = path[4:]
    if request.method in _WRITE_METHODS:
        return transit_operation(core, api_path)
    if request.method not in ("GET", "LIST"):
        return False
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
    if kind == "transit":
        return relative.startswith("keys/")
    return kind == "token" and relative == "lookup-self" and not listing


def transit_operation(core: Core, api_path: str) -> bool:
    """Whether a POST or PUT of ``api_path`` is a transit operation that only uses a key."""
    matched = core.mounts.router.match(api_path)
    if matched is None:
        return False
    route, relative = matched
    return route.entry.type == "transit" and relative.startswith(_TRANSIT_OPERATIONS)


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
