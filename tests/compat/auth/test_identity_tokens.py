"""Identity tokens: hvac's identity OIDC calls, and tokens checked with only the published JWKS.

The verification here uses ``cryptography`` on the JWK the server publishes at
``identity/oidc/.well-known/keys`` (not the server's JWT library), so a token is accepted only
if anyone holding the public document could accept it.
"""

from __future__ import annotations

import base64
import json

import hvac
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

pytestmark = pytest.mark.compat


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _verify(token: str, jwks: list[dict[str, str]]) -> dict[str, object]:
    head, body, sig = token.split(".")
    kid = json.loads(_unb64(head))["kid"]
    jwk = next(k for k in jwks if k["kid"] == kid)
    public = rsa.RSAPublicNumbers(
        int.from_bytes(_unb64(jwk["e"]), "big"), int.from_bytes(_unb64(jwk["n"]), "big")
    ).public_key()
    public.verify(_unb64(sig), f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    claims: dict[str, object] = json.loads(_unb64(body))
    return claims


def test_identity_token_for_a_logged_in_entity(
    root: hvac.Client, anon: hvac.Client, unique: str
) -> None:
    mount = f"up-{unique}"
    root.sys.enable_auth_method("userpass", path=mount)
    root.sys.create_or_update_policy(
        f"idt-{unique}", 'path "identity/oidc/token/*" { capabilities = ["read"] }'
    )
    root.auth.userpass.create_or_update_user(
        "dana", "pw", policies=[f"idt-{unique}"], mount_point=mount
    )
    login = anon.auth.userpass.login("dana", "pw", mount_point=mount)["auth"]
    root.secrets.identity.update_entity(login["entity_id"], metadata={"team": "blue"})
    key, role = f"key-{unique}", f"role-{unique}"
    root.secrets.identity.create_named_key(key, allowed_client_ids=["*"])
    root.write(
        f"identity/oidc/role/{role}",
        key=key,
        ttl="15m",
        template='{"team": {{identity.entity.metadata.team}}, "who": {{identity.entity.name}} }',
    )
    issued = anon.secrets.identity.generate_signed_id_token(role)["data"]
    jwks = root.secrets.identity.read_active_public_keys()["keys"]
    claims = _verify(issued["token"], jwks)
    assert claims["sub"] == login["entity_id"]
    assert claims["aud"] == issued["client_id"]
    assert claims["team"] == "blue"
    assert isinstance(claims["exp"], int)
    assert isinstance(claims["iat"], int)
    assert claims["exp"] - claims["iat"] == 900
    discovery = root.secrets.identity.read_well_known_configurations()
    assert claims["iss"] == discovery["issuer"]
    assert discovery["jwks_uri"].endswith("/v1/identity/oidc/.well-known/keys")
    assert root.secrets.identity.introspect_signed_id_token(issued["token"])["active"] is True
    # a rotated key keeps verifying the tokens it signed, and the new one signs the next
    # (hvac's rotate_named_key posts to key/:name, not key/:name/rotate, so call it directly)
    root.write(f"identity/oidc/key/{key}/rotate", verification_ttl="1h")
    assert root.secrets.identity.introspect_signed_id_token(issued["token"])["active"] is True
    again = anon.secrets.identity.generate_signed_id_token(role)["data"]["token"]
    assert (
        _verify(again, root.secrets.identity.read_active_public_keys()["keys"])["sub"]
        == login["entity_id"]
    )
    assert (
        json.loads(_unb64(again.split(".")[0]))["kid"]
        != json.loads(_unb64(issued["token"].split(".")[0]))["kid"]
    )
    forged = issued["token"][:-8] + ("A" * 8 if not issued["token"].endswith("A" * 8) else "B" * 8)
    assert root.secrets.identity.introspect_signed_id_token(forged)["active"] is False
    with pytest.raises(hvac.exceptions.InvalidRequest, match="no entity associated"):
        root.secrets.identity.generate_signed_id_token(role)
