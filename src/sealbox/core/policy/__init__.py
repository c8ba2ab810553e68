"""Vault's ACL policy language: parsing, evaluation, built-in policies and formatting.

Mirrors OpenBao's internal/vault/policy package (policy.go, acl.go, the default policy
of policy_store.go) and ``bao policy fmt``.
"""

from __future__ import annotations

from sealbox.core.policy.acl import ACL, ACLResult
from sealbox.core.policy.builtin import DEFAULT_POLICY, ROOT_POLICY_NAME
from sealbox.core.policy.fmt import format_policy
from sealbox.core.policy.policy import CAPABILITIES, PathRules, Policy, parse_policy

__all__ = [
    "ACL",
    "CAPABILITIES",
    "DEFAULT_POLICY",
    "ROOT_POLICY_NAME",
    "ACLResult",
    "PathRules",
    "Policy",
    "format_policy",
    "parse_policy",
]
