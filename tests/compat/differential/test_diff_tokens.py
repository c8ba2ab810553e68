"""Differential test: the token store (create, lookup, renew, revoke, roles, accessors)."""

from __future__ import annotations

import pytest
from tests.compat.differential.diff_harness import Step, Target, report, run_steps, step

pytestmark = pytest.mark.compat

T = "auth/token"
TOKEN_STEPS: list[Step] = [
    step("GET", f"{T}/lookup-self", values=True),
    step(
        "POST",
        f"{T}/create",
        {"policies": ["default"], "meta": {"app": "diff"}, "ttl": "1h", "display_name": "d"},
        save={"tok": "auth.client_token", "acc": "auth.accessor"},
        values=True,
    ),
    step("POST", f"{T}/lookup", {"token": "{tok}"}, values=True),
    step("GET", f"{T}/lookup", query={"token": "{tok}"}, values=True),
    step("GET", f"{T}/lookup", query={"token": "bogus"}, exact_errors=True),
    step("POST", f"{T}/lookup-accessor", {"accessor": "{acc}"}, values=True),
    step("GET", f"{T}/lookup-self", token="{tok}", values=True),
    step("POST", f"{T}/renew", {"token": "{tok}", "increment": "30m"}, values=True),
    step("POST", f"{T}/renew-self", {"increment": "10m"}, token="{tok}"),
    step("POST", f"{T}/renew-accessor", {"accessor": "{acc}"}),
    step("POST", f"{T}/create", {"ttl": "1h"}, token="{tok}", save={"child": "auth.client_token"}),
    step("POST", f"{T}/create-orphan", {"ttl": "1h"}, save={"orph": "auth.client_token"}),
    step("POST", f"{T}/lookup", {"token": "{orph}"}, values=True),
    step("POST", f"{T}/revoke", {"token": "{tok}"}),
    step("POST", f"{T}/lookup", {"token": "{tok}"}, exact_errors=True),
    step("POST", f"{T}/lookup", {"token": "{child}"}, exact_errors=True),
    step("GET", f"{T}/lookup-self", token="{tok}", exact_errors=True),
    step("POST", f"{T}/lookup-accessor", {"accessor": "{acc}"}),
    step(
        "POST",
        f"{T}/create",
        {"num_uses": 2, "policies": ["default"]},
        save={"u": "auth.client_token"},
    ),
    step("GET", f"{T}/lookup-self", token="{u}", values=True),
    step("GET", f"{T}/lookup-self", token="{u}"),
    step("GET", f"{T}/lookup-self", token="{u}", exact_errors=True),
    step(
        "POST", f"{T}/create", {"ttl": "1h"}, save={"p": "auth.client_token", "pa": "auth.accessor"}
    ),
    step("POST", f"{T}/create", {"ttl": "1h"}, token="{p}", save={"c": "auth.client_token"}),
    step("POST", f"{T}/revoke-orphan", {"token": "{p}"}),
    step("POST", f"{T}/lookup", {"token": "{c}"}, values=True),
    step("POST", f"{T}/revoke-accessor", {"accessor": "{pa}"}),
    step("POST", f"{T}/create", {"ttl": "1h"}, save={"s": "auth.client_token"}),
    step("POST", f"{T}/revoke-self", token="{s}"),
    step("GET", f"{T}/lookup-self", token="{s}", exact_errors=True),
    step("POST", f"{T}/create", {"explicit_max_ttl": "2h", "period": "1h", "renewable": True}),
    step("POST", f"{T}/create", {"no_default_policy": True, "policies": ["default", "x"]}),
    step("POST", f"{T}/create", {"policies": ["root"]}, token="{orph}"),
    step("POST", f"{T}/lookup", {"token": "nope"}, exact_errors=True),
    step("POST", f"{T}/lookup", {}),
    step("POST", f"{T}/lookup-accessor", {"accessor": "nope"}),
    step("POST", f"{T}/revoke", {"token": "nope"}),
    step("LIST", f"{T}/accessors", status_only=True),
    step("GET", f"{T}/accessors", query={"list": "true"}, status_only=True),
    step("GET", f"{T}/accessors"),
]

ROLE_STEPS: list[Step] = [
    step("LIST", f"{T}/roles"),
    step(
        "POST",
        f"{T}/roles/diffrole",
        {"allowed_policies": ["default", "p1"], "orphan": True, "token_period": "1h"},
    ),
    step("GET", f"{T}/roles/diffrole", values=True),
    step("LIST", f"{T}/roles", values=True),
    step(
        "POST",
        f"{T}/create/diffrole",
        {"policies": ["p1"]},
        save={"r": "auth.client_token"},
        values=True,
    ),
    step("POST", f"{T}/lookup", {"token": "{r}"}, values=True),
    step("POST", f"{T}/create/diffrole", {"policies": ["other"]}),
    step("POST", f"{T}/create/missingrole", {}),
    step("GET", f"{T}/roles/missingrole"),
    step("DELETE", f"{T}/roles/diffrole"),
    step("GET", f"{T}/roles/diffrole"),
    step("DELETE", f"{T}/roles/diffrole"),
]


@pytest.mark.parametrize("steps", [TOKEN_STEPS, ROLE_STEPS], ids=["tokens", "roles"])
def test_tokens_match_openbao(pair: tuple[Target, Target], steps: list[Step]) -> None:
    problems, _ = run_steps(*pair, steps)
    assert not problems, report(problems)
