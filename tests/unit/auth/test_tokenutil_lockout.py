"""The shared pieces: token_* field parsing (tokenutil) and the failed-login lockout."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.unit.auth.harness import FakeClock

from sealbox.auth.lockout import Lockout, LockoutPolicy
from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData
from sealbox.framework.tokenutil import (
    TokenSettings,
    address_allowed,
    parse_cidrs,
    renew_terms,
    token_fields,
)
from sealbox.logical import Auth

_SCHEMA = token_fields(deprecated=("policies", "ttl", "max_ttl", "period", "bound_cidrs"))


def _updated(raw: dict[str, object], base: TokenSettings | None = None) -> TokenSettings:
    return (base or TokenSettings()).updated(FieldData(raw, _SCHEMA))


def test_token_fields_parse_like_vault() -> None:
    settings = _updated(
        {
            "token_policies": "B, a,a",
            "token_ttl": "1h",
            "token_max_ttl": 7200,
            "token_type": "service",
        }
    )
    assert settings.token_policies == ("a", "b")
    assert settings.token_ttl == 3600
    assert settings.token_max_ttl == 7200
    assert settings.token_type == "service"
    wire = settings.to_wire()
    assert "policies" not in wire
    assert wire["token_type"] == "service"
    assert TokenSettings.from_json(settings.to_json()) == settings


def test_deprecated_names_set_both_and_show_while_used() -> None:
    legacy = _updated({"policies": "x", "period": "10m"})
    assert legacy.token_policies == ("x",)
    assert legacy.token_period == 600
    assert legacy.to_wire()["policies"] == ["x"]
    assert legacy.to_wire()["period"] == 600
    modern = _updated({"token_policies": "y"}, legacy)
    assert "policies" not in modern.to_wire()
    assert modern.to_wire()["period"] == 600


@pytest.mark.parametrize(
    "raw",
    [
        {"token_ttl": "2h", "token_max_ttl": "1h"},
        {"token_num_uses": -1},
        {"token_type": "batch"},
        {"token_type": "nonsense"},
        {"token_bound_cidrs": "10.0.0.0/33"},
    ],
    ids=["ttl-over-max", "negative-uses", "batch", "bad-type", "bad-cidr"],
)
def test_bad_token_fields_are_400(raw: dict[str, object]) -> None:
    with pytest.raises(InvalidRequest):
        _updated(raw)


def test_cidrs_print_and_match() -> None:
    assert parse_cidrs(["10.1.2.3", "10.0.0.0/8", " ::1 "]) == ["10.1.2.3", "10.0.0.0/8", "::1"]
    assert address_allowed("10.9.9.9", ["10.0.0.0/8"])
    assert not address_allowed("11.0.0.1", ["10.0.0.0/8"])
    assert not address_allowed("not-an-ip", ["10.0.0.0/8"])
    assert address_allowed("anything", [])


def test_renew_terms_refuse_changed_policies_but_ignore_default() -> None:
    settings = _updated({"token_policies": "a", "token_ttl": "5m"})
    terms = renew_terms(settings, Auth(token_policies=["a", "default"]))
    assert terms.ttl == 300
    with pytest.raises(InvalidRequest, match="policies have changed"):
        renew_terms(settings, Auth(token_policies=["b"]))


def test_lockout_counts_resets_and_expires() -> None:
    clock = FakeClock()
    lockout = Lockout(
        LockoutPolicy(lockout_threshold=3, lockout_duration=60, lockout_counter_reset=30), clock
    )
    lockout.failed("u")
    lockout.failed("u")
    clock.advance(31)  # the counter reset window passed: start again
    lockout.failed("u")
    lockout.failed("u")
    assert not lockout.locked("u")
    lockout.failed("u")
    assert lockout.locked("u")
    clock.now += timedelta(seconds=59)
    assert lockout.locked("u")
    clock.advance(1)
    assert not lockout.locked("u")
    lockout.failed("v")
    lockout.succeeded("v")
    lockout.failed("v")
    lockout.failed("v")
    assert not lockout.locked("v")
    disabled = Lockout(LockoutPolicy(lockout_disable=True), clock)
    for _ in range(10):
        disabled.failed("w")
    assert not disabled.locked("w")
