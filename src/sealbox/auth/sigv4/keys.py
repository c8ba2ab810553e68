"""Access-key records and SigV4 signing-key derivation (AWS's documented HMAC chain).

A record maps an access key id to its secret, what the key acts as, and the IAM inline
policies attached to its principal. What it acts as is either an identity (no ``token``: the
key logs in as the entity alias named like the key on its mount, and gets a token of its own)
or, for keys made before identities existed and for sessions, a given sealbox token. Long-lived keys (``AKIA…``) belong to a named
principal; session credentials (``ASIA…`` + session token) are minted from a caller's token
and expire with it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import asdict, dataclass, field
from typing import Any

_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def new_access_key_id(prefix: str) -> str:
    """``AKIA``/``ASIA`` + 16 random base32 characters, the shape AWS SDKs expect."""
    return prefix + "".join(secrets.choice(_B32) for _ in range(16))


def new_secret() -> str:
    """40 characters of base64, like an AWS secret access key."""
    return base64.b64encode(secrets.token_bytes(30)).decode()


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """kSigning = HMAC chain over "AWS4"+secret, date, region, service, "aws4_request"."""
    key = ("AWS4" + secret).encode("utf-8")
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return key


@dataclass(slots=True)
class AccessKey:
    """One stored access key."""

    access_key_id: str
    name: str
    secret: str = field(repr=False)
    token: str = field(repr=False)
    iam_policies: list[str] = field(default_factory=list)
    kind: str = "user"  # "user" (long-lived) or "session"
    session_token: str = field(default="", repr=False)
    expires: float = 0.0  # epoch seconds; 0 = never
    #: Identity-bound keys (no ``token``): the policies and TTL of the tokens their logins get.
    token_policies: list[str] = field(default_factory=list)
    token_ttl: int = 0
    #: The entity of the token a session was minted from ("" if none or unknown).
    entity_id: str = ""
    #: The entity alias (on the key's mount) an identity-bound key logs in as; "" = ``name``.
    #: An entity has one alias per mount, so its keys (AWS allows two per user) share it.
    alias: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> AccessKey:
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in raw.items() if k in known})

    @property
    def identity_bound(self) -> bool:
        return self.kind == "user" and not self.token
