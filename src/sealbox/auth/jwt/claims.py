"""Checking a verified token's claims against a role, and turning them into a login.

Mirrors vault-plugin-auth-jwt (path_login.go ``validateBoundClaims``, claims.go): the issuer must
be the configured ``bound_issuer``; ``aud`` must meet the role's ``bound_audiences`` (a token with
an audience and a role with none is refused); ``sub`` must equal ``bound_subject``; times get the
role's leeways (150 s for exp and nbf, 60 s for iat, when 0; -1 means none); every
``bound_claims`` key must be present with one of its values (globs with ``bound_claims_type=glob``).
A claim name starting with ``/`` is a JSON pointer into nested claims.
"""

from __future__ import annotations

from datetime import datetime
from fnmatch import fnmatchcase
from typing import Any

from sealbox.auth.jwt.roles import JWTRole
from sealbox.errors import InvalidRequest
from sealbox.logical import Alias, Auth


def claim(claims: dict[str, Any], name: str) -> Any:
    """The value of ``name`` (a JSON pointer when it starts with ``/``), or None."""
    if not name.startswith("/"):
        return claims.get(name)
    value: Any = claims
    for part in name[1:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def _leeway(value: int, default: int) -> int:
    if value < 0:
        return 0
    return value or default


def _times(claims: dict[str, Any], role: JWTRole, now: float) -> None:
    exp, nbf, iat = claims.get("exp"), claims.get("nbf"), claims.get("iat")
    if isinstance(exp, int | float) and now > exp + _leeway(role.expiration_leeway, 150):
        raise InvalidRequest(
            "error validating token: invalid expiration time (exp) claim: token is expired"
        )
    if isinstance(nbf, int | float) and now < nbf - _leeway(role.not_before_leeway, 150):
        raise InvalidRequest(
            "error validating token: invalid not before (nbf) claim: token not valid yet"
        )
    if isinstance(iat, int | float) and now < iat - _leeway(role.clock_skew_leeway, 60):
        raise InvalidRequest(
            "error validating token: invalid issued at (iat) claim: token issued in the future"
        )


def _audiences(claims: dict[str, Any]) -> list[str]:
    aud = claims.get("aud")
    if isinstance(aud, str):
        return [aud]
    return [str(a) for a in aud] if isinstance(aud, list) else []


def _bound_claims(claims: dict[str, Any], role: JWTRole) -> None:
    for name, expected in role.bound_claims.items():
        wanted = [str(v) for v in (expected if isinstance(expected, list) else [expected])]
        actual = claim(claims, name)
        values = (
            [str(v) for v in (actual if isinstance(actual, list) else [actual])]
            if actual is not None
            else []
        )
        if role.bound_claims_type == "glob":
            ok = any(fnmatchcase(v, w) for v in values for w in wanted)
        else:
            ok = any(v in wanted for v in values)
        if not ok:
            raise InvalidRequest(
                f'error validating claims: claim "{name}" does not match any associated bound claim values'
            )


def validate(
    claims: dict[str, Any], role: JWTRole, *, issuer: str, audiences: list[str], now: datetime
) -> None:
    """Raise InvalidRequest unless ``claims`` satisfy the config and role."""
    if issuer and claims.get("iss") != issuer:
        raise InvalidRequest("error validating token: invalid issuer (iss) claim")
    present = _audiences(claims)
    if audiences and not set(audiences) & set(present):
        raise InvalidRequest(
            "error validating token: invalid audience (aud) claim: audience claim does not "
            "match any expected audience"
        )
    if not audiences and present:
        raise InvalidRequest(
            "error validating token: audience claim found in JWT but no audiences bound to the role"
        )
    if role.bound_subject and claims.get("sub") != role.bound_subject:
        raise InvalidRequest("error validating token: sub claim does not match bound subject")
    _times(claims, role, now.timestamp())
    _bound_claims(claims, role)


def login_auth(claims: dict[str, Any], role: JWTRole) -> Auth:
    """The ``auth`` for a validated token: alias from ``user_claim``, groups, metadata."""
    user = claim(claims, role.user_claim)
    if user is None:
        raise InvalidRequest(f'claim "{role.user_claim}" not found in token')
    if isinstance(user, dict | list):
        raise InvalidRequest(f'claim "{role.user_claim}" could not be converted to string')
    metadata = {"role": role.name}
    for source, target in role.claim_mappings.items():
        value = claim(claims, source)
        if value is not None and not isinstance(value, dict | list):
            metadata[target] = str(value)
    groups: list[Alias] = []
    if role.groups_claim:
        raw = claim(claims, role.groups_claim)
        if raw is None:
            raise InvalidRequest(f'"{role.groups_claim}" claim not found in token')
        names = raw if isinstance(raw, list) else [raw]
        groups = [Alias(name=str(g)) for g in names if str(g)]
    alias_meta = {k: v for k, v in metadata.items() if k != "role"}
    auth = Auth(
        metadata=metadata,
        display_name=str(user),
        alias=Alias(name=str(user), metadata=alias_meta),
        group_aliases=groups,
    )
    return role.token.apply(auth)
