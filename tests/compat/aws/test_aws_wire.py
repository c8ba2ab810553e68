"""Bad input on the wire: signed (or not) raw requests, and the exact AWS error each gets.

Requests are signed with botocore's own SigV4 signer (``botocore.auth.SigV4Auth``), so the
signature side is the real one; everything else is sent as a broken client would send it.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from typing import Any
from unittest import mock

import boto3
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from tests.compat.aws.conftest import REGION, Boto, Door

pytestmark = [pytest.mark.compat, pytest.mark.slow]


def _send(
    door: Door,
    target: str,
    body: bytes,
    *,
    key: tuple[str, str] | None = None,
    when: dt.datetime | None = None,
    sign: bool = True,
    headers: dict[str, str] | None = None,
) -> requests.Response:
    request = AWSRequest(
        method="POST",
        url=door.endpoint + "/",
        data=body,
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": target,
            **(headers or {}),
        },
    )
    if sign:
        access, secret = key or (door.access_key_id, door.secret_access_key)
        signer = SigV4Auth(Credentials(access, secret), "secretsmanager", REGION)
        if when is None:
            signer.add_auth(request)
        else:
            with mock.patch("botocore.auth.get_current_datetime", return_value=when):
                signer.add_auth(request)
    prepared = request.prepare()
    return requests.post(door.endpoint + "/", data=body, headers=dict(prepared.headers), timeout=30)


def _error(response: requests.Response) -> tuple[int, str, str]:
    assert response.headers["content-type"] == "application/x-amz-json-1.1"
    assert response.headers["x-amzn-RequestId"]
    body = response.json()
    return response.status_code, body["__type"], body["message"]


GET = "secretsmanager.GetSecretValue"


def test_missing_and_malformed_authorization(door: Door) -> None:
    body = b'{"SecretId": "x"}'
    assert _error(_send(door, GET, body, sign=False))[:2] == (
        400,
        "MissingAuthenticationTokenException",
    )
    broken = _send(
        door,
        GET,
        body,
        sign=False,
        headers={"Authorization": "AWS4-HMAC-SHA256 Credential=AKIAX/2026"},
    )
    assert _error(broken)[:2] == (400, "IncompleteSignatureException")
    other = _send(door, GET, body, sign=False, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert _error(other)[:2] == (400, "IncompleteSignatureException")


def test_unknown_key_wrong_secret_and_stale_date(door: Door) -> None:
    body = b'{"SecretId": "x"}'
    unknown = _send(door, GET, body, key=("AKIAUNKNOWNUNKNOWN00", "secret"))
    assert _error(unknown) == (
        400,
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    )
    wrong = _send(door, GET, body, key=(door.access_key_id, "not-the-secret"))
    code, kind, message = _error(wrong)
    assert (code, kind) == (400, "InvalidSignatureException")
    assert message.startswith("The request signature we calculated does not match")
    stale = _send(
        door,
        GET,
        body,
        when=dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=20),
    )
    code, kind, message = _error(stale)
    assert (code, kind) == (400, "InvalidSignatureException")
    assert message.startswith("Signature expired:")


def test_body_and_target_errors_write_nothing(door: Door) -> None:
    name = f"wire-{uuid.uuid4().hex[:8]}"
    assert _error(_send(door, "secretsmanager.NoSuchThing", b"{}"))[:2] == (
        400,
        "UnknownOperationException",
    )
    assert _error(_send(door, "other.CreateSecret", b"{}"))[:2] == (
        400,
        "UnknownOperationException",
    )
    create = "secretsmanager.CreateSecret"
    for body in (
        b"{not json",
        b"[1, 2]",
        json.dumps({"Name": 5}).encode(),
        json.dumps({"Name": name, "SecretString": True}).encode(),
    ):
        assert _error(_send(door, create, body))[:2] == (400, "SerializationException")
    code, kind, message = _error(_send(door, create, json.dumps({"Name": "x" * 513}).encode()))
    assert (code, kind) == (400, "ValidationException")
    assert "at 'name' failed to satisfy constraint" in message
    assert _error(_send(door, create, b"{}"))[1] == "ValidationException"
    listed = _send(
        door,
        "secretsmanager.ListSecrets",
        json.dumps({"Filters": [{"Key": "name", "Values": [name]}]}).encode(),
    )
    assert listed.status_code == 200
    assert listed.json() == {"SecretList": []}


def test_session_credentials_follow_their_token(door: Door, boto: Boto) -> None:
    door.vault(
        "PUT",
        "sys/policies/acl/aws-session",
        {"policy": 'path "auth/sigv4/session" { capabilities = ["update"] }'},
    )
    created = door.vault("POST", "auth/token/create", {"policies": ["aws-session"], "ttl": "1h"})
    token = created.json()["auth"]["client_token"]
    minted = requests.post(
        f"{door.vault_addr}/v1/auth/sigv4/session",
        headers={"X-Vault-Token": token},
        json={},
        timeout=30,
    )
    assert minted.status_code == 200, minted.text
    creds = minted.json()["data"]
    assert creds["access_key_id"].startswith("ASIA")
    client = boto3.client(
        "secretsmanager",
        endpoint_url=door.endpoint,
        region_name=REGION,
        aws_access_key_id=creds["access_key_id"],
        aws_secret_access_key=creds["secret_access_key"],
        aws_session_token=creds["session_token"],
    )
    # The token's policy grants nothing on secret/: its ACL still decides.
    with pytest.raises(ClientError) as denied:
        client.list_secrets()
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    assert client.get_random_password(PasswordLength=8)["RandomPassword"]
    forged = boto3.client(
        "secretsmanager",
        endpoint_url=door.endpoint,
        region_name=REGION,
        aws_access_key_id=creds["access_key_id"],
        aws_secret_access_key=creds["secret_access_key"],
        aws_session_token="forged",
    )
    with pytest.raises(ClientError) as bad:
        forged.get_random_password()
    assert bad.value.response["Error"]["Code"] == "UnrecognizedClientException"
    short = requests.post(
        f"{door.vault_addr}/v1/auth/sigv4/session",
        headers={"X-Vault-Token": token},
        json={"ttl": "1s"},
        timeout=30,
    )
    brief: dict[str, Any] = short.json()["data"]
    time.sleep(1.5)
    expired = boto3.client(
        "secretsmanager",
        endpoint_url=door.endpoint,
        region_name=REGION,
        aws_access_key_id=brief["access_key_id"],
        aws_secret_access_key=brief["secret_access_key"],
        aws_session_token=brief["session_token"],
    )
    with pytest.raises(ClientError) as late:
        expired.get_random_password()
    assert late.value.response["Error"]["Code"] == "ExpiredTokenException"
