"""Audit entries in Vault's JSON shape, with every secret-bearing string HMAC'd.

Mirrors OpenBao's audit/hashstructure.go (``HashRequest``, ``HashResponse``, ``HashAuth``,
``HashWrapInfo``, the reflection walk ``HashStructure``) and audit/entry_formatter.go (the
``AuditRequestEntry``/``AuditResponseEntry`` structs and their ``omitempty`` JSON tags). The
observed output of ``bao server`` 2.7.2 fixed the key order and which keys are left out when
empty.

Hashing rules (per device salt; ``log_raw`` turns all of them off):

- request and response ``data``: every string leaf, recursively through dicts, lists and
  tuples; numbers, booleans and null stay as they are (hashstructure only rewrites strings).
  Dict keys are never hashed. ``bytes`` leaves are hashed as their base64 text (the form Go's
  JSON would print); any other type is hashed as ``str(value)`` so no object can smuggle a raw
  secret past the walk.
- client tokens, wrapping tokens: always; accessors (token accessor, wrap_info accessor and
  wrapped_accessor): unless ``hmac_accessor=false``.
- ``secret.lease_id``: hashed. # compat: OpenBao prints lease ids raw; we hash them because a
  lease id names live credentials, and the HMAC still lets an operator correlate with
  ``sys/audit-hash``.
- request ``headers``: values hashed (Vault hashes audited headers unless ``hmac=false``).
- auth ``metadata`` values: hashed. # compat: OpenBao's HashAuth leaves token metadata raw,
  but metadata is free-form caller input (``token create -metadata=...``), so a secret put
  there must not reach the log in clear.
- other auth identity fields (display_name, policies, entity_id, token_type, times) stay raw,
  as in OpenBao's ``HashAuth``: they name the caller and carry no credential.

The formatter is on the hot path (twice per request): the keyed HMAC state is built once and
copied per value, hashes of tokens and accessors are memoised, and JSON is encoded by orjson.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Mapping
from typing import Any

from sealbox.logical import Request, Response
from sealbox.logical.response import Auth, WrapInfo

HMAC_PREFIX = "hmac-sha256:"
_TOKEN_CACHE_MAX = 4096

# Order and names of OpenBao's AuditAuth JSON fields (all omitempty).
_AUTH_KEYS = (
    "client_token",
    "accessor",
    "display_name",
    "policies",
    "token_policies",
    "identity_policies",
    "policy_results",
    "metadata",
    "entity_id",
    "remaining_uses",
    "token_type",
    "token_ttl",
    "token_issue_time",
)
_UNAUTHENTICATED: dict[str, Any] = {"token_type": "default"}
_NAMESPACE: dict[str, str] = {"id": "root"}


class Salt:
    """A device's HMAC key; ``hmac`` mirrors OpenBao's salt.GetIdentifiedHMAC."""

    __slots__ = ("_base",)

    def __init__(self, salt: str) -> None:
        self._base = hmac.new(salt.encode(), digestmod=hashlib.sha256)

    def __repr__(self) -> str:
        return "Salt(***)"

    def hmac(self, value: str) -> str:
        """The identified HMAC of ``value``."""
        mac = self._base.copy()
        mac.update(value.encode())
        return HMAC_PREFIX + mac.hexdigest()


class EntryFormatter:
    """Builds one device's request and response entries (as dicts ready for orjson)."""

    __slots__ = ("_hash", "_hash_accessor", "_token_cache", "log_raw", "salt")

    def __init__(self, salt: Salt, *, log_raw: bool = False, hmac_accessor: bool = True) -> None:
        self.salt = salt
        self.log_raw = log_raw
        self._token_cache: dict[str, str] = {}
        self._hash: Callable[[str], str] = _identity if log_raw else salt.hmac
        self._hash_accessor: Callable[[str], str] = (
            self._token if hmac_accessor and not log_raw else _identity
        )

    def __repr__(self) -> str:
        return f"EntryFormatter(log_raw={self.log_raw})"

    def _token(self, value: str) -> str:
        """HMAC of a token or accessor, memoised: the same few recur on every request."""
        if self.log_raw or not value:
            return value
        cached = self._token_cache.get(value)
        if cached is None:
            if len(self._token_cache) >= _TOKEN_CACHE_MAX:
                self._token_cache.clear()
            cached = self._token_cache[value] = self.salt.hmac(value)
        return cached

    def hash_value(self, value: Any) -> Any:
        """``value`` with every string leaf hashed (hashstructure.go's walk)."""
        # Raw devices still walk: the walk also turns bytes and foreign types into JSON text.
        return _walk(value, self._hash)

    def request_entry(
        self, time: str, req: Request, auth: Mapping[str, Any] | None, error: str | None
    ) -> dict[str, Any]:
        """The ``"type":"request"`` entry."""
        entry: dict[str, Any] = {
            "time": time,
            "type": "request",
            "auth": self._caller_auth(auth),
            "request": self._request(req, auth),
        }
        if error:
            entry["error"] = error
        return entry

    def response_entry(
        self,
        time: str,
        req: Request,
        auth: Mapping[str, Any] | None,
        resp: Response | None,
        error: str | None,
    ) -> dict[str, Any]:
        """The ``"type":"response"`` entry: the request again, plus the response."""
        entry: dict[str, Any] = {
            "time": time,
            "type": "response",
            "auth": self._caller_auth(auth),
            "request": self._request(req, auth),
            "response": self._response(req, resp),
        }
        if error:
            entry["error"] = error
        return entry

    def _caller_auth(self, auth: Mapping[str, Any] | None) -> dict[str, Any]:
        if not auth:
            # compat: an unauthenticated request logs auth {"token_type":"default"}.
            return dict(_UNAUTHENTICATED)
        out: dict[str, Any] = {}
        for key in _AUTH_KEYS:
            value = auth.get(key)
            if value:
                out[key] = value
        if "client_token" in out:
            out["client_token"] = self._token(out["client_token"])
        if "accessor" in out:
            out["accessor"] = self._hash_accessor(out["accessor"])
        if "metadata" in out:
            out["metadata"] = self.hash_value(out["metadata"])
        return out

    def _request(self, req: Request, auth: Mapping[str, Any] | None) -> dict[str, Any]:
        out: dict[str, Any] = {"id": req.request_id, "operation": req.operation.value}
        _put(out, "mount_point", req.mount_point)
        _put(out, "mount_type", req.mount_type)
        _put(out, "mount_accessor", req.mount_accessor)
        _put(out, "client_token", self._token(req.client_token))
        accessor = auth.get("accessor", "") if auth else ""
        _put(out, "client_token_accessor", self._hash_accessor(accessor) if accessor else "")
        out["namespace"] = dict(_NAMESPACE)
        out["path"] = req.path
        if req.data:
            out["data"] = self.hash_value(req.data)
        _put(out, "remote_address", req.client_address)
        _put(out, "wrap_ttl", req.wrap_ttl)
        if req.headers:
            hash_ = self._hash
            out["headers"] = {k.lower(): [hash_(v)] for k, v in req.headers.items()}
        return out

    def _response(self, req: Request, resp: Response | None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if resp is not None and resp.auth is not None:
            out["auth"] = self._issued_auth(resp.auth)
        _put(out, "mount_point", req.mount_point)
        _put(out, "mount_type", req.mount_type)
        _put(out, "mount_accessor", req.mount_accessor)
        if resp is None:
            return out
        if resp.secret is not None:
            lease_id = resp.secret.lease_id
            out["secret"] = {"lease_id": self._hash(lease_id)} if lease_id else {}
        if resp.data:
            out["data"] = self.hash_value(resp.data)
        if resp.warnings:
            out["warnings"] = list(resp.warnings)
        if resp.wrap_info is not None:
            out["wrap_info"] = self._wrap_info(resp.wrap_info)
        return out

    def _issued_auth(self, auth: Auth) -> dict[str, Any]:
        out: dict[str, Any] = {}
        _put(out, "client_token", self._token(auth.client_token))
        _put(out, "accessor", self._hash_accessor(auth.accessor))
        _put(out, "policies", auth.policies)
        _put(out, "token_policies", auth.token_policies)
        _put(out, "identity_policies", auth.identity_policies)
        _put(out, "metadata", self.hash_value(auth.metadata) if auth.metadata else None)
        _put(out, "entity_id", auth.entity_id)
        _put(out, "remaining_uses", auth.num_uses)
        _put(out, "token_type", auth.token_type)
        _put(out, "token_ttl", auth.lease_duration)
        return out

    def _wrap_info(self, info: WrapInfo) -> dict[str, Any]:
        out: dict[str, Any] = {}
        _put(out, "ttl", info.ttl)
        _put(out, "token", self._token(info.token))
        _put(out, "accessor", self._hash_accessor(info.accessor))
        _put(out, "creation_time", info.creation_time)
        _put(out, "creation_path", info.creation_path)
        _put(out, "wrapped_accessor", self._hash_accessor(info.wrapped_accessor))
        return out


def _identity(value: str) -> str:
    return value


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    """Set ``key`` unless ``value`` is empty: Go's ``omitempty``."""
    if value:
        out[key] = value


def _walk(value: Any, hash_: Callable[[str], str]) -> Any:
    kind = type(value)
    if kind is str:
        return hash_(value)
    if kind is dict:
        return {k if type(k) is str else str(k): _walk(v, hash_) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [_walk(v, hash_) for v in value]
    if value is None or kind is bool or kind is int or kind is float:
        return value
    return _walk_other(value, hash_)


def _walk_other(value: Any, hash_: Callable[[str], str]) -> Any:
    """Subclasses and foreign types: never let them reach the encoder unhashed."""
    if isinstance(value, str):
        return hash_(str(value))
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, Mapping):
        return {str(k): _walk(v, hash_) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_walk(v, hash_) for v in value]
    if isinstance(value, bytes | bytearray | memoryview):
        return hash_(base64.b64encode(bytes(value)).decode())
    return hash_(str(value))
