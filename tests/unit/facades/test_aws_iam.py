"""IAM evaluation: deny wins, wildcards, NotAction/NotResource, principals and conditions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sealbox.api.facades.aws.conditions import glob
from sealbox.api.facades.aws.iam import Decision, Principal, evaluate_policies

WHO = Principal("arn:aws:iam::123456789012:user/app", "123456789012")
ARN = "arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:production/myapp/db-AbCdEf"
GUIDE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            "Resource": "arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:production/myapp/*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": "ap-southeast-1"}},
        }
    ],
}


def _ctx(**values: Any) -> dict[str, list[str]]:
    base = {
        "aws:requestedregion": ["ap-southeast-1"],
        "aws:principalarn": [WHO.arn],
        "aws:username": ["app"],
    }
    base.update({k.lower(): v if isinstance(v, list) else [v] for k, v in values.items()})
    return base


def _decide(
    docs: list[Any], action: str, resource: str = ARN, resource_policy: Any = None, **ctx: Any
) -> Decision:
    return evaluate_policies(
        [json.dumps(d) for d in docs],
        json.dumps(resource_policy) if resource_policy else None,
        WHO,
        action,
        resource,
        _ctx(**ctx),
    )


def test_guide_policy() -> None:
    assert _decide([GUIDE], "secretsmanager:GetSecretValue") is Decision.ALLOW
    assert _decide([GUIDE], "secretsmanager:getsecretvalue") is Decision.ALLOW
    assert _decide([GUIDE], "secretsmanager:PutSecretValue") is Decision.IMPLICIT_DENY
    other = ARN.replace("production/myapp", "production/other")
    assert _decide([GUIDE], "secretsmanager:GetSecretValue", other) is Decision.IMPLICIT_DENY
    assert (
        _decide([GUIDE], "secretsmanager:GetSecretValue", **{"aws:RequestedRegion": "us-east-1"})
        is Decision.IMPLICIT_DENY
    )


def test_explicit_deny_wins_over_any_allow() -> None:
    deny = {
        "Statement": [
            {
                "Effect": "Deny",
                "Action": "secretsmanager:*",
                "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ]
    }
    assert (
        _decide([GUIDE, deny], "secretsmanager:GetSecretValue", **{"aws:SecureTransport": "false"})
        is Decision.EXPLICIT_DENY
    )
    assert (
        _decide([GUIDE, deny], "secretsmanager:GetSecretValue", **{"aws:SecureTransport": "true"})
        is Decision.ALLOW
    )


def test_not_action_and_not_resource() -> None:
    everything_but_delete = {
        "Statement": [{"Effect": "Allow", "NotAction": "secretsmanager:Delete*", "Resource": "*"}]
    }
    assert _decide([everything_but_delete], "secretsmanager:TagResource") is Decision.ALLOW
    assert _decide([everything_but_delete], "secretsmanager:DeleteSecret") is (
        Decision.IMPLICIT_DENY
    )
    not_prod = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "*",
                "NotResource": "arn:aws:secretsmanager:*:*:secret:production/*",
            }
        ]
    }
    assert _decide([not_prod], "secretsmanager:GetSecretValue") is Decision.IMPLICIT_DENY
    staging = ARN.replace("production", "staging")
    assert _decide([not_prod], "secretsmanager:GetSecretValue", staging) is Decision.ALLOW


def test_resource_policy_principals() -> None:
    grant = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": WHO.arn},
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "*",
            }
        ]
    }
    assert _decide([], "secretsmanager:GetSecretValue", resource_policy=grant) is Decision.ALLOW
    someone = {
        "Statement": [
            {**grant["Statement"][0], "Principal": {"AWS": "arn:aws:iam::123456789012:user/other"}}
        ]
    }
    assert _decide([], "secretsmanager:GetSecretValue", resource_policy=someone) is (
        Decision.IMPLICIT_DENY
    )
    deny = {"Statement": [{**grant["Statement"][0], "Effect": "Deny"}]}
    assert (
        _decide([GUIDE], "secretsmanager:GetSecretValue", resource_policy=deny)
        is Decision.RESOURCE_DENY
    )
    account = {"Statement": [{**grant["Statement"][0], "Principal": {"AWS": "123456789012"}}]}
    assert _decide([], "secretsmanager:GetSecretValue", resource_policy=account) is (Decision.ALLOW)


@pytest.mark.parametrize(
    ("condition", "context", "expected"),
    [
        ({"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/a*"}}, {}, True),
        ({"StringNotLike": {"aws:PrincipalArn": "*:user/a*"}}, {}, False),
        ({"StringEquals": {"secretsmanager:ResourceTag/env": "prod"}}, {}, False),
        ({"StringNotEquals": {"secretsmanager:ResourceTag/env": "prod"}}, {}, True),
        ({"StringEqualsIfExists": {"secretsmanager:VersionStage": "AWSCURRENT"}}, {}, True),
        (
            {"StringEqualsIfExists": {"secretsmanager:VersionStage": "AWSCURRENT"}},
            {"secretsmanager:VersionStage": "AWSPREVIOUS"},
            False,
        ),
        ({"Null": {"secretsmanager:VersionStage": "true"}}, {}, True),
        ({"Null": {"secretsmanager:VersionStage": "false"}}, {}, False),
        ({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:SourceIp": "10.1.2.3"}, True),
        ({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:SourceIp": "127.0.0.1"}, True),
        (
            {"NumericLessThanEquals": {"secretsmanager:RecoveryWindowInDays": "7"}},
            {"secretsmanager:RecoveryWindowInDays": "30"},
            False,
        ),
        (
            {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
            {"aws:CurrentTime": "2026-12-03T00:00:00Z"},
            True,
        ),
        (
            {"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}},
            {"aws:TagKeys": ["a", "c"]},
            False,
        ),
        (
            {"ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]}},
            {"aws:TagKeys": ["c", "b"]},
            True,
        ),
        ({"StringEquals": {"aws:username": "${aws:username}"}}, {}, True),
        ({"StringEquals": {"aws:RequestedRegion": ["us-east-1", "ap-southeast-1"]}}, {}, True),
    ],
)
def test_condition_operators(
    condition: dict[str, Any], context: dict[str, str], expected: bool
) -> None:
    doc = {
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition}]
    }
    decision = _decide([doc], "secretsmanager:GetSecretValue", **context)
    assert (decision is Decision.ALLOW) is expected


def test_unknown_operator_never_grants_but_still_denies() -> None:
    odd = {
        "Effect": "Allow",
        "Action": "*",
        "Resource": "*",
        "Condition": {"NoSuchOperator": {"a": "b"}},
    }
    assert _decide([{"Statement": [odd]}], "x:y") is Decision.IMPLICIT_DENY
    deny = {**odd, "Effect": "Deny"}
    allow = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    assert _decide([{"Statement": [allow, deny]}], "x:y") is Decision.EXPLICIT_DENY


@given(st.lists(st.sampled_from(["Allow", "Deny"]), min_size=1, max_size=6))
def test_deny_wins_for_any_mix(effects: list[str]) -> None:
    docs = [{"Statement": [{"Effect": e, "Action": "*", "Resource": "*"}]} for e in effects]
    decision = _decide(docs, "secretsmanager:GetSecretValue")
    assert decision is (Decision.EXPLICIT_DENY if "Deny" in effects else Decision.ALLOW)


def test_glob() -> None:
    assert glob("secretsmanager:Get*", "secretsmanager:GetSecretValue")
    assert glob("a?c", "abc")
    assert not glob("a?c", "abbc")
    assert glob("arn:*:secret:production/*", "arn:aws:x:secret:production/a/b-XYZ123")
    assert not glob("a.c", "abc")
