"""``keys/``: list, create, read and delete keys; ``keys/:name/{config,rotate,trim}``.

Mirrors openbao transit path_keys.go, path_keys_config.go, path_rotate.go and path_trim.go,
with their messages, and OpenBao's soft-delete. Create answers 200 with the key (as OpenBao
does); a create of an existing key returns it unchanged.
"""

from __future__ import annotations

from sealbox.engines.transit.common import NAME, b64decode, name_field
from sealbox.engines.transit.describe import describe
from sealbox.engines.transit.keyring import Keyring, NewKey
from sealbox.engines.transit.keytypes import KeyType
from sealbox.engines.transit.policy import Policy
from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.logical import Operation, Request, Response

_S, _B, _I, _D = FieldType.STRING, FieldType.BOOL, FieldType.INT, FieldType.DURATION
_CREATE_FIELDS = {
    **name_field(),
    "type": FieldSchema(
        _S, "Key type (aes256-gcm96, ed25519, rsa-2048, hmac, ...).", "aes256-gcm96"
    ),
    "derived": FieldSchema(_B, "Derive a per-request key from a context."),
    "convergent_encryption": FieldSchema(
        _B, "Same plaintext and context give the same ciphertext."
    ),
    "exportable": FieldSchema(_B, "Allow the key material to be exported."),
    "allow_plaintext_backup": FieldSchema(_B, "Allow a plaintext backup; cannot be undone."),
    "context": FieldSchema(_S, "Base64 context: a read returns the derived public key for it."),
    "auto_rotate_period": FieldSchema(
        _D, "Rotate automatically this often (0: never, else >= 1h)."
    ),
    "key_size": FieldSchema(_I, "Key size in bytes (HMAC keys only, 32..512)."),
}
_CONFIG_FIELDS = {
    **name_field(),
    "min_decryption_version": FieldSchema(_I, "Oldest version allowed to decrypt."),
    "min_encryption_version": FieldSchema(_I, "Oldest version allowed to encrypt (0: latest)."),
    "deletion_allowed": FieldSchema(_B, "Whether the key may be deleted."),
    "exportable": FieldSchema(_B, "Allow export; cannot be undone."),
    "allow_plaintext_backup": FieldSchema(_B, "Allow plaintext backup; cannot be undone."),
    "auto_rotate_period": FieldSchema(
        _D, "Rotate automatically this often (0: never, else >= 1h)."
    ),
}
_HOUR = 3600


def _check_period(seconds: int) -> None:
    if seconds != 0 and seconds < _HOUR:
        raise InvalidRequest("auto rotate period must be 0 to disable or at least an hour")


class KeyPaths:
    """Handlers of the key management routes."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    def paths(self) -> list[Path]:
        name = name_field()
        return [
            Path(
                f"keys/{NAME}/rotate",
                fields=name,
                operations={Operation.UPDATE: self.rotate_key},
                synopsis="Rotate named encryption key",
            ),
            Path(
                f"keys/{NAME}/config",
                fields=_CONFIG_FIELDS,
                operations={Operation.UPDATE: self.configure_key},
                synopsis="Configure a named encryption key",
            ),
            Path(
                f"keys/{NAME}/trim",
                fields={
                    **name,
                    "min_available_version": FieldSchema(_I, "Versions below this are deleted."),
                },
                operations={Operation.UPDATE: self.trim_key},
                synopsis="Trim key versions of a named key",
            ),
            Path(
                f"keys/{NAME}/soft-delete",
                fields=name,
                operations={Operation.DELETE: self.soft_delete_key},
                synopsis="Soft-delete a key: kept, but unusable until restored",
            ),
            Path(
                f"keys/{NAME}/soft-delete-restore",
                fields=name,
                operations={Operation.UPDATE: self.soft_delete_restore_key},
                synopsis="Make a soft-deleted key usable again",
            ),
            Path(
                "keys/?",
                fields={
                    "after": FieldSchema(_S, "List keys after this one."),
                    "limit": FieldSchema(_I, "Return at most this many keys."),
                },
                operations={Operation.LIST: self.list_keys},
                synopsis="Managed named encryption keys",
            ),
            Path(
                f"keys/{NAME}",
                fields=_CREATE_FIELDS,
                operations={
                    Operation.UPDATE: self.create_key,
                    Operation.READ: self.read_key,
                    Operation.DELETE: self.delete_key,
                },
                synopsis="Managed named encryption keys",
                description="Create a key by writing to it; reading shows its versions.",
            ),
        ]

    async def list_keys(self, req: Request, d: FieldData) -> Response:
        """LIST /:mount/keys."""
        names = await self.keyring.store.names(req.view)
        after, limit = d.get("after"), d.get("limit")
        if after:
            names = [n for n in names if n > after]
        if limit > 0:
            names = names[:limit]
        return Response(data={"keys": names})

    async def create_key(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/keys/:name."""
        _check_period(d.get("auto_rotate_period"))
        derived, convergent = d.get("derived"), d.get("convergent_encryption")
        if not derived and convergent:
            raise InvalidRequest("convergent encryption requires derivation to be enabled")
        type_name = d.get("type")
        kind = KeyType.from_name(type_name)
        if kind is None:
            raise InvalidRequest(f"unknown key type {type_name}")
        key_size = d.get("key_size")
        if key_size:
            if kind is not KeyType.HMAC:
                raise InvalidRequest(f"key_size is not valid for algorithm {kind.wire_name}")
            if not 32 <= key_size <= 512:
                raise InvalidRequest(f"invalid key_size {key_size}")
        spec = NewKey(
            name=d.get("name"),
            type=kind,
            derived=derived,
            convergent=convergent,
            exportable=d.get("exportable"),
            allow_plaintext_backup=d.get("allow_plaintext_backup"),
            auto_rotate_period=d.get("auto_rotate_period"),
            key_size=key_size,
        )
        policy, _created = await self.keyring.create(req.view, spec)
        # compat: OpenBao's getPolicy reports every key as upserted, so no "already existed"
        # warning ever appears although path_keys.go has one.
        return Response(data=describe(policy))

    async def read_key(self, req: Request, d: FieldData) -> Response | None:
        """GET /:mount/keys/:name."""
        policy = await self.keyring.get(req.view, d.get("name"))
        if policy is None:
            return None
        context = b""
        if d.get("context"):
            try:
                context = b64decode(d.get("context"))
            except ValueError as err:
                raise InvalidRequest("failed to base64-decode context") from err
        return Response(data=describe(policy, context))

    async def delete_key(self, req: Request, d: FieldData) -> None:
        """DELETE /:mount/keys/:name (only with deletion_allowed)."""
        name = d.get("name")
        store = self.keyring.store
        async with store.locked(name):
            policy = await store.get(req.view, name)
            if policy is None:
                raise InvalidRequest(
                    f"error deleting policy {name}: could not delete key; not found"
                )
            if not policy.deletion_allowed:
                raise InvalidRequest(
                    f"error deleting policy {name}: deletion is not allowed for this key"
                )
            await store.delete(req.view, name)

    async def _soft_delete(self, req: Request, d: FieldData, deleted: bool) -> Response | None:
        name = d.get("name")
        if await self.keyring.get(req.view, name) is None:
            return None
        before: list[bool] = []

        def apply(policy: Policy) -> Policy:
            before.append(policy.soft_deleted)
            if policy.soft_deleted == deleted:
                return policy
            return policy.evolve(soft_deleted=deleted)

        policy = await self.keyring.change(req.view, name, apply)
        response = Response(data=describe(policy))
        if before and before[0] == deleted:
            response.warnings.append(
                "key was already marked as soft deleted" if deleted else "key was already restored"
            )
        return response

    async def soft_delete_key(self, req: Request, d: FieldData) -> Response | None:
        """DELETE /:mount/keys/:name/soft-delete (OpenBao): the key stays but cannot be used."""
        return await self._soft_delete(req, d, deleted=True)

    async def soft_delete_restore_key(self, req: Request, d: FieldData) -> Response | None:
        """POST /:mount/keys/:name/soft-delete-restore (OpenBao)."""
        return await self._soft_delete(req, d, deleted=False)

    async def rotate_key(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/keys/:name/rotate."""
        policy = await self.keyring.change(req.view, d.get("name"), self.keyring.rotate)
        return Response(data=describe(policy))

    async def configure_key(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/keys/:name/config. Only supplied fields change."""
        name = d.get("name")
        warnings: list[str] = []

        def apply(policy: Policy) -> Policy:
            return _configured(policy, d, warnings)

        policy = await self.keyring.change(
            req.view, name, apply, missing=f"no existing key named {name} could be found"
        )
        return Response(data=describe(policy), warnings=warnings)

    async def trim_key(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/keys/:name/trim {min_available_version}."""
        wanted, supplied = d.get_ok("min_available_version")
        policy = await self.keyring.get(req.view, d.get("name"))
        if policy is None:
            raise InvalidRequest("invalid key name")
        if not supplied:
            raise InvalidRequest("missing min_available_version")

        def apply(current: Policy) -> Policy:
            _check_trim(current, wanted)
            keys = {v: e for v, e in current.keys.items() if v >= wanted}
            return current.evolve(keys=keys, min_available_version=wanted)

        policy = await self.keyring.change(req.view, d.get("name"), apply, "invalid key name")
        return Response(data=describe(policy))


def _check_trim(policy: Policy, wanted: int) -> None:
    """keysutil trim rules, in OpenBao's order and words."""
    problems = (
        (wanted < policy.min_available_version, "minimum available version cannot be decremented"),
        (
            policy.min_encryption_version == 0,
            "minimum available version cannot be set when minimum encryption version is not set",
        ),
        (
            policy.min_decryption_version == 0,
            "minimum available version cannot be set when minimum decryption version is not set",
        ),
        (
            wanted > policy.min_encryption_version,
            "minimum available version cannot be greater than minmum encryption version",
        ),
        (
            wanted > policy.min_decryption_version,
            "minimum available version cannot be greater than minimum decryption version",
        ),
        (wanted < 0, "minimum available version cannot be negative"),
        (wanted == 0, "minimum available version should be positive"),
    )
    for failed, message in problems:
        if failed:
            raise InvalidRequest(message)


def _configured(policy: Policy, d: FieldData, warnings: list[str]) -> Policy:
    """path_keys_config.go ``pathKeysConfigWrite`` on an immutable policy."""
    changes: dict[str, object] = {}
    min_dec, ok = d.get_ok("min_decryption_version")
    if ok:
        if min_dec < 0:
            raise InvalidRequest("min decryption version cannot be negative")
        if min_dec == 0:
            min_dec = 1
            warnings.append(
                "since Vault 0.3 (prior to the OpenBao fork), transit key numbering starts "
                "at 1; forcing minimum to 1"
            )
        if min_dec != policy.min_decryption_version:
            if min_dec > policy.latest_version:
                raise InvalidRequest(
                    f"cannot set min decryption version of {min_dec}, latest key version is "
                    f"{policy.latest_version}"
                )
            changes["min_decryption_version"] = min_dec
    min_enc, ok = d.get_ok("min_encryption_version")
    if ok:
        if min_enc < 0:
            raise InvalidRequest("min encryption version cannot be negative")
        if min_enc != policy.min_encryption_version:
            if min_enc > policy.latest_version:
                raise InvalidRequest(
                    f"cannot set min encryption version of {min_enc}, latest key version is "
                    f"{policy.latest_version}"
                )
            changes["min_encryption_version"] = min_enc
    enc = min_enc if "min_encryption_version" in changes else policy.min_encryption_version
    dec = min_dec if "min_decryption_version" in changes else policy.min_decryption_version
    if 0 < enc < dec:
        raise InvalidRequest(
            "cannot set min encryption/decryption values; min encryption version of "
            f"{enc} must be greater than or equal to min decryption version of {dec}"
        )
    allow, ok = d.get_ok("deletion_allowed")
    if ok and allow != policy.deletion_allowed:
        changes["deletion_allowed"] = allow
    if dec == 0:
        changes["min_decryption_version"] = dec = 1
    if d.get("exportable") and not policy.exportable:
        changes["exportable"] = True
    if d.get("allow_plaintext_backup") and not policy.allow_plaintext_backup:
        changes["allow_plaintext_backup"] = True
    period, ok = d.get_ok("auto_rotate_period")
    if ok:
        _check_period(period)
        if period != policy.auto_rotate_period:
            changes["auto_rotate_period"] = period
    if not changes:
        return policy
    if policy.min_available_version > enc:
        raise InvalidRequest("min encryption version should not be less than min available version")
    if policy.min_available_version > dec:
        raise InvalidRequest("min decryption version should not be less then min available version")
    return policy.evolve(**changes)
