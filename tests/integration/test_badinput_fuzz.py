"""Property test: random JSON bodies and random paths never make sealbox answer 5xx.

Paths are random suffixes under fixed, harmless prefixes (never ``sys/seal`` or a real mount's
``sys/mounts/<name>``), so the shared dev server stays usable; methods include LIST and PATCH.
"""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.compat.conftest import ServerProcess

pytestmark = pytest.mark.compat

PREFIXES = [
    "secret/data/fz/",
    "secret/metadata/fz/",
    "secret/subkeys/fz/",
    "secret/delete/fz/",
    "secret/destroy/fz/",
    "secret/undelete/fz/",
    "secret/config",
    "cubbyhole/fz/",
    "nosuchmount/",
    "auth/token/create",
    "auth/token/lookup",
    "auth/token/roles/fz-",
    "sys/mounts/fz-",
    "sys/auth/fz-",
    "sys/policies/acl/fz-",
    "sys/policy/fz-",
    "sys/capabilities-self",
    "sys/wrapping/wrap",
    "sys/wrapping/unwrap",
    "sys/internal/ui/mounts/",
    "sys/audit-hash/fz",
]
FIELDS = [
    "data",
    "options",
    "cas",
    "max_versions",
    "cas_required",
    "delete_version_after",
    "custom_metadata",
    "versions",
    "ttl",
    "policies",
    "policy",
    "type",
    "config",
    "meta",
    "num_uses",
    "token",
    "paths",
    "period",
    "input",
]
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "LIST"]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
bodies = st.one_of(
    st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), json_values, max_size=5).map(
        lambda d: json.dumps(d).encode()
    ),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=64),
)
suffixes = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="?#"), max_size=30).map(
    lambda s: quote(s, safe="/.+*%")
)


def send(server: ServerProcess, method: str, path: str, body: bytes, patch_type: bool) -> int:
    parts = urlsplit(server.address)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    try:
        conn.putrequest(method, "/v1/" + path, skip_accept_encoding=True)
        conn.putheader("X-Vault-Token", server.token)
        if patch_type:
            conn.putheader("Content-Type", "application/merge-patch+json")
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        payload: Any = resp.read()
        return resp.status if payload is not None else 0
    finally:
        conn.close()


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    method=st.sampled_from(METHODS),
    prefix=st.sampled_from(PREFIXES),
    suffix=suffixes,
    body=bodies,
    patch_type=st.booleans(),
)
def test_random_requests_never_5xx(
    sealbox_server: ServerProcess,
    method: str,
    prefix: str,
    suffix: str,
    body: bytes,
    patch_type: bool,
) -> None:
    status = send(sealbox_server, method, prefix + suffix, body, patch_type)
    assert status < 500, (method, prefix + suffix, body[:200])


def test_server_still_healthy_after_fuzzing(sealbox_server: ServerProcess) -> None:
    assert send(sealbox_server, "GET", "sys/health", b"", False) == 200
