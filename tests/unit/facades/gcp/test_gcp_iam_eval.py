"""IAM evaluation of the GCP door: roles as permission sets, member matching, conditions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sealbox.api.facades.gcp.iam import condition_holds, granted, holds

SECRET = "projects/123456789012/secrets/prod-db"
NOW = datetime(2026, 6, 1, tzinfo=UTC)
ALICE = frozenset({"user:alice@example.com", "allUsers", "allAuthenticatedUsers"})


def _binding(role: str, *members: str, expression: str = "") -> dict[str, object]:
    out: dict[str, object] = {"role": role, "members": list(members)}
    if expression:
        out["condition"] = {"title": "t", "expression": expression}
    return out


@pytest.mark.parametrize(
    ("role", "permission", "expected"),
    [
        ("roles/secretmanager.secretAccessor", "secretmanager.versions.access", True),
        ("roles/secretmanager.secretAccessor", "secretmanager.secrets.get", False),
        ("roles/secretmanager.viewer", "secretmanager.secrets.list", True),
        ("roles/secretmanager.viewer", "secretmanager.versions.access", False),
        ("roles/secretmanager.secretVersionAdder", "secretmanager.versions.add", True),
        ("roles/secretmanager.secretVersionManager", "secretmanager.versions.destroy", True),
        ("roles/secretmanager.secretVersionManager", "secretmanager.versions.access", False),
        ("roles/secretmanager.admin", "secretmanager.secrets.setIamPolicy", True),
        ("roles/editor", "secretmanager.versions.access", True),
        ("roles/editor", "secretmanager.secrets.setIamPolicy", False),
        ("roles/viewer", "secretmanager.versions.access", False),
        ("roles/owner", "resourcemanager.projects.setIamPolicy", True),
        ("roles/custom.mine", "secretmanager.versions.access", False),
    ],
)
def test_gcp_iam_roles(role: str, permission: str, expected: bool) -> None:
    bindings = [_binding(role, "user:alice@example.com")]
    assert holds(bindings, ALICE, permission, SECRET, NOW) is expected


def test_gcp_iam_members_must_match() -> None:
    bindings = [_binding("roles/secretmanager.admin", "user:bob@example.com", "group:ops")]
    assert granted(bindings, ALICE, SECRET, NOW) == set()
    assert "secretmanager.versions.access" in granted(bindings, ALICE | {"group:ops"}, SECRET, NOW)
    public = [_binding("roles/secretmanager.secretAccessor", "allAuthenticatedUsers")]
    assert granted(public, ALICE, SECRET, NOW) == {"secretmanager.versions.access"}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('resource.name.startsWith("projects/123456789012/secrets/prod-")', True),
        ('resource.name.startsWith("projects/123456789012/secrets/dev-")', False),
        ('resource.name.endsWith("/prod-db")', True),
        (f'resource.name == "{SECRET}"', True),
        (f'resource.name != "{SECRET}"', False),
        ('resource.type == "secretmanager.googleapis.com/Secret"', True),
        ('request.time < timestamp("2027-01-01T00:00:00Z")', True),
        ('request.time > timestamp("2027-01-01T00:00:00Z")', False),
        (
            'resource.name.endsWith("-db") && request.time >= timestamp("2026-01-01T00:00:00Z")',
            True,
        ),
        ('resource.name.endsWith("-x") || resource.name.endsWith("-db")', True),
        ('resource.name.endsWith("-x") && resource.name.endsWith("-db")', False),
        ('request.time < timestamp("not a time")', False),
        ('resource.labels["env"] == "prod"', False),  # outside the subset: never grants
        ("a || b && c", False),
    ],
)
def test_gcp_iam_conditions(expression: str, expected: bool) -> None:
    assert condition_holds(expression, SECRET, NOW) is expected
    binding = _binding("roles/secretmanager.secretAccessor", "allUsers", expression=expression)
    assert holds([binding], ALICE, "secretmanager.versions.access", SECRET, NOW) is expected
