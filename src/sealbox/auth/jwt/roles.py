"""JWT/OIDC roles: which tokens may log in (audiences, subject, claims) and what they get.

Mirrors vault-plugin-auth-jwt path_role.go (messages and read shape observed on ``bao`` 2.x):
``role_type`` is ``oidc`` (default) or ``jwt``; ``user_claim`` is required; an OIDC role needs
``allowed_redirect_uris``; a JWT role needs some bound (audiences, subject, claims or CIDRs).
``bound_claims`` values may be lists; with ``bound_claims_type=glob`` they are globs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType
from sealbox.framework.tokenutil import TokenSettings, token_fields

_PREFIX = "role/"
_S, _L, _D = FieldType.STRING, FieldType.COMMA_STRING_LIST, FieldType.DURATION
ROLE_FIELDS = {
    "name": FieldSchema(_S, "Name of the role."),
    "role_type": FieldSchema(_S, "oidc (default) or jwt."),
    "bound_audiences": FieldSchema(_L, "Audiences the token must carry one of."),
    "bound_subject": FieldSchema(_S, "Value the sub claim must have."),
    "bound_claims": FieldSchema(FieldType.MAP, "Claims the token must carry, with values."),
    "bound_claims_type": FieldSchema(_S, "string (default) or glob."),
    "user_claim": FieldSchema(_S, "Claim naming the user (the entity alias)."),
    "user_claim_json_pointer": FieldSchema(FieldType.BOOL, "user_claim is a JSON pointer."),
    "groups_claim": FieldSchema(_S, "Claim listing the user's groups."),
    "claim_mappings": FieldSchema(FieldType.KV_PAIRS, "Claim -> token metadata key."),
    "oidc_scopes": FieldSchema(_L, "Scopes to ask for besides openid."),
    "allowed_redirect_uris": FieldSchema(_L, "Where the OIDC provider may send the user back."),
    "clock_skew_leeway": FieldSchema(_D, "Leeway for iat (default 60s; -1 none)."),
    "expiration_leeway": FieldSchema(_D, "Leeway for exp (default 150s; -1 none)."),
    "not_before_leeway": FieldSchema(_D, "Leeway for nbf (default 150s; -1 none)."),
    "verbose_oidc_logging": FieldSchema(FieldType.BOOL, "Unused."),
    "callback_mode": FieldSchema(_S, "client (the only one supported)."),
    "max_age": FieldSchema(_D, "Longest time since the user authenticated."),
    **token_fields(deprecated=("policies", "ttl", "max_ttl", "period", "bound_cidrs")),
}


@dataclass(slots=True)
class JWTRole:
    """One role."""

    name: str
    role_type: str = "oidc"
    bound_audiences: list[str] = field(default_factory=list)
    bound_subject: str = ""
    bound_claims: dict[str, Any] = field(default_factory=dict)
    bound_claims_type: str = "string"
    user_claim: str = ""
    user_claim_json_pointer: bool = False
    groups_claim: str = ""
    claim_mappings: dict[str, str] = field(default_factory=dict)
    oidc_scopes: list[str] = field(default_factory=list)
    allowed_redirect_uris: list[str] = field(default_factory=list)
    clock_skew_leeway: int = 0
    expiration_leeway: int = 0
    not_before_leeway: int = 0
    max_age: int = 0
    token: TokenSettings = field(default_factory=TokenSettings)

    def to_wire(self) -> dict[str, Any]:
        """``GET auth/jwt/role/:name``."""
        return {
            "allowed_redirect_uris": self.allowed_redirect_uris or None,
            "bound_audiences": self.bound_audiences or None,
            "bound_claims": self.bound_claims or None,
            "bound_claims_type": self.bound_claims_type,
            "bound_subject": self.bound_subject,
            "callback_mode": "client",
            "claim_mappings": self.claim_mappings or None,
            "clock_skew_leeway": self.clock_skew_leeway,
            "expiration_leeway": self.expiration_leeway,
            "groups_claim": self.groups_claim,
            "max_age": self.max_age,
            "not_before_leeway": self.not_before_leeway,
            "oauth2_metadata": None,
            "oidc_disable_confirmation": False,
            "oidc_scopes": self.oidc_scopes or None,
            "role_type": self.role_type,
            "user_claim": self.user_claim,
            "user_claim_json_pointer": self.user_claim_json_pointer,
            "verbose_oidc_logging": False,
            "token_policies_template_claims": False,
            **self.token.to_wire(),
        }


_SIMPLE = (
    "role_type",
    "bound_audiences",
    "bound_subject",
    "bound_claims",
    "bound_claims_type",
    "user_claim",
    "user_claim_json_pointer",
    "groups_claim",
    "claim_mappings",
    "oidc_scopes",
    "allowed_redirect_uris",
    "clock_skew_leeway",
    "expiration_leeway",
    "not_before_leeway",
    "max_age",
)


def updated_role(existing: JWTRole | None, name: str, d: FieldData) -> JWTRole:
    """``existing`` (or a new role) with what a write supplied, validated."""
    role = existing or JWTRole(name=name)
    for attr in _SIMPLE:
        if d.supplied(attr):
            setattr(role, attr, d.get(attr))
    role.role_type = role.role_type.strip().lower() or "oidc"
    role.token = role.token.updated(d)
    if role.role_type not in ("oidc", "jwt"):
        raise InvalidRequest(f"invalid 'role_type': {role.role_type}")
    if role.bound_claims_type not in ("string", "glob"):
        raise InvalidRequest(f"invalid 'bound_claims_type': {role.bound_claims_type}")
    for value in role.bound_claims.values():
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str | int | float | bool) for v in items):
            raise InvalidRequest(
                "bound claims values must be strings, numbers, booleans or lists of them"
            )
    if not role.user_claim:
        raise InvalidRequest("a user claim must be defined on the role")
    if role.role_type == "oidc" and not role.allowed_redirect_uris:
        raise InvalidRequest(
            "'allowed_redirect_uris' must be set if 'role_type' is 'oidc' or unspecified."
        )
    bounded = (
        role.bound_audiences
        or role.bound_subject
        or role.bound_claims
        or role.token.token_bound_cidrs
    )
    if role.role_type == "jwt" and not bounded:
        raise InvalidRequest(
            "must have at least one bound constraint when creating/updating a role"
        )
    return role
