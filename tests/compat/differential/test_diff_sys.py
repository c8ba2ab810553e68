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
    step("GET", "sys/mounts", token=""),
    step("GET", "sys/mounts", token="bogus-token", exact_errors=True),
    step("GET", "sys/mounts", token="", headers={"Authorization": "Bearer root-token-for-tests"}),
    step("GET", "no/such/mount"),
    step("GET", "sys/no-such-endpoint"),
    step("GET", "sys/audit", values=True),
]


def test_sys_matches_openbao(pair: tuple[Target, Target], tmp_path: Path) -> None:
    for target in pair:
        target.saved["audit"] = str(tmp_path / f"{target.name}-audit.log")
    problems, _ = run_steps(*pair, SYS_STEPS)
    assert not problems, report(problems)


def test_intended_differences_are_what_we_say(pair: tuple[Target, Target], tmp_path: Path) -> None:
    """The divergences KNOWN_DIFFERENCES masks, asserted side by side instead of skipped."""
    ours, theirs = pair
    audit = {"type": "file", "options": {"file_path": str(tmp_path / "audit.log")}}
    enabled = step("PUT", "sys/audit/diff-file", audit)
    # OpenBao refuses API-enabled audit devices (CVE-2025-54997); sealbox confines them.
    assert theirs.send(enabled).status == 400
    assert ours.send(enabled).status == 204
    assert (tmp_path / "audit.log").exists()
    assert ours.send(step("DELETE", "sys/audit/diff-file")).status == 204
    # OpenBao disables unauthenticated rekey/generate-root by default; sealbox serves them.
    for path in ("sys/rekey/init", "sys/generate-root/attempt"):
        assert theirs.send(step("GET", path, token="")).status == 405
        answer = ours.send(step("GET", path, token=""))
        assert answer.status == 200
        assert answer.body["started"] is False
    # sys/host-info and sys/tools/* exist in OpenBao only.
    for probe in (step("GET", "sys/host-info"), step("POST", "sys/tools/hash", {"input": "aGk="})):
        assert theirs.send(probe).status == 200
        assert ours.send(probe).status == 404
