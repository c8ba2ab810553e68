"""Differential test: the same kv/cubbyhole steps against a real ``bao server -dev`` and ours.

The adapter turns each (operation, path, data) step into an HTTP call to OpenBao (reads and
lists send ``data`` as the query string, PATCH uses the merge-patch content type) and into a
``handle()`` call on our backend, then compares status codes, whether the body is an error or
an envelope, the envelope's ``data`` keys and JSON types, and (where marked) exact messages.
Skipped when the ``bao`` binary is not installed.

Known, deliberate difference: OpenBao answers PATCH of an unknown key with a 404 and an empty
body; we raise NotFound, rendered ``{"errors": []}``. The adapter treats both as the same.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.ports import free_port
from tests.unit.engines.harness import FakeClock, Outcome, TokenEntry, call, make_config, shape

from sealbox.engines.cubbyhole import CubbyholeEngine
from sealbox.engines.kv import KVv1Engine, KVv2Engine
from sealbox.framework import Backend
from sealbox.logical import Operation

pytestmark = pytest.mark.compat

R, W, P, D, L = (
    Operation.READ,
    Operation.UPDATE,
    Operation.PATCH,
    Operation.DELETE,
    Operation.LIST,
)
_METHODS = {R: "GET", W: "POST", P: "PATCH", D: "DELETE", L: "LIST"}


@dataclass(frozen=True)
class Step:
    operation: Operation
    path: str
    data: dict[str, Any] | None = None
    exact: bool = False


def _bao_binary() -> str | None:
    beside = Path(sys.executable).parent / "bao"
    return str(beside) if beside.exists() else shutil.which("bao")


@pytest.fixture(scope="module")
def bao() -> Iterator[httpx.Client]:
    binary = _bao_binary()
    if binary is None:
        pytest.skip("bao is not installed")
    port = free_port()
    proc = subprocess.Popen(
        [
            binary,
            "server",
            "-dev",
            "-dev-root-token-id=root",
            f"-dev-listen-address=127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = httpx.Client(
        base_url=f"http://127.0.0.1:{port}/v1/", headers={"X-Vault-Token": "root"}
    )
    try:
        for _ in range(200):
            try:
                if client.get("sys/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        else:
            pytest.skip("bao did not start")
        for mount, version in (("kv1", "1"), ("kv2", "2")):
            body = {"type": "kv", "options": {"version": version}}
            client.post(f"sys/mounts/{mount}", json=body).raise_for_status()
        yield client
    finally:
        client.close()
        proc.terminate()
        proc.wait(timeout=30)


def bao_call(client: httpx.Client, mount: str, step: Step) -> Outcome:
    url = f"{mount}/{step.path}"
    method = _METHODS[step.operation]
    if step.operation in (R, L):
        params = {k: str(v) for k, v in (step.data or {}).items()}
        resp = client.request(method, url, params=params)
    else:
        headers = {"Content-Type": "application/merge-patch+json"} if step.operation is P else {}
        resp = client.request(method, url, json=step.data, headers=headers)
    body: dict[str, Any] = resp.json() if resp.content else {}
    if "errors" in body or (resp.status_code == 404 and not body):
        return Outcome(resp.status_code, errors=body.get("errors", []))
    if not body:
        return Outcome(resp.status_code)
    return Outcome(
        resp.status_code,
        data=body["data"],
        warnings=body["warnings"] or [],
        lease_duration=body["lease_duration"],
        envelope=True,
    )


_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$")


def without_times(value: Any) -> Any:
    """``value`` with every RFC3339 timestamp replaced (the clocks differ)."""
    if isinstance(value, dict):
        return {k: without_times(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_times(v) for v in value]
    if isinstance(value, str) and _TIME.match(value):
        return "<time>"
    return value


def compare(ours: Outcome, theirs: Outcome, step: Step) -> None:
    where = f"{step.operation.value} {step.path}"
    assert ours.status == theirs.status, where
    assert ours.envelope == theirs.envelope, where
    assert shape(ours.data) == shape(theirs.data), where
    assert without_times(ours.data) == without_times(theirs.data), where
    assert bool(ours.warnings) == bool(theirs.warnings), where
    assert bool(ours.errors) == bool(theirs.errors), where
    if step.exact:
        assert ours.errors == theirs.errors, where


KV2_STEPS = [
    Step(R, "data/never"),
    Step(W, "data/s", {"data": {"a": "b", "n": {"x": 1}}}),
    Step(R, "data/s"),
    Step(W, "data/s", {"data": {"a": "c"}, "options": {"cas": 1}}),
    Step(W, "data/s", {"data": {"a": "c"}, "options": {"cas": 1}}, exact=True),
    Step(W, "data/s", {"data": {"a": "c"}, "options": {"cas": "x"}}, exact=True),
    Step(W, "data/s", {"nodata": 1}, exact=True),
    Step(W, "data/s", {"data": {"a": 1}, "foo": "bar"}),
    Step(R, "data/s", {"version": 1}),
    Step(R, "data/s", {"version": 9}),
    Step(R, "data/s", {"version": "abc"}),
    Step(P, "data/s", {"data": {"a": None, "b": "x"}}),
    Step(R, "data/s"),
    Step(P, "data/nope", {"data": {"a": 1}}),
    Step(D, "data/s"),
    Step(R, "data/s"),
    Step(R, "subkeys/s"),
    Step(P, "data/s", {"data": {"a": 1}}),
    Step(R, "metadata/s"),
    Step(W, "destroy/s", {"versions": [1]}),
    Step(W, "destroy/s", {"versions": [1]}),
    Step(R, "data/s", {"version": 1}),
    Step(W, "undelete/s", {"versions": [4]}),
    Step(R, "data/s"),
    Step(R, "subkeys/s", {"depth": 1}),
    Step(R, "subkeys/s", {"version": 1}),
    Step(R, "subkeys/nope"),
    Step(W, "delete/s", {}, exact=True),
    Step(W, "destroy/s", {"versions": []}, exact=True),
    Step(W, "delete/s", {"versions": "2,3"}),
    Step(R, "metadata/s"),
    Step(W, "data/dir/", {"data": {"a": 1}}, exact=True),
    Step(W, "metadata/m", {"max_versions": 2, "custom_metadata": {"k": "v"}, "cas_required": True}),
    Step(R, "metadata/m"),
    Step(R, "data/m"),
    Step(W, "data/m", {"data": {"a": 1}}, exact=True),
    Step(W, "data/m", {"data": {"a": 1}, "options": {"cas": 0}}),
    Step(W, "data/m", {"data": {"a": 2}, "options": {"cas": 1}}),
    Step(W, "data/m", {"data": {"a": 3}, "options": {"cas": 2}}),
    Step(R, "metadata/m"),
    Step(W, "metadata/m", {"custom_metadata": {"n": None}}, exact=True),
    Step(W, "metadata/m", {"custom_metadata": "x"}),
    Step(P, "metadata/m", {"custom_metadata": {"k": None, "z": "y"}, "max_versions": 5}),
    Step(P, "metadata/nope", {"max_versions": 5}),
    Step(R, "metadata/m"),
    Step(L, "metadata/"),
    Step(L, "metadata/", {"limit": 1}),
    Step(L, "metadata/nothing/"),
    Step(L, "detailed-metadata/"),
    Step(D, "metadata/m"),
    Step(R, "metadata/m"),
    Step(R, "metadata/"),
    Step(R, "config"),
    Step(W, "config", {"max_versions": 4, "delete_version_after": "2h"}),
    Step(R, "config"),
    Step(W, "config", {"max_versions": "abc"}),
    Step(W, "config", {"max_versions": 0, "delete_version_after": "0s"}),
    Step(R, "s"),
    Step(W, "s", {"a": 1}),
    Step(L, "data/"),
]

KV1_STEPS = [
    Step(R, "foo"),
    Step(W, "foo", {"a": "b", "ttl": "1h"}),
    Step(R, "foo"),
    Step(W, "foo", {"c": 1}),
    Step(R, "foo"),
    Step(W, "dir/x", {"c": 1}),
    Step(L, "dir/"),
    Step(L, "nothing/"),
    Step(W, "empty", {}, exact=True),
    Step(W, "dir/", {"a": 1}, exact=True),
    Step(P, "foo", {"a": 1}),
    Step(D, "foo"),
    Step(R, "foo"),
]

CUBBYHOLE_STEPS = [
    Step(R, "x"),
    Step(W, "x", {"a": 1, "ttl": "1h"}),
    Step(R, "x"),
    Step(W, "d/", {"a": 1}, exact=True),
    Step(L, ""),
    Step(L, "none/"),
    Step(D, "x"),
    Step(R, "x"),
]


def run_both(client: httpx.Client, mount: str, backend: Backend, steps: list[Step]) -> None:
    entry = TokenEntry("root-cubby")
    for step in steps:
        theirs = bao_call(client, mount, step)
        ours = call(backend, step.operation, step.path, step.data, token_entry=entry)
        compare(ours, theirs, step)
        has_ttl = "ttl" in (theirs.data or {})
        if mount == "kv1" and step.operation is R and theirs.status == 200 and has_ttl:
            assert ours.lease_duration == theirs.lease_duration


def test_kv2_matches_openbao(bao: httpx.Client) -> None:
    run_both(bao, "kv2", KVv2Engine(make_config({"version": "2"}), clock=FakeClock()), KV2_STEPS)


def test_kv1_matches_openbao(bao: httpx.Client) -> None:
    run_both(bao, "kv1", KVv1Engine(make_config({"version": "1"})), KV1_STEPS)


def test_cubbyhole_matches_openbao(bao: httpx.Client) -> None:
    run_both(
        bao, "cubbyhole", CubbyholeEngine(make_config(mount_type="cubbyhole")), CUBBYHOLE_STEPS
    )
