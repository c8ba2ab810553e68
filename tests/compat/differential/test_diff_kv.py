"""Differential test: KV v1 and KV v2, every endpoint, against OpenBao's dev server."""

from __future__ import annotations

import pytest
from tests.compat.differential.diff_harness import Step, Target, report, run_steps, step

pytestmark = pytest.mark.compat

MERGE = "application/merge-patch+json"

KV1 = "diff-kv1"
KV1_STEPS: list[Step] = [
    step("POST", f"sys/mounts/{KV1}", {"type": "kv", "options": {"version": "1"}}),
    step("GET", f"{KV1}/missing"),
    step("POST", f"{KV1}/app/db", {"user": "u", "n": 3, "nested": {"a": [1, 2]}}),
    step("PUT", f"{KV1}/app/other", {"x": "y"}),
    step("GET", f"{KV1}/app/db", values=True),
    step("LIST", f"{KV1}/app", values=True),
    step("GET", f"{KV1}/app/", query={"list": "true"}, values=True),
    step("LIST", f"{KV1}/nothing-here/"),
    step("PATCH", f"{KV1}/app/db", {"user": "v"}, content_type=MERGE),
    step("DELETE", f"{KV1}/app/db"),
    step("GET", f"{KV1}/app/db"),
    step("DELETE", f"{KV1}/app/db"),
    step("POST", f"{KV1}/app/empty", {}),
    step("GET", f"{KV1}/app/empty", values=True),
    step("DELETE", f"sys/mounts/{KV1}"),
]

KV2 = "diff-kv2"
KV2_STEPS: list[Step] = [
    step("POST", f"sys/mounts/{KV2}", {"type": "kv", "options": {"version": "2"}}),
    step("GET", f"{KV2}/config", values=True),
    step("POST", f"{KV2}/config", {"max_versions": 5, "cas_required": False}),
    step("GET", f"{KV2}/config", values=True),
    step("GET", f"{KV2}/data/missing"),
    step("POST", f"{KV2}/data/app", {"data": {"user": "a", "n": 1}}, values=True),
    step("POST", f"{KV2}/data/app", {"data": {"user": "b", "n": 2}}),
    step("POST", f"{KV2}/data/app", {"data": {"user": "c"}, "options": {"cas": 1}}),
    step("POST", f"{KV2}/data/app", {"data": {"user": "c"}, "options": {"cas": 2}}),
    step("GET", f"{KV2}/data/app", values=True),
    step("GET", f"{KV2}/data/app", query={"version": "1"}, values=True),
    step("GET", f"{KV2}/data/app", query={"version": "99"}),
    step("PATCH", f"{KV2}/data/app", {"data": {"n": None, "extra": {"k": "v"}}}, exact_errors=True),
    step(
        "PATCH",
        f"{KV2}/data/app",
        {"data": {"n": 3}},
        content_type="application/json",
        exact_errors=True,
    ),
    step("PATCH", f"{KV2}/metadata/app", {"max_versions": 2}, content_type="text/plain"),
    step("PATCH", f"{KV2}/data/app", {"data": {"n": 5}}, content_type=MERGE, values=True),
    step("PATCH", f"{KV2}/data/app", {"data": {"n": None}}, content_type=MERGE),
    step("PATCH", f"{KV2}/data/nope", {"data": {"n": 1}}, content_type=MERGE),
    step("GET", f"{KV2}/data/app", values=True),
    step("GET", f"{KV2}/subkeys/app", values=True),
    step("GET", f"{KV2}/subkeys/app", query={"depth": "1"}, values=True),
    step("GET", f"{KV2}/subkeys/missing"),
    step("GET", f"{KV2}/metadata/app", values=True),
    step("LIST", f"{KV2}/metadata/", values=True),
    step("LIST", f"{KV2}/metadata/none/"),
    step("POST", f"{KV2}/metadata/app", {"max_versions": 3, "custom_metadata": {"o": "t"}}),
    step("POST", f"{KV2}/metadata/app", {"delete_version_after": "1h"}),
    step("PATCH", f"{KV2}/metadata/app", {"custom_metadata": {"p": "q"}}, content_type=MERGE),
    step("GET", f"{KV2}/metadata/app", values=True),
    step("DELETE", f"{KV2}/data/app"),
    step("GET", f"{KV2}/data/app", values=True),
    step("POST", f"{KV2}/undelete/app", {"versions": [5]}),
    step("GET", f"{KV2}/data/app", values=True),
    step("POST", f"{KV2}/delete/app", {"versions": [1, 2]}),
    step("POST", f"{KV2}/delete/app", {}),
    step("POST", f"{KV2}/undelete/app", {}),
    step("POST", f"{KV2}/destroy/app", {"versions": [2]}),
    step("GET", f"{KV2}/data/app", query={"version": "2"}, values=True),
    step("POST", f"{KV2}/destroy/app", {}),
    step("GET", f"{KV2}/metadata/app", values=True),
    step("POST", f"{KV2}/config", {"cas_required": True}),
    step("POST", f"{KV2}/data/cas", {"data": {"a": 1}}, exact_errors=True),
    step("POST", f"{KV2}/data/cas", {"data": {"a": 1}, "options": {"cas": 0}}),
    step("POST", f"{KV2}/data/cas", {"data": {"a": 2}, "options": {"cas": 0}}, exact_errors=True),
    step("DELETE", f"{KV2}/metadata/app"),
    step("GET", f"{KV2}/metadata/app"),
    step("GET", f"{KV2}/data/app"),
    step("POST", f"{KV2}/data/", {"data": {"a": 1}}),
    step("GET", f"{KV2}/bogus/app"),
    step("DELETE", f"sys/mounts/{KV2}"),
]

CUBBY_STEPS: list[Step] = [
    step("POST", "cubbyhole/diff/one", {"k": "v"}),
    step("GET", "cubbyhole/diff/one", values=True),
    step("LIST", "cubbyhole/diff/", values=True),
    step("DELETE", "cubbyhole/diff/one"),
    step("GET", "cubbyhole/diff/one"),
    step("LIST", "cubbyhole/diff/"),
]


@pytest.mark.parametrize(
    "steps", [KV1_STEPS, KV2_STEPS, CUBBY_STEPS], ids=["kv1", "kv2", "cubbyhole"]
)
def test_kv_matches_openbao(pair: tuple[Target, Target], steps: list[Step]) -> None:
    problems, _ = run_steps(*pair, steps)
    assert not problems, report(problems)
