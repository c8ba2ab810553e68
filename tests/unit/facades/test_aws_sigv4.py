"""SigV4 verification against requests signed by botocore's own signer."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import given
from hypothesis import strategies as st

from sealbox.api.facades.aws import sigv4
from sealbox.api.facades.aws.errors import (
    IncompleteSignature,
    InvalidSignature,
    MissingToken,
)
from sealbox.auth.sigv4.keys import signing_key

NOW = dt.datetime(2026, 11, 27, 23, 44, 24, tzinfo=dt.UTC)
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def _signed(body: bytes, token: str | None = None, when: dt.datetime = NOW) -> dict[str, str]:
    request = AWSRequest(
        method="POST",
        url="http://127.0.0.1:5055/",
        data=body,
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "secretsmanager.GetSecretValue",
        },
    )
    signer = SigV4Auth(Credentials("AKIDEXAMPLE", SECRET, token), "secretsmanager", "eu-west-1")
    with mock.patch("botocore.auth.get_current_datetime", return_value=when):
        signer.add_auth(request)
    headers = {k.lower(): v for k, v in request.headers.items()}
    headers["host"] = "127.0.0.1:5055"
    return headers


def _claim(headers: dict[str, str], body: bytes, now: dt.datetime = NOW) -> sigv4.SignedRequest:
    return sigv4.parse("POST", "/", "", headers, body, now)


@given(st.binary(max_size=300), st.one_of(st.none(), st.text(min_size=1, max_size=40)))
def test_botocore_signatures_verify(body: bytes, token: str | None) -> None:
    token = token.strip() if token else None
    headers = _signed(body, token or None)
    claim = _claim(headers, body)
    assert (claim.access_key_id, claim.date, claim.region) == (
        "AKIDEXAMPLE",
        "20261127",
        "eu-west-1",
    )
    key = signing_key(SECRET, claim.date, claim.region, "secretsmanager")
    assert sigv4.matches(key, claim)
    assert not sigv4.matches(
        signing_key("other", claim.date, claim.region, "secretsmanager"), claim
    )
    if token:
        assert claim.session_token == token


def test_tampered_body_or_header_fails() -> None:
    headers = _signed(b'{"SecretId":"a"}')
    key = signing_key(SECRET, "20261127", "eu-west-1", "secretsmanager")
    assert not sigv4.matches(key, _claim(headers, b'{"SecretId":"b"}'))
    changed = {**headers, "x-amz-target": "secretsmanager.DeleteSecret"}
    assert not sigv4.matches(key, _claim(changed, b'{"SecretId":"a"}'))


def test_clock_skew_limit_is_fifteen_minutes() -> None:
    headers = _signed(b"{}")
    _claim(headers, b"{}", NOW + dt.timedelta(minutes=14))
    with pytest.raises(InvalidSignature, match="Signature expired"):
        _claim(headers, b"{}", NOW + dt.timedelta(minutes=16))
    with pytest.raises(InvalidSignature):
        _claim(headers, b"{}", NOW - dt.timedelta(minutes=16))


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"authorization": None}, MissingToken),
        ({"authorization": "AWS4-HMAC-SHA1 Credential=a/b/c/d/aws4_request"}, IncompleteSignature),
        ({"x-amz-date": None}, IncompleteSignature),
        ({"host": None}, IncompleteSignature),
    ],
    ids=["no-auth", "algorithm", "no-date", "signed-header-missing"],
)
def test_malformed_claims(change: dict[str, str | None], error: type[Exception]) -> None:
    headers = _signed(b"{}")
    for name, value in change.items():
        if value is None:
            headers.pop(name, None)
        else:
            headers[name] = value
    with pytest.raises(error):
        _claim(headers, b"{}")


def test_wrong_service_scope() -> None:
    headers = _signed(b"{}")
    headers["authorization"] = headers["authorization"].replace("/secretsmanager/", "/s3/")
    with pytest.raises(InvalidSignature):
        _claim(headers, b"{}")
