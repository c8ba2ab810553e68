"""Differential: ``sealbox X`` and ``bao X`` against the same server print the same thing.

Timestamps and UUIDs are masked; request ids differ per call. Only commands whose output does
not name the product are compared byte for byte.
"""

from __future__ import annotations

import pytest
from tests.compat.cli.cli_helpers import Runner, mask

from sealbox.client import Client

pytestmark = pytest.mark.compat


@pytest.fixture
def populated(api: Client, kv2: str, kv1: str) -> tuple[str, str]:
    for password in ("s3cr3t-p@ssw0rd", "second", "third"):
        api.write(
            f"{kv2}/data/myapp/database",
            {"data": {"username": "app_user", "password": password, "host": "db:5432"}},
        )
    api.write(f"{kv2}/data/myapp/other", {"data": {"n": 1, "nested": {"a": [1, "b"]}}})
    api.write(f"{kv1}/plain", {"user": "u", "ttl": "1h", "flag": True})
    return kv2, kv1


CASES = [
    ("kv", "get", "{kv2}/myapp/database"),
    ("kv", "get", "-version=1", "{kv2}/myapp/database"),
    ("kv", "get", "-format=json", "{kv2}/myapp/database"),
    ("kv", "get", "-format=yaml", "{kv2}/myapp/database"),
    ("kv", "get", "-field=password", "{kv2}/myapp/database"),
    ("kv", "get", "-field=nope", "{kv2}/myapp/database"),
    ("kv", "get", "{kv2}/myapp/other"),
    ("kv", "get", "{kv2}/myapp/missing"),
    ("kv", "get", "{kv1}/plain"),
    ("kv", "list", "{kv2}/myapp/"),
    ("kv", "list", "-format=json", "{kv2}/myapp"),
    ("kv", "metadata", "get", "{kv2}/myapp/database"),
    ("read", "{kv2}/config"),
    ("read", "-format=json", "{kv2}/config"),
    ("read", "{kv1}/plain"),
    ("read", "-field=user", "{kv1}/plain"),
    ("read", "{kv1}/missing"),
    ("list", "{kv2}/metadata"),
    ("list", "{kv1}"),
    ("write", "{kv1}/nothing"),
    ("write", "{kv1}/w", "a=b"),
    ("delete", "{kv1}/w"),
    ("kv", "put", "{kv1}/w2", "a=b"),
    ("kv", "delete", "{kv2}/myapp/database"),
    ("kv", "destroy", "-versions=1", "{kv2}/myapp/database"),
    ("kv", "undelete", "-versions=3", "{kv2}/myapp/database"),
    ("kv", "metadata", "put", "-max-versions=10", "{kv2}/myapp/database"),
    ("policy", "read", "default"),
    ("policy", "read", "-format=json", "default"),
    ("token", "capabilities", "{kv2}/data/x"),
    ("token", "lookup", "-field=policies"),
    ("secrets", "tune", "-default-lease-ttl=1h", "{kv1}"),
    ("secrets", "list"),
    ("secrets", "list", "-format=json"),
    ("auth", "list"),
    ("auth", "list", "-format=yaml"),
    ("policy", "list"),
    ("policy", "list", "-format=json"),
    ("token", "lookup"),
    ("token", "lookup", "-format=json"),
    ("status",),
    ("status", "-format=json"),
    ("audit", "list"),
    ("read", "-format=yaml", "{kv1}/plain"),
    ("kv", "metadata", "get", "-format=json", "{kv2}/myapp/database"),
    ("kv", "get", "-field=data", "-format=json", "{kv2}/myapp/other"),
    ("read", "nosuchmount/x"),
    ("kv", "get"),
    ("kv", "put", "{kv2}/x"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: " ".join(case))
def test_same_output_as_bao(
    sealbox: Runner, bao: Runner, populated: tuple[str, str], case: tuple[str, ...]
) -> None:
    kv2, kv1 = populated
    args = [arg.format(kv2=kv2, kv1=kv1) for arg in case]
    theirs = bao(*args)
    ours = sealbox(*args)
    assert (ours.returncode, mask(ours.stdout)) == (theirs.returncode, mask(theirs.stdout))
    assert mask(ours.stderr) == mask(theirs.stderr)
