"""Reading a service-account JWT: signature (when keys are configured), times, audience, identity.

Mirrors vault-plugin-auth-kubernetes ``parseAndValidateJWT``: without ``pem_keys`` the claims
are read without a signature check (the TokenReview vouches for the token); with them the
signature must verify under one of the keys (RS/ES algorithms only). ``exp`` and ``nbf`` are
checked when present, ``aud`` must contain the role's audience when it has one. Both claim
layouts are understood: projected tokens (``kubernetes.io: {namespace, serviceaccount: {name,
uid}, pod}``) and legacy secret-based ones (``kubernetes.io/serviceaccount/...``). Any failure
is a 403: the caller learns nothing about which check failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import jwt

from sealbox.errors import PermissionDenied

if TYPE_CHECKING:
    from jwt.types import Options

_ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512"]
_LEGACY = "kubernetes.io/serviceaccount/"


@dataclass(frozen=True, slots=True)
class ServiceAccount:
    """Who a JWT says it is."""

    name: str
    namespace: str
    uid: str
    secret_name: str = ""
    audiences: tuple[str, ...] = ()


def _decode(token: str, keys: list[Any]) -> dict[str, Any]:
    # Times, audience and issuer are checked below, against the method's clock and role.
    options: Options = {
        "verify_aud": False,
        "verify_exp": False,
        "verify_nbf": False,
        "verify_iat": False,
    }
    try:
        if not keys:
            claims: dict[str, Any] = jwt.decode(
                token, options={**options, "verify_signature": False}
            )
            return claims
        for key in keys:
            try:
                verified: dict[str, Any] = jwt.decode(
                    token, key, algorithms=_ALGORITHMS, options=options
                )
            except jwt.InvalidSignatureError:
                continue
            return verified
    except jwt.PyJWTError as err:
        raise PermissionDenied() from err
    raise PermissionDenied()


def _audiences(claims: dict[str, Any]) -> tuple[str, ...]:
    aud = claims.get("aud")
    if isinstance(aud, str):
        return (aud,)
    if isinstance(aud, list):
        return tuple(str(a) for a in aud)
    return ()


def _times_ok(claims: dict[str, Any], now: datetime) -> bool:
    stamp = now.timestamp()
    exp, nbf = claims.get("exp"), claims.get("nbf")
    if isinstance(exp, int | float) and stamp >= exp:
        return False
    return not (isinstance(nbf, int | float) and stamp < nbf)


def service_account(
    token: str, *, keys: list[Any], audience: str, issuer: str, now: datetime
) -> ServiceAccount:
    """The service account a JWT names, after the local checks; 403 on any failure."""
    claims = _decode(token, keys)
    if not _times_ok(claims, now):
        raise PermissionDenied()
    audiences = _audiences(claims)
    if audience and audience not in audiences:
        raise PermissionDenied()
    if issuer and claims.get("iss") != issuer:
        raise PermissionDenied()
    projected = claims.get("kubernetes.io")
    if isinstance(projected, dict):
        account = projected.get("serviceaccount") or {}
        return ServiceAccount(
            name=str(account.get("name", "")),
            namespace=str(projected.get("namespace", "")),
            uid=str(account.get("uid", "")),
            audiences=audiences,
        )
    return ServiceAccount(
        name=str(claims.get(_LEGACY + "service-account.name", "")),
        namespace=str(claims.get(_LEGACY + "namespace", "")),
        uid=str(claims.get(_LEGACY + "service-account.uid", "")),
        secret_name=str(claims.get(_LEGACY + "secret.name", "")),
        audiences=audiences,
    )
