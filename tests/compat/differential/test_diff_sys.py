"""Differential test: health (with query overrides), seal-status, leader, key-status, init, unseal."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.compat.differential.diff_harness import Step, Target, report, run_steps, step

pytestmark = pytest.mark.compat

SYS_STEPS: list[Step] = [
    step("GET", "sys/health", token=""),
    step("HEAD", "sys/health", token=""),
    step("GET", "sys/health", token="", query={"activecode": "299"}),
    step("GET", "sys/health", token="", query={"standbyok": "true", "sealedcode": "500"}),
    step("GET", "sys/health", token="", query={"uninitcode": "299", "perfstandbyok": "true"}),
    step("GET", "sys/health", token="", query={"activecode": "abc"}),
    step("GET", "sys/seal-status", token=""),
    step("GET", "sys/leader", token=""),
    step("GET", "sys/init", token="", values=True),
    step(
        "PUT", "sys/init", {"secret_shares": 1, "secret_threshold": 1}, token="", exact_errors=True
    ),
    step("PUT", "sys/unseal", {"key": "00"}, token=""),
    step("PUT", "sys/unseal", {"reset": True}, token=""),
    step("GET", "sys/key-status", values=True),
    step("GET", "sys/key-status", token=""),
    step("POST", "sys/seal-status", token=""),
    step("GET", "sys/host-info", status_only=True),
    step("GET", "sys/mounts", token=""),
    step("GET", "sys/mounts", token="bogus-token", exact_errors=True),
    step("GET", "sys/mounts", token="", headers={"Authorization": "Bearer root-token-for-tests"}),
    step("GET", "no/such/mount"),
    step("GET", "sys/no-such-endpoint"),
    step("POST", "sys/tools/hash", {"input": "aGVsbG8="}, status_only=True),
    # the intended differences (see diff_harness.KNOWN_DIFFERENCES)
    step("PUT", "sys/audit/diff-file", {"type": "file", "options": {"file_path": "{audit}"}}),
    step("DELETE", "sys/audit/diff-file"),
    step("GET", "sys/audit", values=True),
    step("GET", "sys/rekey/init", token=""),
    step("GET", "sys/generate-root/attempt", token=""),
]


def test_sys_matches_openbao(pair: tuple[Target, Target], tmp_path: Path) -> None:
    for target in pair:
        target.saved["audit"] = str(tmp_path / f"{target.name}-audit.log")
    problems, _ = run_steps(*pair, SYS_STEPS)
    assert not problems, report(problems)
