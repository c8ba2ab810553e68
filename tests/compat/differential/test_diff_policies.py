"""Differential test: ACL and legacy policy endpoints and the capabilities endpoints."""

from __future__ import annotations

import pytest
from tests.compat.differential.diff_harness import Step, Target, report, run_steps, step

pytestmark = pytest.mark.compat

HCL = 'path "secret/data/diff/*" {\n  capabilities = ["read", "list"]\n}\n'
JSON_POLICY = '{"path": {"secret/+/diff": {"capabilities": ["create", "update"]}}}'

POLICY_STEPS: list[Step] = [
    step("PUT", "sys/policies/acl/diff-hcl", {"policy": HCL}),
    step("GET", "sys/policies/acl/diff-hcl", values=True),
    step("PUT", "sys/policies/acl/diff-json", {"policy": JSON_POLICY}),
    step("GET", "sys/policies/acl/diff-json", values=True),
    step("LIST", "sys/policies/acl", values=True),
    step("GET", "sys/policies/acl", query={"list": "true"}, values=True),
    step("GET", "sys/policies/acl/missing"),
    step("GET", "sys/policies/acl/root", values=True),
    step("GET", "sys/policies/acl/default"),
    step("PUT", "sys/policies/acl/root", {"policy": HCL}, exact_errors=True),
    step("DELETE", "sys/policies/acl/root", exact_errors=True),
    step("DELETE", "sys/policies/acl/default", exact_errors=True),
    step("PUT", "sys/policies/acl/diff-bad", {"policy": 'path "x" { capabilities = ["bogus"] }'}),
    step("PUT", "sys/policies/acl/diff-bad", {"policy": "not hcl {"}),
    step("PUT", "sys/policies/acl/diff-bad", {}),
    step("GET", "sys/policies/acl/diff-bad"),
    step("PUT", "sys/policies/acl/Diff-Upper", {"policy": HCL}),
    step("GET", "sys/policies/acl/diff-upper", values=True),
    step("GET", "sys/policy", values=True),
    step("GET", "sys/policy/diff-hcl", values=True),
    step("PUT", "sys/policy/diff-legacy", {"policy": HCL}),
    step("PUT", "sys/policy/diff-legacy", {"rules": HCL}),
    step("GET", "sys/policy/diff-legacy", values=True),
    step("DELETE", "sys/policy/diff-legacy"),
    step("GET", "sys/policy/diff-legacy"),
    step("POST", "sys/capabilities-self", {"paths": ["secret/data/diff/x"]}, values=True),
    step("POST", "sys/capabilities-self", {"path": "secret/data/diff/x"}, values=True),
    step(
        "POST",
        "auth/token/create",
        {"policies": ["diff-hcl", "diff-json"]},
        save={"t": "auth.client_token", "a": "auth.accessor"},
    ),
    step(
        "POST",
        "sys/capabilities",
        {"token": "{t}", "paths": ["secret/data/diff/x", "secret/x/diff", "sys/mounts"]},
        values=True,
    ),
    step(
        "POST", "sys/capabilities-self", {"paths": ["secret/data/diff/x"]}, token="{t}", values=True
    ),
    step(
        "POST",
        "sys/capabilities-accessor",
        {"accessor": "{a}", "paths": ["secret/data/diff/x", "cubbyhole/x"]},
        values=True,
    ),
    step("GET", "secret/data/diff/x", token="{t}"),
    step("POST", "secret/data/diff/x", {"data": {"a": 1}}, token="{t}", exact_errors=True),
    step("GET", "sys/mounts", token="{t}", exact_errors=True),
    step("POST", "sys/capabilities", {"token": "nope", "paths": ["x"]}),
    step("POST", "sys/capabilities-accessor", {"accessor": "nope", "paths": ["x"]}),
    step("DELETE", "sys/policies/acl/diff-hcl"),
    step("DELETE", "sys/policies/acl/diff-json"),
    step("DELETE", "sys/policies/acl/diff-upper"),
    step("DELETE", "sys/policies/acl/never-existed"),
]


def test_policies_match_openbao(pair: tuple[Target, Target]) -> None:
    problems, _ = run_steps(*pair, POLICY_STEPS)
    assert not problems, report(problems)
