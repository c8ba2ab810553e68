"""Bad input never becomes a 500: random values in every name, subject, SAN and TTL field of
issue, sign-verbatim and root/generate answer 200 or a 400 with a reason, and a refused
request stores nothing."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.unit.engines.harness import call
from tests.unit.engines.pki_helpers import LIST, UPDATE, make_pki, ok, with_role, with_root

from sealbox.engines.pki import PKIEngine

_TEXT = st.text(min_size=0, max_size=40)
_VALUE = st.one_of(
    _TEXT,
    st.integers(min_value=-(2**40), max_value=2**40),
    st.booleans(),
    st.lists(_TEXT, max_size=3),
    st.dictionaries(st.text(max_size=5), _TEXT, max_size=2),
    st.none(),
)
_ISSUE_KEYS = [
    "common_name",
    "alt_names",
    "ip_sans",
    "uri_sans",
    "ttl",
    "not_after",
    "format",
    "private_key_format",
    "serial_number",
    "exclude_cn_from_sans",
    "other_sans",
]
_ROOT_KEYS = [
    *_ISSUE_KEYS,
    "key_type",
    "key_bits",
    "organization",
    "ou",
    "country",
    "max_path_length",
    "permitted_dns_domains",
    "signature_bits",
    "issuer_name",
    "key_name",
    "not_before_duration",
    "use_pss",
    "locality",
    "street_address",
]

_ENGINE: dict[str, PKIEngine] = {}


def _engine() -> PKIEngine:
    if "e" not in _ENGINE:
        engine = make_pki()
        with_root(engine, issuer_name="fuzz-root")
        with_role(
            engine,
            "any",
            allow_any_name=True,
            enforce_hostnames=False,
            allowed_uri_sans="*",
            key_type="ec",
        )
        with_role(
            engine, "strict", allowed_domains="example.com", allow_subdomains=True, key_type="ec"
        )
        _ENGINE["e"] = engine
    return _ENGINE["e"]


def _assert_clean(outcome: Any) -> None:
    assert outcome.status in (200, 204, 400), (outcome.status, outcome.errors)
    if outcome.status == 400:
        assert outcome.errors
        assert outcome.errors[0]


_SETTINGS = settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(st.sampled_from(["any", "strict"]), st.dictionaries(st.sampled_from(_ISSUE_KEYS), _VALUE))
def test_issue_random_input(role: str, body: dict[str, Any]) -> None:
    engine = _engine()
    before = ok(call(engine, LIST, "certs/"))["keys"]
    outcome = call(engine, UPDATE, f"issue/{role}", body)
    _assert_clean(outcome)
    after = ok(call(engine, LIST, "certs/"))["keys"]
    assert len(after) == len(before) + (1 if outcome.status == 200 else 0)


@_SETTINGS
@given(st.dictionaries(st.sampled_from(_ROOT_KEYS), _VALUE))
def test_root_generate_random_input(body: dict[str, Any]) -> None:
    engine = make_pki()
    body.setdefault("key_type", "ec")
    outcome = call(engine, UPDATE, "root/generate/internal", body)
    _assert_clean(outcome)
    if outcome.status != 200:
        assert ok(call(engine, LIST, "issuers/"))["keys"] == []
        assert ok(call(engine, LIST, "keys/"))["keys"] == []


@_SETTINGS
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "csr",
                "ttl",
                "key_usage",
                "ext_key_usage",
                "ext_key_usage_oids",
                "format",
                "signature_bits",
            ]
        ),
        _VALUE,
    )
)
def test_sign_verbatim_random_input(body: dict[str, Any]) -> None:
    _assert_clean(call(_engine(), UPDATE, "sign-verbatim", body))


@_SETTINGS
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "allowed_domains",
                "key_type",
                "key_bits",
                "ttl",
                "max_ttl",
                "key_usage",
                "ext_key_usage",
                "signature_bits",
                "cn_validations",
                "allowed_ip_sans_cidr",
                "policy_identifiers",
                "ext_key_usage_oids",
                "not_after",
            ]
        ),
        _VALUE,
    )
)
def test_role_then_issue_random_input(body: dict[str, Any]) -> None:
    engine = _engine()
    written = call(engine, UPDATE, "roles/fuzz", body)
    _assert_clean(written)
    if written.status == 200 and written.data["key_type"] != "any":
        _assert_clean(call(engine, UPDATE, "issue/fuzz", {"common_name": "a.example.com"}))
