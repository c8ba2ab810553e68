"""Differential test: secret and auth mounts, tuning, remounting and internal/ui/mounts."""

from __future__ import annotations

import pytest
from tests.compat.differential.diff_harness import Step, Target, report, run_steps, step

pytestmark = pytest.mark.compat

M = "diff-mnt"
MOUNT_STEPS: list[Step] = [
    step("GET", "sys/mounts"),
    step(
        "POST", f"sys/mounts/{M}", {"type": "kv", "description": "d", "options": {"version": "2"}}
    ),
    step("POST", f"sys/mounts/{M}", {"type": "kv"}, exact_errors=True),
    step("GET", f"sys/mounts/{M}"),
    step("GET", f"sys/mounts/{M}/tune", values=True),
    step("POST", f"sys/mounts/{M}/tune", {"default_lease_ttl": "1h", "max_lease_ttl": "2h"}),
    step("POST", f"sys/mounts/{M}/tune", {"description": "new", "options": {"version": "2"}}),
    step("GET", f"sys/mounts/{M}/tune", values=True),
    step("POST", f"sys/mounts/{M}/tune", {"default_lease_ttl": "3h"}),
    step("POST", f"sys/mounts/{M}/tune", {"max_lease_ttl": "forever"}),
    step("GET", f"sys/internal/ui/mounts/{M}", values=True),
    step("GET", f"sys/internal/ui/mounts/{M}/some/key"),
    step("GET", "sys/internal/ui/mounts/secret", values=True),
    step("GET", "sys/internal/ui/mounts/nowhere"),
    step("GET", "sys/internal/ui/mounts"),
    step("POST", f"{M}/data/a", {"data": {"x": 1}}),
    step("POST", "sys/remount", {"from": M, "to": f"{M}-moved"}, status_only=True),
    step("GET", "sys/remount/status/{mid}", status_only=True),
    step("GET", f"{M}-moved/data/a", values=True),
    step("GET", f"{M}/data/a"),
    step("POST", "sys/remount", {"from": "nowhere", "to": "x-diff"}),
    step("POST", "sys/remount", {"from": f"{M}-moved", "to": "sys/x"}),
    step("POST", "sys/mounts/sys", {"type": "kv"}),
    step("POST", "sys/mounts/diff-bad", {"type": "no-such-engine"}),
    step("POST", "sys/mounts/diff-bad", {}),
    step("DELETE", "sys/mounts/sys"),
    step("DELETE", "sys/mounts/cubbyhole"),
    step("DELETE", f"sys/mounts/{M}-moved"),
    step("DELETE", "sys/mounts/never-mounted"),
    step("GET", f"sys/mounts/{M}-moved"),
    step("POST", f"sys/mounts/{M}-v1", {"type": "kv-v1"}, status_only=True),
    step("DELETE", f"sys/mounts/{M}-v1"),
    step("GET", "sys/auth"),
    step("POST", "sys/auth/diff-tok", {"type": "token"}),
    step("POST", "sys/auth/diff-x", {"type": "no-such-method"}),
    step("GET", "sys/auth/token/tune", values=True),
    step("POST", "sys/auth/token/tune", {"default_lease_ttl": "2h"}),
    step("GET", "sys/auth/token/tune", values=True),
    step("POST", "sys/auth/token/tune", {"default_lease_ttl": "0"}),
    step("DELETE", "sys/auth/token"),
    step("DELETE", "sys/auth/never-enabled"),
]


def test_mounts_match_openbao(pair: tuple[Target, Target]) -> None:
    problems, _ = run_steps(*pair, MOUNT_STEPS)
    assert not problems, report(problems)
