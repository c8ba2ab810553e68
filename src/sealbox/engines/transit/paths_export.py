"""``export/``, ``backup/`` and ``restore``: key material leaving and entering the engine.

Mirrors openbao transit path_export.go, path_backup.go and path_restore.go. Export needs an
``exportable`` key (public keys excepted); backup needs ``exportable`` and
``allow_plaintext_backup`` and records ``backup_info`` on the key; restore refuses to
overwrite an existing key unless ``force`` is set.
"""

from __future__ import annotations

from sealbox.engines.transit.backup import decode_backup, encode_backup
from sealbox.engines.transit.common import NAME, name_field, optional
from sealbox.engines.transit.describe import live_versions
from sealbox.engines.transit.export import EXPORT_TYPES, FORMATS, export_key
from sealbox.engines.transit.keyring import Keyring
from sealbox.engines.transit.policy import Policy, Stamp
from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.logical import Operation, Request, Response

_S, _B = FieldType.STRING, FieldType.BOOL


class ExportPaths:
    """Handlers of export, backup and restore."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    def paths(self) -> list[Path]:
        return [
            Path(
                f"export/(?P<type>\\w(([\\w.@-]*)?[\\w@-])?)/{NAME}{optional('version')}",
                fields={
                    **name_field(),
                    "type": FieldSchema(_S, "encryption-key, signing-key, hmac-key or public-key."),
                    "version": FieldSchema(_S, "Version to export (a number or 'latest')."),
                    "format": FieldSchema(_S, "Encoding: '' (default), raw, der or pem."),
                },
                operations={Operation.READ: self.export_key},
                synopsis="Export named encryption or signing key",
            ),
            Path(
                f"backup/{NAME}",
                fields=name_field(),
                operations={Operation.READ: self.backup_key},
                synopsis="Backup the named key",
            ),
            Path(
                "restore" + optional("name"),
                fields={
                    **name_field("Name to restore the key under (default: its own)."),
                    "backup": FieldSchema(_S, "The backup returned by backup/:name."),
                    "force": FieldSchema(_B, "Overwrite an existing key of that name."),
                },
                operations={Operation.UPDATE: self.restore_key},
                synopsis="Restore the named key",
            ),
        ]

    async def export_key(self, req: Request, d: FieldData) -> Response | None:
        """GET /:mount/export/:type/:name(/:version)."""
        export_type, fmt = d.get("type"), d.get("format")
        if export_type not in EXPORT_TYPES:
            raise InvalidRequest(f"invalid export type: {export_type}")
        if fmt not in FORMATS:
            raise InvalidRequest(f"invalid format: {fmt}")
        policy = await self.keyring.get(req.view, d.get("name"))
        if policy is None:
            return None
        if not policy.exportable and export_type not in ("public-key", "certificate-chain"):
            raise InvalidRequest("private key material is not exportable")
        if policy.soft_deleted:
            raise InvalidRequest("refusing to use soft-deleted key")
        _check_export_type(policy, export_type)
        versions = _export_versions(policy, d.get("version"))
        keys = {str(v): export_key(policy, policy.keys[v], export_type, fmt) for v in versions}
        return Response(data={"name": policy.name, "type": policy.type.wire_name, "keys": keys})

    async def backup_key(self, req: Request, d: FieldData) -> Response:
        """GET /:mount/backup/:name."""
        name = d.get("name")

        def stamp(policy: Policy) -> Policy:
            if policy.soft_deleted:
                raise InvalidRequest("refusing to use soft-deleted key")
            if not policy.exportable:
                raise InvalidRequest("exporting is disallowed on the policy")
            if not policy.allow_plaintext_backup:
                raise InvalidRequest("plaintext backup is disallowed on the policy")
            return policy.evolve(backup_info=Stamp.at(self.keyring.clock(), policy.latest_version))

        policy = await self.keyring.change(req.view, name, stamp, missing=f'key "{name}" not found')
        return Response(data={"backup": encode_backup(policy)})

    async def restore_key(self, req: Request, d: FieldData) -> None:
        """POST /:mount/restore(/:name) {backup, force}."""
        backup = d.get("backup")
        if not backup:
            raise InvalidRequest("'backup' must be supplied")
        name = d.get("name")
        if "/" in name:
            raise InvalidRequest("key names cannot be paths")
        policy = decode_backup(backup, name, self.keyring.clock())
        store = self.keyring.store
        async with store.locked(policy.name):
            if await store.get(req.view, policy.name) is not None and not d.get("force"):
                raise InvalidRequest(f'key "{policy.name}" already exists')
            await store.put(req.view, policy)


def _check_export_type(policy: Policy, export_type: str) -> None:
    kind = policy.type
    if export_type == "encryption-key" and not kind.supports_encryption:
        raise InvalidRequest("encryption not supported for the key")
    if export_type == "signing-key" and not kind.supports_signing:
        raise InvalidRequest("signing not supported for the key")
    if export_type == "certificate-chain" and not kind.supports_signing:
        raise InvalidRequest("certificate chain not supported for keys that do not support signing")


def _export_versions(policy: Policy, version: str) -> list[int]:
    if not version:
        return live_versions(policy)
    if version == "latest":
        wanted = policy.latest_version
    else:
        try:
            wanted = int(version.removeprefix("v"))
        except ValueError as err:
            raise InvalidRequest("invalid key version") from err
    if wanted < policy.min_decryption_version:
        raise InvalidRequest("version for export is below minimum decryption version")
    if wanted not in live_versions(policy):
        raise InvalidRequest("version does not exist or cannot be found")
    return [wanted]
