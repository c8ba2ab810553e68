"""``encrypt/``, ``decrypt/``, ``rewrap/`` and ``datakey/``: the encryption-as-a-service routes.

Mirrors openbao transit path_encrypt.go, path_decrypt.go, path_rewrap.go and path_datakey.go:
one item from top-level fields or many from ``batch_input`` (results in input order, each with
its ``reference``); a failed item makes the whole answer 400 (or
``partial_failure_response_code``) while still listing every result. Encrypting with a key
that does not exist creates it (an aes256-gcm96 key, derived when a context is given) unless
``config/keys`` sets ``disable_upsert``.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from typing import Any

from sealbox.engines.transit import operations
from sealbox.engines.transit.common import (
    NAME,
    b64decode,
    b64encode,
    batch_items,
    batch_response,
    item_int,
    item_string,
)
from sealbox.engines.transit.keyring import Keyring, NewKey
from sealbox.engines.transit.keytypes import KeyType
from sealbox.engines.transit.policy import Policy
from sealbox.engines.transit.store import KEYS_CONFIG
from sealbox.engines.transit.symmetric import NONCE_SIZE
from sealbox.errors import InvalidRequest, SealboxError
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.logical import Operation, Request, Response

_S, _B, _I, _R = FieldType.STRING, FieldType.BOOL, FieldType.INT, FieldType.RAW
_COMMON = {
    "name": FieldSchema(_S, "Name of the key"),
    "context": FieldSchema(_S, "Base64 context for key derivation (derived keys)."),
    "nonce": FieldSchema(_S, "Not allowed: convergent encryption derives its nonce."),
    "key_version": FieldSchema(_I, "Key version to use; 0 = latest."),
    "associated_data": FieldSchema(_S, "Base64 associated data authenticated with AEAD keys."),
    "batch_input": FieldSchema(_R, "A list of items to process in one request."),
    "partial_failure_response_code": FieldSchema(_I, "Status when only some items failed."),
}
_ENCRYPT_FIELDS = {
    **_COMMON,
    "plaintext": FieldSchema(_S, "Base64 plaintext to encrypt."),
    "type": FieldSchema(_S, "Type of a key created by this request.", "aes256-gcm96"),
    "convergent_encryption": FieldSchema(_B, "Create the key with convergent encryption."),
}
_DECRYPT_FIELDS = {**_COMMON, "ciphertext": FieldSchema(_S, "The vault:v<N>: ciphertext.")}
_DATAKEY_FIELDS = {
    **_COMMON,
    "plaintext": FieldSchema(_S, "'plaintext' to also return the key, else 'wrapped'."),
    "bits": FieldSchema(_I, "Data key length: 128, 256 or 512 bits.", 256),
}
_CONTEXT_MIX = "context should be set either in all the request blocks or in none"


@dataclass(slots=True)
class _Item:
    """One input of a batch, with its decoded context and result."""

    text: str = ""
    context: str = ""
    key_version: int = 0
    associated_data: str = ""
    reference: str = ""
    decoded_context: bytes = b""
    error: str = ""
    internal: bool = False
    result: str = ""
    version: int = 0


def _decode_items(d: FieldData, text_key: str, required: bool) -> tuple[list[_Item], bool]:
    """(items, batch?) from ``batch_input`` or the top-level fields."""
    raw = d.raw.get("batch_input")
    if raw is None:
        text, supplied = d.get_ok(text_key)
        if not supplied or (text_key == "ciphertext" and not text):
            verb = "encrypt" if text_key == "plaintext" else "decrypt"
            raise InvalidRequest(f"missing {text_key} to {verb}")
        item = _Item(
            text=text,
            context=d.get("context"),
            key_version=d.get("key_version"),
            associated_data=d.get("associated_data"),
        )
        return [item], False
    items = []
    for index, entry in enumerate(batch_items(raw)):
        text = entry.get(text_key)
        if text.__class__ is str and len(entry) == 1:  # the common item: just the text
            items.append(_Item(text=text))
            continue
        items.append(
            _Item(
                text=item_string(entry, text_key, index),
                context=item_string(entry, "context", index),
                key_version=item_int(entry, "key_version", index),
                associated_data=item_string(entry, "associated_data", index),
                reference=item_string(entry, "reference", index),
            )
        )
        if required and text_key not in entry:
            verb = "encrypt" if text_key == "plaintext" else "decrypt"
            raise InvalidRequest(
                f"failed to parse batch input: '[{index}].{text_key}' missing {text_key} to {verb}"
            )
    return items, True


def _prepare_contexts(items: list[_Item]) -> None:
    with_context = bool(items[0].context)
    for item in items:
        if bool(item.context) != with_context:
            raise InvalidRequest(_CONTEXT_MIX)
        if item.context:
            try:
                item.decoded_context = b64decode(item.context)
            except ValueError as err:
                item.error = str(err)


def _associated(policy: Policy, item: _Item, index: int) -> bytes | None:
    if not item.associated_data:
        return None
    if not policy.type.associated_data_supported:
        raise InvalidRequest(
            f"'[{index}].associated_data' provided for non-AEAD cipher suite "
            f"{policy.type.wire_name}"
        )
    try:
        return b64decode(item.associated_data)
    except ValueError as err:
        raise InvalidRequest(str(err)) from err


def _fail(item: _Item, err: SealboxError) -> None:
    item.error = err.public_message
    item.internal = not isinstance(err, InvalidRequest)


def _single_error(item: _Item) -> None:
    if item.internal:
        from sealbox.errors import InternalError

        raise InternalError(item.error)
    raise InvalidRequest(item.error)


def _flags(items: list[_Item]) -> tuple[bool, bool, bool]:
    failed = [i for i in items if i.error]
    return (
        len(failed) < len(items),
        any(not i.internal for i in failed),
        any(i.internal for i in failed),
    )


class CryptPaths:
    """Handlers of encrypt, decrypt, rewrap and datakey."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    def paths(self) -> list[Path]:
        return [
            Path(
                f"rewrap/{NAME}",
                fields=_DECRYPT_FIELDS,
                operations={Operation.UPDATE: self.rewrap},
                synopsis="Rewrap ciphertext",
            ),
            Path(
                f"encrypt/{NAME}",
                fields=_ENCRYPT_FIELDS,
                operations={Operation.CREATE: self.encrypt, Operation.UPDATE: self.encrypt},
                existence_check=self.key_exists,
                synopsis=(
                    "Encrypt a plaintext value or a batch of plaintext blocks using a named key"
                ),
            ),
            Path(
                f"decrypt/{NAME}",
                fields=_DECRYPT_FIELDS,
                operations={Operation.UPDATE: self.decrypt},
                synopsis="Decrypt a ciphertext value using a named key",
            ),
            Path(
                f"datakey/(?P<plaintext>\\w(([\\w.@-]*)?[\\w@-])?)/{NAME}",
                fields=_DATAKEY_FIELDS,
                operations={Operation.UPDATE: self.datakey},
                synopsis="Generate a data key",
            ),
        ]

    async def key_exists(self, req: Request, d: FieldData) -> bool:
        return await self.keyring.get(req.view, d.get("name")) is not None

    async def _encrypt_key(
        self, req: Request, d: FieldData, items: list[_Item]
    ) -> tuple[Policy, bool]:
        """The key to encrypt with, created on first use for a CREATE; (policy, upserted)."""
        name = d.get("name")
        if req.operation is not Operation.CREATE:
            return await self.keyring.require(req.view, name), True
        with_context = bool(items[0].context)
        convergent = d.get("convergent_encryption")
        if convergent and not with_context:
            raise InvalidRequest(
                "convergent encryption requires derivation to be enabled, so context is required"
            )
        type_name = d.get("type")
        kind = KeyType.from_name(type_name)
        if kind is None:
            raise InvalidRequest(f"unknown key type {type_name}")
        if not kind.symmetric:
            raise InvalidRequest(f"key type {type_name} not supported for this operation")
        config = await self.keyring.store.read_json(req.view, KEYS_CONFIG)
        if config.get("disable_upsert"):
            return await self.keyring.require(req.view, name), True
        spec = NewKey(name=name, type=kind, derived=with_context, convergent=convergent)
        return await self.keyring.create(req.view, spec)

    async def encrypt(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/encrypt/:name."""
        if d.get("nonce"):
            raise InvalidRequest("nonce provided when not allowed")
        items, batch = _decode_items(d, "plaintext", required=True)
        _prepare_contexts(items)
        policy, created = await self._encrypt_key(req, d, items)
        nonces = os.urandom(NONCE_SIZE * len(items))  # one system call for the whole batch
        latest = operations.latest_plain_encryptor(policy)
        for index, item in enumerate(items):
            if item.error:
                continue
            nonce = nonces[index * NONCE_SIZE : (index + 1) * NONCE_SIZE]
            try:
                if latest is not None and not (
                    item.key_version or item.context or item.associated_data
                ):
                    item.result, item.version = latest[0](item.text, nonce), latest[1]
                    continue
                ad = _associated(policy, item, index)
                item.result, item.version = operations.encrypt_value(
                    policy, item.key_version, item.decoded_context, item.text, ad, nonce
                )
            except SealboxError as err:
                _fail(item, err)
        warnings = []
        if req.operation is Operation.CREATE and not created:
            warnings.append(
                "Attempted creation of the key during the encrypt operation, but it was "
                "created beforehand"
            )
        if not batch:
            if items[0].error:
                _single_error(items[0])
            return Response(
                data={"ciphertext": items[0].result, "key_version": items[0].version},
                warnings=warnings,
            )
        results = [_encrypt_result(i) for i in items]
        response = batch_response(d, {"batch_results": results}, *_flags(items))
        response.warnings.extend(warnings)
        return response

    async def decrypt(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/decrypt/:name."""
        items, batch = _decode_items(d, "ciphertext", required=True)
        _prepare_contexts(items)
        for item in items:
            if not item.text and not item.error:
                item.error = "missing ciphertext to decrypt"
        policy = await self.keyring.require(req.view, d.get("name"))
        plain = operations.plain_decryptor(policy)
        for index, item in enumerate(items):
            if item.error:
                continue
            try:
                if plain is not None and not (item.context or item.associated_data):
                    item.result = plain(item.text)
                    continue
                ad = _associated(policy, item, index)
                item.result = operations.decrypt_value(policy, item.decoded_context, item.text, ad)
            except SealboxError as err:
                _fail(item, err)
        if not batch:
            if items[0].error:
                _single_error(items[0])
            return Response(data={"plaintext": items[0].result})
        results: list[dict[str, Any]] = []
        for item in items:
            entry: dict[str, Any] = {"plaintext": item.result}
            if item.error:
                entry["error"] = item.error
            entry["reference"] = item.reference
            results.append(entry)
        return batch_response(d, {"batch_results": results}, *_flags(items))

    async def rewrap(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/rewrap/:name: decrypt and encrypt again with the latest version."""
        items, batch = _decode_items(d, "ciphertext", required=False)
        _prepare_contexts(items)
        for item in items:
            if not item.text and not item.error:
                item.error = "missing ciphertext to decrypt"
        policy = await self.keyring.require(req.view, d.get("name"))
        for item in items:
            if item.error:
                continue
            try:
                plain = operations.decrypt_value(policy, item.decoded_context, item.text)
                item.result, item.version = operations.encrypt_value(
                    policy, item.key_version, item.decoded_context, plain
                )
            except SealboxError as err:
                _fail(item, err)
                if item.internal:
                    raise
        if not batch:
            if items[0].error:
                _single_error(items[0])
            return Response(data={"ciphertext": items[0].result, "key_version": items[0].version})
        # compat: rewrap answers 200 even when items failed (path_rewrap.go)
        return Response(data={"batch_results": [_encrypt_result(i) for i in items]})

    async def datakey(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/datakey/(plaintext|wrapped)/:name."""
        mode = d.get("plaintext")
        if mode not in ("plaintext", "wrapped"):
            raise InvalidRequest("Invalid path, must be 'plaintext' or 'wrapped'")
        context = b""
        if d.get("context"):
            try:
                context = b64decode(d.get("context"))
            except ValueError as err:
                raise InvalidRequest("failed to base64-decode context") from err
        policy = await self.keyring.require(req.view, d.get("name"))
        bits = d.get("bits")
        if bits not in (128, 256, 512):
            raise InvalidRequest("invalid bit length")
        key = secrets.token_bytes(bits // 8)
        ad = None
        if d.get("associated_data"):
            if not policy.type.associated_data_supported:
                raise InvalidRequest(
                    f"'associated_data' provided for non-AEAD cipher suite {policy.type.wire_name}"
                )
            try:
                ad = b64decode(d.get("associated_data"))
            except ValueError as err:
                raise InvalidRequest(str(err)) from err
        wrapped, version = operations.encrypt_value(
            policy, d.get("key_version"), context, b64encode(key), ad
        )
        data: dict[str, Any] = {"ciphertext": wrapped, "key_version": version}
        if mode == "plaintext":
            data["plaintext"] = b64encode(key)
        return Response(data=data)


def _encrypt_result(item: _Item) -> dict[str, Any]:
    # compat: ciphertext, key_version and error are omitempty; reference is always there
    entry: dict[str, Any] = {}
    if item.result:
        entry["ciphertext"] = item.result
    if item.version:
        entry["key_version"] = item.version
    if item.error:
        entry["error"] = item.error
    entry["reference"] = item.reference
    return entry
