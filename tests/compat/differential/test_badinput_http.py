"""Bad input against sealbox and OpenBao: same status, a clear message, never a 500, no change.

Every case is sent as raw bytes (``http.client``, so paths with ``..``, ``//`` and percent
escapes reach the server untouched) to both dev servers. For each case the test checks that
sealbox answers below 500, with the status OpenBao gives (unless the case is listed in
``SEALBOX_ONLY`` with the reason), with a non-empty ``errors`` message wherever OpenBao gives one
(and the exact text where ``exact`` is set), and that a read-back of the state the request
tried to change is identical before and after.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from tests.compat.conftest import ServerProcess

pytestmark = pytest.mark.compat

KEEP = "secret/data/badinput/keep"
POLICY_OK = 'path "secret/*" { capabilities = ["read"] }'


@dataclass(frozen=True)
class Bad:
    """One malformed request; ``readback`` is a path whose GET must not change."""

    name: str
    method: str
    path: str
    body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    token: str = "root"
    readback: str | None = None
    exact: bool = False


def j(value: Any) -> bytes:
    return json.dumps(value).encode()


def policy(text: str) -> bytes:
    return j({"policy": text})


MERGE = {"Content-Type": "application/merge-patch+json"}

CASES: list[Bad] = [
    # malformed JSON and non-object bodies
    Bad("truncated json", "POST", KEEP, b'{"data": {', readback=KEEP),
    Bad("json array", "POST", KEEP, b"[1, 2]", readback=KEEP),
    Bad("json string", "POST", KEEP, b'"str"', readback=KEEP),
    Bad("json number", "POST", KEEP, b"42", readback=KEEP),
    Bad("json null", "POST", KEEP, b"null", readback=KEEP, exact=True),
    Bad("trailing garbage", "POST", KEEP, b'{"data":{"a":1}}garbage', readback=KEEP),
    Bad("not utf-8", "POST", KEEP, b"\xff\xfe", readback=KEEP),
    Bad("huge exponent", "POST", KEEP, b'{"data":{"a":1e999}}', readback=KEEP),
    Bad("bad json on patch", "PATCH", KEEP, b"{bad", MERGE, readback=KEEP),
    Bad("patch without content type", "PATCH", KEEP, j({"data": {"v": 2}}), readback=KEEP),
    Bad(
        "patch as json",
        "PATCH",
        KEEP,
        j({"data": {"v": 2}}),
        {"Content-Type": "application/json"},
        readback=KEEP,
        exact=True,
    ),
    # wrong field types
    Bad("kv2 data string", "POST", KEEP, j({"data": "str"}), readback=KEEP),
    Bad("kv2 data list", "POST", KEEP, j({"data": [1]}), readback=KEEP),
    Bad("kv2 patch data string", "PATCH", KEEP, j({"data": "s"}), MERGE, readback=KEEP),
    Bad("kv2 options string", "POST", KEEP, j({"data": {"a": 1}, "options": "x"}), readback=KEEP),
    Bad(
        "kv2 cas not a number",
        "POST",
        KEEP,
        j({"data": {"a": 1}, "options": {"cas": "abc"}}),
        readback=KEEP,
        exact=True,
    ),
    Bad(
        "kv2 cas mismatch",
        "POST",
        KEEP,
        j({"data": {"a": 1}, "options": {"cas": 99}}),
        readback=KEEP,
        exact=True,
    ),
    Bad(
        "max_versions abc",
        "POST",
        "secret/metadata/badinput/keep",
        j({"max_versions": "abc"}),
        readback="secret/metadata/badinput/keep",
    ),
    Bad(
        "delete_version_after forever",
        "POST",
        "secret/metadata/badinput/keep",
        j({"delete_version_after": "forever"}),
        readback="secret/metadata/badinput/keep",
    ),
    Bad(
        "custom_metadata not a map",
        "POST",
        "secret/metadata/badinput/keep",
        j({"custom_metadata": "x"}),
        readback="secret/metadata/badinput/keep",
    ),
    Bad(
        "config max_versions abc",
        "POST",
        "secret/config",
        j({"max_versions": "abc"}),
        readback="secret/config",
    ),
    Bad(
        "config cas_required maybe",
        "POST",
        "secret/config",
        j({"cas_required": "maybe"}),
        readback="secret/config",
    ),
    Bad("token ttl forever", "POST", "auth/token/create", j({"ttl": "forever"})),
    Bad("token ttl negative", "POST", "auth/token/create", j({"ttl": -5}), exact=True),
    Bad("token policies map", "POST", "auth/token/create", j({"policies": {"a": 1}})),
    Bad("token num_uses text", "POST", "auth/token/create", j({"num_uses": "x"})),
    Bad("token meta string", "POST", "auth/token/create", j({"meta": "x"})),
    Bad(
        "mount ttl forever",
        "POST",
        "sys/mounts/badinput-m",
        j({"type": "kv", "config": {"default_lease_ttl": "forever"}}),
        readback="sys/mounts/badinput-m",
    ),
    Bad(
        "mount type number",
        "POST",
        "sys/mounts/badinput-m",
        j({"type": 5}),
        readback="sys/mounts/badinput-m",
        exact=True,
    ),
    Bad(
        "mount options string",
        "POST",
        "sys/mounts/badinput-m",
        j({"type": "kv", "options": "v2"}),
        readback="sys/mounts/badinput-m",
    ),
    Bad(
        "mount unknown type",
        "POST",
        "sys/mounts/badinput-m",
        j({"type": "nope"}),
        readback="sys/mounts/badinput-m",
        exact=True,
    ),
    Bad(
        "tune ttl forever",
        "POST",
        "sys/mounts/secret/tune",
        j({"max_lease_ttl": "forever"}),
        readback="sys/mounts/secret/tune",
    ),
    Bad(
        "policy number",
        "PUT",
        "sys/policies/acl/badinput-p",
        j({"policy": 5}),
        readback="sys/policies/acl/badinput-p",
    ),
    Bad(
        "policy not hcl",
        "PUT",
        "sys/policies/acl/badinput-p",
        policy("path {"),
        readback="sys/policies/acl/badinput-p",
    ),
    Bad(
        "policy +* glob",
        "PUT",
        "sys/policies/acl/badinput-p",
        policy('path "a/+*" { capabilities = ["read"] }'),
        readback="sys/policies/acl/badinput-p",
        exact=True,
    ),
    Bad(
        "policy bad capability",
        "PUT",
        "sys/policies/acl/badinput-p",
        policy('path "a/*" { capabilities = ["bogus"] }'),
        readback="sys/policies/acl/badinput-p",
    ),
    Bad(
        "policy overwrite with +*",
        "PUT",
        "sys/policies/acl/badinput-keep",
        policy('path "b/+*" { capabilities = ["read"] }'),
        readback="sys/policies/acl/badinput-keep",
    ),
    Bad(
        "policy root",
        "PUT",
        "sys/policies/acl/root",
        policy(POLICY_OK),
        readback="sys/policies/acl/root",
        exact=True,
    ),
    Bad("wrap ttl garbage", "GET", KEEP, headers={"X-Vault-Wrap-TTL": "abc"}),
    Bad("wrap ttl negative", "GET", KEEP, headers={"X-Vault-Wrap-TTL": "-5s"}),
    # unknown mounts and path tricks
    Bad("unknown mount read", "GET", "nosuchmount/x", exact=True),
    Bad("unknown mount write", "POST", "nosuchmount/x", j({"a": 1}), exact=True),
    Bad("dot-dot", "GET", "secret/data/../../sys/mounts"),
    Bad(
        "dot-dot write",
        "POST",
        "secret/data/../../sys/mounts/badinput-dd",
        j({"type": "kv"}),
        readback="sys/mounts/badinput-dd",
    ),
    Bad("double slash", "GET", "secret//data/badinput/keep"),
    Bad("encoded dot-dot", "GET", "secret/data/%2e%2e/%2e%2e/sys/mounts"),
    Bad("encoded dot-dot write", "POST", "secret/data/%2e%2e/badinput/x", j({"data": {"a": 1}})),
    Bad("encoded slash", "GET", "secret/data/badinput%2Fkeep"),
    Bad("trailing dot", "GET", "secret/data/badinput/keep."),
    Bad("trailing dot segment", "GET", "secret/data/badinput/keep/."),
    Bad("nul byte", "GET", "secret/data/%00"),
    Bad("invalid utf-8 escape", "GET", "secret/data/%ff"),
    Bad("very long path", "GET", "secret/data/" + "a" * 20000),
    Bad("very long write path", "POST", "secret/data/" + "b" * 5000, j({"data": {"a": 1}})),
    Bad("sys dot-dot", "GET", "sys/../sys/mounts"),
    # tokens
    Bad("missing token", "GET", KEEP, token="", exact=True),
    Bad("invalid token", "GET", KEEP, token="not-a-token", exact=True),
    Bad("revoked token", "GET", KEEP, token="{revoked}", exact=True),
    Bad("expired token", "GET", KEEP, token="{expired}", exact=True),
    Bad("used-up token", "GET", KEEP, token="{used}", exact=True),
    Bad(
        "lowercase bearer",
        "GET",
        KEEP,
        token="",
        headers={"Authorization": "bearer root-token-for-tests"},
    ),
    Bad("basic auth", "GET", KEEP, token="", headers={"Authorization": "Basic cm9vdDo="}),
    Bad(
        "revoked token write",
        "POST",
        KEEP,
        j({"data": {"v": "x"}}),
        token="{revoked}",
        readback=KEEP,
    ),
    Bad(
        "default policy write",
        "POST",
        KEEP,
        j({"data": {"v": "x"}}),
        token="{limited}",
        readback=KEEP,
    ),
    # methods
    Bad("PUT health", "PUT", "sys/health"),
    Bad("TRACE", "TRACE", KEEP),
    Bad("DELETE seal-status", "DELETE", "sys/seal-status", exact=True),
    Bad("LIST health", "LIST", "sys/health"),
    Bad("LIST data", "LIST", "secret/data/"),
    Bad("LIST lookup-self", "LIST", "auth/token/lookup-self"),
    Bad("LIST kv1 key", "LIST", "cubbyhole/badinput-nothing/"),
    Bad("DELETE kv2 config", "DELETE", "secret/config", readback="secret/config"),
    Bad("PATCH sys/mounts", "PATCH", "sys/mounts/secret", j({}), MERGE),
    Bad("OPTIONS", "OPTIONS", KEEP, exact=True),
    Bad("LIST sys/mounts", "LIST", "sys/mounts"),
    Bad("lone surrogate", "POST", "secret/data/badinput/surrogate", b'{"data":{"a":"\\ud800"}}'),
]

# Cases where sealbox deliberately answers differently from OpenBao, with the reason; their
# status is not compared (the < 500, message and no-change checks still apply).
SEALBOX_ONLY: dict[str, str] = {
    "lone surrogate": "orjson refuses a lone UTF-16 surrogate (400); Go's decoder substitutes "
    "U+FFFD and stores the value (200)",
    "LIST sys/mounts": "bao's LIST appends '/', which no sys pattern matches (404 unsupported "
    "path); sealbox's 'mounts/?' pattern matches and refuses the operation (405)",
    "invalid utf-8 escape": "paths are UTF-8 in sealbox: a path that is not is refused (400) "
    "before routing; Go keeps the raw byte and looks the key up (404)",
}


def raw_request(
    address: str, method: str, path: str, body: bytes | None, headers: Mapping[str, str]
) -> tuple[int, Any]:
    """Send exactly these bytes; return status and parsed body (text when not JSON)."""
    parts = urlsplit(address)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    try:
        conn.putrequest(method, "/v1/" + path, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.putheader("Content-Length", str(len(body or b"")))
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
    finally:
        conn.close()
    try:
        return resp.status, json.loads(data) if data else None
    except ValueError:
        return resp.status, data.decode(errors="replace")


def readback(address: str, path: str) -> tuple[int, Any]:
    status, body = raw_request(
        address, "GET", path, None, {"X-Vault-Token": "root-token-for-tests"}
    )
    if isinstance(body, dict):
        body.pop("request_id", None)
    return status, body


def make_tokens(server: ServerProcess) -> dict[str, str]:
    """Per-server tokens for the token cases: revoked, expired, used up, default-only."""
    s = requests.Session()
    s.headers["X-Vault-Token"] = server.token
    url = f"{server.address}/v1/"

    def create(body: dict[str, Any]) -> str:
        resp = s.post(url + "auth/token/create", json=body, timeout=30)
        resp.raise_for_status()
        return str(resp.json()["auth"]["client_token"])

    revoked = create({"policies": ["default"]})
    s.post(url + "auth/token/revoke", json={"token": revoked}, timeout=30).raise_for_status()
    used = create({"policies": ["default"], "num_uses": 1})
    requests.get(url + "auth/token/lookup-self", headers={"X-Vault-Token": used}, timeout=30)
    expired = create({"policies": ["default"], "ttl": "1s"})
    limited = create({"policies": ["default"]})
    return {"revoked": revoked, "used": used, "expired": expired, "limited": limited}


def prepare(server: ServerProcess) -> dict[str, str]:
    s = requests.Session()
    s.headers["X-Vault-Token"] = server.token
    url = f"{server.address}/v1/"
    s.post(url + KEEP, json={"data": {"v": "orig"}}, timeout=30).raise_for_status()
    s.put(url + "sys/policies/acl/badinput-keep", json={"policy": POLICY_OK}, timeout=30)
    return make_tokens(server)


@pytest.fixture(scope="module")
def prepared(
    diff_sealbox_server: ServerProcess, bao_server: ServerProcess
) -> tuple[dict[str, str], dict[str, str]]:
    ours, theirs = prepare(diff_sealbox_server), prepare(bao_server)
    time.sleep(2)  # let the 1s tokens expire (not a timed assertion: only their state matters)
    return ours, theirs


def send(server: ServerProcess, case: Bad, tokens: Mapping[str, str]) -> tuple[int, Any]:
    headers = dict(case.headers)
    token = case.token
    for name, value in tokens.items():
        token = token.replace("{" + name + "}", value)
    if token == "root":
        token = server.token
    if token:
        headers["X-Vault-Token"] = token
    return raw_request(server.address, case.method, case.path, case.body, headers)


def errors_of(body: Any) -> list[str] | None:
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        return [str(e) for e in body["errors"]]
    return None


def bao_text(message: str) -> str:
    """bao's text without go-multierror's layout (see diff_harness.KNOWN_MESSAGE_REWRITES)."""
    if message.startswith("1 error occurred:\n\t* "):
        return message.removeprefix("1 error occurred:\n\t* ").rstrip("\n")
    return message


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(
    case: Bad,
    diff_sealbox_server: ServerProcess,
    bao_server: ServerProcess,
    prepared: tuple[dict[str, str], dict[str, str]],
) -> None:
    ours_tokens, theirs_tokens = prepared
    before = readback(diff_sealbox_server.address, case.readback) if case.readback else None
    status, body = send(diff_sealbox_server, case, ours_tokens)
    bao_status, bao_body = send(bao_server, case, theirs_tokens)

    assert status < 500, (status, body)
    if case.name not in SEALBOX_ONLY:
        assert status == bao_status, (
            f"sealbox {status} {body!r:.300} / bao {bao_status} {bao_body!r:.300}"
        )
    if status >= 400:
        ours_errors, theirs_errors = errors_of(body), errors_of(bao_body)
        if theirs_errors is not None or status not in (404, 405):
            assert ours_errors is not None, body
        if theirs_errors and any(theirs_errors):
            assert ours_errors, theirs_errors
            assert all(ours_errors), (ours_errors, theirs_errors)
        if case.exact:
            assert ours_errors == [bao_text(e) for e in theirs_errors or []]
    if case.readback:
        assert readback(diff_sealbox_server.address, case.readback) == before


def test_body_over_32_mib_is_refused(
    diff_sealbox_server: ServerProcess, bao_server: ServerProcess
) -> None:
    big = b'{"data":{"a":"' + b"x" * (33 * 1024 * 1024) + b'"}}'
    answers = []
    for server in (diff_sealbox_server, bao_server):
        resp = requests.post(
            f"{server.address}/v1/secret/data/badinput/big",
            data=big,
            headers={"X-Vault-Token": server.token},
            timeout=120,
        )
        answers.append((resp.status_code, resp.json()["errors"]))
        missing = requests.get(
            f"{server.address}/v1/secret/data/badinput/big",
            headers={"X-Vault-Token": server.token},
            timeout=30,
        )
        assert missing.status_code == 404
    assert answers[0] == answers[1] == (413, ["http: request body too large"])


def test_chunked_body_over_32_mib_is_refused(diff_sealbox_server: ServerProcess) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"data":{"a":"'
        for _ in range(40):
            yield b"x" * (1024 * 1024)
        yield b'"}}'

    resp = requests.post(
        f"{diff_sealbox_server.address}/v1/secret/data/badinput/chunked",
        data=chunks(),
        headers={"X-Vault-Token": diff_sealbox_server.token},
        timeout=120,
    )
    assert resp.status_code == 413
    assert resp.json() == {"errors": ["http: request body too large"]}
