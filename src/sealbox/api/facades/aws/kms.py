"""``KmsKeyId`` as a sealbox Transit key: secret values sealed in an envelope.

A KmsKeyId (``alias/NAME``, ``NAME``, or an ARN ``arn:aws:kms:<region>:<account>:key/NAME`` /
``...:alias/NAME``) names the Transit key ``NAME`` on the door's Transit mount (``transit/``
unless ``listener "aws" { transit_mount = ... }``). When such a key exists, every value written
to the secret is sealed: a fresh 256-bit data key from ``datakey/plaintext/NAME`` encrypts the
value with AES-256-GCM here, and only the Transit-wrapped data key is stored beside it. Reading
unwraps the data key with ``decrypt/NAME``. Both Transit calls carry the caller's own token, so
its ACL must allow them (``update`` on ``transit/datakey/plaintext/NAME`` to write,
``transit/decrypt/NAME`` to read), as AWS asks for kms:GenerateDataKey and kms:Decrypt.

Where no such key exists (the guide's ``arn:aws:kms:...:key/mrk-abc123``) the KmsKeyId is only
recorded and reported, as the issue asks. Whether a key exists is looked up with the door's own
token (the service resolving the key), so a caller that may not read key configurations still
gets its values sealed. Each version records the key it was sealed with, so changing a secret's
KmsKeyId leaves older versions readable (AWS re-encrypts the labelled versions; sealbox does
not). The KV data of a sealed version is the envelope only: Vault-door readers see no plaintext.
"""

from __future__ import annotations

import base64
import os
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sealbox.api.facades.aws.context import Call
from sealbox.api.facades.aws.errors import AccessDenied, DecryptionFailure, EncryptionFailure
from sealbox.api.facades.aws.model import SecretView
from sealbox.api.facades.aws.values import NewValue
from sealbox.errors import PermissionDenied, SealboxError
from sealbox.logical import Operation, Request, Response

#: Version encoding of a sealed value; its KV data is ``{ENVELOPE: {...}}``.
SEALED = "kms"
ENVELOPE = "SealboxKmsEnvelope"
_DEFAULT_KEYS = ("aws/secretsmanager", "alias/aws/secretsmanager")
_KMS_DENIED = "Access to KMS is not allowed"


def transit_key_name(kms_key_id: str) -> str | None:
    """The Transit key name a KmsKeyId spells (None: AWS's default key or no name)."""
    text = kms_key_id.strip()
    if not text or text in _DEFAULT_KEYS:
        return None
    if text.startswith("arn:"):
        parts = text.split(":", 5)
        if len(parts) != 6 or parts[2] != "kms":
            return None
        text = parts[5]
        if text.startswith("key/"):
            text = text[4:]
    if text.startswith("alias/"):
        text = text[6:]
    if text in ("aws/secretsmanager",) or not text or "/" in text:
        return None
    return text


async def _transit(call: Call, path: str, data: dict[str, Any], token: str) -> Response:
    req = Request(
        operation=Operation.UPDATE if data else Operation.READ,
        path=call.config.transit_mount + path,
        data=data,
        client_token=token,
        client_address=call.address,
        request_id=call.kv.request_id,
    )
    core = call.api.core
    response: Response = await core.handle(req)
    return response


async def resolve(call: Call, kms_key_id: str | None) -> str | None:
    """The Transit key that ``kms_key_id`` names, if one exists on the door's Transit mount."""
    name = transit_key_name(kms_key_id or "")
    if name is None:
        return None
    token = call.config.door_token() or call.identity.token
    try:
        await _transit(call, "keys/" + name, {}, token)
    except SealboxError:  # no such key, no Transit mount, or no way to look: recorded only
        return None
    return name


def _aad(key: str, encoding: str) -> bytes:
    return f"sealbox-aws-kms-v1\x00{key}\x00{encoding}".encode()


async def seal(call: Call, key: str, data: dict[str, Any], encoding: str) -> dict[str, Any]:
    """The envelope KV data of ``data`` (with its plain ``encoding``) under Transit ``key``."""
    try:
        made = await _transit(call, "datakey/plaintext/" + key, {"bits": 256}, call.identity.token)
    except PermissionDenied as err:
        raise AccessDenied(_KMS_DENIED) from err
    except SealboxError as err:
        raise EncryptionFailure() from err
    body = made.data or {}
    data_key = base64.b64decode(str(body["plaintext"]))
    nonce = os.urandom(12)
    sealed = AESGCM(data_key).encrypt(nonce, orjson.dumps(data), _aad(key, encoding))
    return {
        ENVELOPE: {
            "key": key,
            "wrapped_key": str(body["ciphertext"]),
            "encoding": encoding,
            "nonce": base64.b64encode(nonce).decode(),
            "ciphertext": base64.b64encode(sealed).decode(),
        }
    }


async def unseal(call: Call, data: Any) -> tuple[Any, str]:
    """The plain KV data and encoding inside an envelope; DecryptionFailure if it fails."""
    envelope = data.get(ENVELOPE) if isinstance(data, dict) else None
    if not isinstance(envelope, dict):
        raise DecryptionFailure()
    key = str(envelope.get("key", ""))
    try:
        opened = await _transit(
            call,
            "decrypt/" + key,
            {"ciphertext": str(envelope["wrapped_key"])},
            call.identity.token,
        )
        data_key = base64.b64decode(str((opened.data or {})["plaintext"]))
        encoding = str(envelope["encoding"])
        plain = AESGCM(data_key).decrypt(
            base64.b64decode(str(envelope["nonce"])),
            base64.b64decode(str(envelope["ciphertext"])),
            _aad(key, encoding),
        )
    except PermissionDenied as err:
        raise AccessDenied(_KMS_DENIED) from err
    except (SealboxError, KeyError, ValueError, InvalidTag) as err:
        raise DecryptionFailure() from err
    return orjson.loads(plain), encoding


async def sealed_value(call: Call, view: SecretView, value: NewValue) -> NewValue:
    """``value`` as it is stored for ``view``: sealed when the secret has a Transit key."""
    key = view.aws.get("transit_key")
    if not key:
        return value
    data = await seal(call, str(key), value.data, value.encoding)
    return NewValue(data, SEALED, value.string, value.binary)


async def plain(call: Call, data: Any, encoding: str) -> tuple[Any, str]:
    """A stored version's KV data and encoding, unsealed if it was sealed."""
    if encoding == SEALED:
        return await unseal(call, data)
    return data, encoding
