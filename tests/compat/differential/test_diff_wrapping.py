"""Differential test: response wrapping (header on any request, sys/wrapping/*)."""

from __future__ import annotations

import pytest
from tests.compat.differential.diff_harness import Step, Target, report, run_steps, step

pytestmark = pytest.mark.compat

W = {"X-Vault-Wrap-TTL": "5m"}
WRAP_STEPS: list[Step] = [
    step("POST", "sys/wrapping/wrap", {"k": "v", "n": 1}, headers=W, save={"w": "wrap_info.token"}),
    step("POST", "sys/wrapping/lookup", {"token": "{w}"}, values=True),
    step("POST", "sys/wrapping/lookup", {}, token="", headers={}, exact_errors=False),
    step("POST", "sys/wrapping/rewrap", {"token": "{w}"}, save={"w2": "wrap_info.token"}),
    step("POST", "sys/wrapping/unwrap", {"token": "{w}"}, exact_errors=True),
    step("POST", "sys/wrapping/unwrap", {"token": "{w2}"}, values=True),
    step("POST", "sys/wrapping/unwrap", {"token": "{w2}"}, exact_errors=True),
    step("POST", "sys/wrapping/wrap", {"k": "v"}),
    step("POST", "sys/wrapping/wrap", {"k": "v"}, headers={"X-Vault-Wrap-TTL": "bogus"}),
    step("POST", "sys/wrapping/unwrap", {"token": "nope"}),
    step("POST", "sys/wrapping/lookup", {"token": "nope"}),
    step("POST", "secret/data/diff-wrap", {"data": {"a": 1}}),
    step("GET", "secret/data/diff-wrap", headers=W, save={"w3": "wrap_info.token"}, values=True),
    step("POST", "sys/wrapping/unwrap", token="{w3}", values=True),
    step("POST", "auth/token/create", {"ttl": "1h"}, headers=W, save={"w4": "wrap_info.token"}),
    step("POST", "sys/wrapping/unwrap", {"token": "{w4}"}),
    step("LIST", "secret/metadata/", headers=W, save={"w5": "wrap_info.token"}),
    step("POST", "sys/wrapping/unwrap", {"token": "{w5}"}, values=True),
    step("DELETE", "secret/metadata/diff-wrap"),
]


def test_wrapping_matches_openbao(pair: tuple[Target, Target]) -> None:
    problems, _ = run_steps(*pair, WRAP_STEPS)
    assert not problems, report(problems)
