"""External account binding (RFC 8555 7.3.4) and ``config/acme`` ``eab_policy``.

OpenBao's model: an operator (with a token) makes a single-use key with ``<dir>acme/new-eab``
(id, key_type "hs", key base64url, acme_directory); ``eab/`` lists unused ones and
``eab/<id>`` deletes one. A new-account carrying ``externalAccountBinding`` (a JWS over the
account's JWK, HMAC-signed with that key, protected header naming the key id and the
new-account URL) binds the account and uses the key up. Policies:

- ``not-required``: a binding is optional (verified when sent);
- ``new-account-required``: new accounts need one;
- ``always-required``: also accounts registered without one are refused.

Storage: ``acme/eab/<id>`` {key (base64url), acme_directory, created_on}.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from typing import Any

import orjson

from sealbox.engines.pki.acme import jws
from sealbox.engines.pki.acme.accounts import Account
from sealbox.engines.pki.acme.problems import AcmeProblem, malformed
from sealbox.engines.pki.store import PKIStore

_PREFIX = "acme/eab/"
# compat: OpenBao prefixes the random bytes so an encoded key never starts with "-".
_KEY_PREFIX = jws.b64decode("vault-eab-0-")
_HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


async def create(store: PKIStore, directory: str, now: str) -> dict[str, Any]:
    """A fresh single-use key for ``directory`` (e.g. ``acme/`` or ``roles/web/acme/``)."""
    key_id = str(uuid.uuid4())
    key = jws.b64encode(_KEY_PREFIX + secrets.token_bytes(32))
    record = {"key": key, "acme_directory": directory, "created_on": now}
    await store.put_json(_PREFIX + key_id, record)
    return {
        "id": key_id,
        "key_type": "hs",
        "key": key,
        "acme_directory": directory + "directory",
        "created_on": now,
    }


async def listing(store: PKIStore) -> tuple[list[str], dict[str, Any]]:
    ids = sorted(await store.storage.list(_PREFIX))
    info: dict[str, Any] = {}
    for key_id in ids:
        record = await store.get_json(_PREFIX + key_id)
        if record is not None:
            info[key_id] = {
                "key_type": "hs",
                "acme_directory": record["acme_directory"] + "directory",
                "created_on": record["created_on"],
            }
    return [k for k in ids if k in info], info


async def delete(store: PKIStore, key_id: str) -> bool:
    found = await store.get_json(_PREFIX + key_id) is not None
    await store.storage.delete(_PREFIX + key_id)
    return found


async def bind(
    store: PKIStore, binding: Any, account_jwk: dict[str, Any], url: str, directory: str
) -> str:
    """Verify ``binding`` for a new account at ``url``; use its key up; answer its id."""
    if not isinstance(binding, dict):
        raise malformed("externalAccountBinding must be a JWS object")
    header, signing_input, signature, payload = jws.parse(binding)
    alg, key_id = header.get("alg"), header.get("kid")
    if alg not in _HASHES:
        raise AcmeProblem("badSignatureAlgorithm", f"unsupported EAB alg {alg!r}")
    if not isinstance(key_id, str) or "/" in key_id or not key_id:
        raise malformed("the EAB protected header needs a kid")
    if header.get("url") != url or "nonce" in header:
        raise malformed("the EAB protected header must carry this url and no nonce")
    record = await store.get_json(_PREFIX + key_id)
    if record is None or record["acme_directory"] != directory:
        raise AcmeProblem("unauthorized", "unknown or used external account binding key", 403)
    expected = hmac.new(jws.b64decode(record["key"]), signing_input, _HASHES[alg]).digest()
    if not hmac.compare_digest(expected, signature):
        raise AcmeProblem("unauthorized", "the external account binding signature is invalid", 403)
    try:
        bound_jwk = orjson.loads(payload)
    except orjson.JSONDecodeError as err:
        raise malformed("the EAB payload is not a JWK") from err
    if not isinstance(bound_jwk, dict) or jws.thumbprint(bound_jwk) != jws.thumbprint(account_jwk):
        raise malformed("the EAB payload is not the account key")
    if not await delete(store, key_id):
        raise AcmeProblem("unauthorized", "the external account binding key was already used", 403)
    return key_id


def enforce_existing(policy: str, account: Account) -> None:
    if policy == "always-required" and not account.eab_id:
        raise AcmeProblem(
            "externalAccountRequired", "this account was registered without an external binding"
        )


def enforce_new(policy: str, eab_id: str) -> None:
    if policy in ("new-account-required", "always-required") and not eab_id:
        raise AcmeProblem(
            "externalAccountRequired", "new accounts need an external account binding"
        )
