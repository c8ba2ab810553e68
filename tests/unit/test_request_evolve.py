"""``Request.evolve``: a copy with some fields changed, the original untouched."""

from __future__ import annotations

from dataclasses import fields

import pytest

from sealbox.logical import Operation, Request


def test_evolve_changes_only_what_it_is_given() -> None:
    original = Request(
        operation=Operation.READ,
        path="secret/data/a",
        data={"version": 2},
        client_token="t",
        client_address="10.0.0.1",
        headers={"x": "y"},
    )
    routed = original.evolve(path="data/a", mount_point="secret/", sudo=True)
    assert (routed.path, routed.mount_point, routed.sudo) == ("data/a", "secret/", True)
    assert (original.path, original.mount_point, original.sudo) == ("secret/data/a", "", False)
    for spec in fields(Request):
        if spec.name not in ("path", "mount_point", "sudo"):
            assert getattr(routed, spec.name) is getattr(original, spec.name), spec.name
    assert routed == Request(**{f.name: getattr(routed, f.name) for f in fields(Request)})
    assert original.evolve() == original
    with pytest.raises(AttributeError):  # still frozen
        routed.path = "other"  # type: ignore[misc]


def test_evolve_refuses_unknown_fields() -> None:
    with pytest.raises(TypeError, match="no_such_field"):
        Request(operation=Operation.READ, path="p").evolve(no_such_field=1)
