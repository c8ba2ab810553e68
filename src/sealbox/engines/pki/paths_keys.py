"""``keys``, ``keys/generate/<type>``, ``keys/import`` and ``key/<ref>``: issuer keys on their
own, for rotating a CA onto a new key (``root/generate/existing``, ``key_ref``).

Mirrors openbao builtin/logical/pki/path_fetch_keys.go and path_manage_keys.go: reads show
the key's id, name, type and subject key id, never the key itself (only ``exported`` answers
it, once); a key an issuer still uses cannot be deleted.
"""

from __future__ import annotations

from typing import Any

from cryptography import x509

from sealbox.engines.pki import keys
from sealbox.engines.pki.ca_ops import check_names, parse_keys, store_key
from sealbox.engines.pki.ca_request import export_mode
from sealbox.engines.pki.context import PKIContext
from sealbox.engines.pki.issuers import resolve_key
from sealbox.engines.pki.names import name as segment
from sealbox.engines.pki.store import KeyEntry, PKIStore
from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.logical import Operation, Request, Response

_S, _I = FieldType.STRING, FieldType.INT
_GENERATE = {
    "exported": FieldSchema(_S, "internal or exported."),
    "key_type": FieldSchema(_S, "rsa, ec or ed25519.", default="rsa"),
    "key_bits": FieldSchema(_I, "Key size (0: the type's default)."),
    "key_name": FieldSchema(_S, "Name for the key."),
}
_IMPORT = {
    "pem_bundle": FieldSchema(_S, "The PEM private key."),
    "key_name": FieldSchema(_S, "Name for the key."),
}
_REF = {
    "key_ref": FieldSchema(_S, "Key id or name."),
    "key_name": FieldSchema(_S, "New name."),
}


def _subject_key_id(entry: KeyEntry) -> str:
    public = keys.load_private_pem(entry.private_key).public_key()
    digest = x509.SubjectKeyIdentifier.from_public_key(public).digest
    return ":".join(f"{b:02x}" for b in digest)


def key_wire(entry: KeyEntry) -> dict[str, Any]:
    return {"key_id": entry.id, "key_name": entry.name, "key_type": entry.type}


async def _users(store: PKIStore, key_id: str) -> list[str]:
    users = []
    for issuer_id in await store.issuer_ids():
        issuer = await store.issuer(issuer_id)
        if issuer is not None and issuer.key_id == key_id:
            users.append(issuer.id)
    return users


class KeyPaths:
    """Handlers of the key endpoints."""

    def __init__(self, ctx: PKIContext) -> None:
        self.ctx = ctx

    def paths(self) -> list[Path]:
        return [
            Path(
                "keys/?",
                operations={Operation.LIST: self.list_keys},
                synopsis="List the keys of this mount.",
            ),
            Path(
                "keys/generate/(?P<exported>[^/]+)",
                fields=_GENERATE,
                operations={Operation.UPDATE: self.generate_key},
                synopsis="Generate a new private key for future issuers.",
            ),
            Path(
                "keys/import",
                fields=_IMPORT,
                operations={Operation.UPDATE: self.import_key},
                synopsis="Import a private key for future issuers.",
            ),
            Path(
                "key/" + segment("key_ref"),
                fields=_REF,
                operations={
                    Operation.READ: self.read_key,
                    Operation.UPDATE: self.update_key,
                    Operation.DELETE: self.delete_key,
                },
                synopsis="Read, rename or delete one key.",
            ),
        ]

    async def list_keys(self, req: Request, d: FieldData) -> Response:
        """LIST /:mount/keys."""
        del d
        store = self.ctx.store(req)
        default_key = ""
        default = await store.default_issuer_id()
        if default:
            issuer = await store.issuer(default)
            default_key = issuer.key_id if issuer else ""
        ids = await store.key_ids()
        info: dict[str, Any] = {}
        for key_id in ids:
            entry = await store.key(key_id)
            if entry is not None:
                info[key_id] = {"is_default": key_id == default_key, "key_name": entry.name}
        return Response(data={"keys": ids, "key_info": info})

    async def generate_key(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/keys/generate/:type."""
        mode = export_mode(d.get("exported"))
        if mode == "existing":
            raise InvalidRequest('the "exported" path parameter must be "internal" or "exported"')
        store = self.ctx.store(req)
        await check_names(store, "", d.get("key_name"))
        private = keys.generate(keys.key_spec(d.get("key_type"), d.get("key_bits")))
        entry = await store_key(store, private, d.get("key_name"))
        data = key_wire(entry)
        if mode == "exported":
            data["private_key"] = keys.private_pem(private)
        return Response(data=data)

    async def import_key(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/keys/import. Exactly one PEM private key."""
        found = parse_keys(d.get("pem_bundle"))
        if len(found) != 1:
            raise InvalidRequest("the pem_bundle must hold exactly one private key")
        store = self.ctx.store(req)
        await check_names(store, "", d.get("key_name"))
        entry = await store_key(store, found[0], d.get("key_name"))
        return Response(data=key_wire(entry))

    async def read_key(self, req: Request, d: FieldData) -> Response:
        """GET /:mount/key/:ref. Metadata only; the private key never leaves."""
        entry = await resolve_key(self.ctx.store(req), d.get("key_ref"))
        return Response(data={**key_wire(entry), "subject_key_id": _subject_key_id(entry)})

    async def update_key(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/key/:ref. Rename."""
        store = self.ctx.store(req)
        entry = await resolve_key(store, d.get("key_ref"))
        name = d.get("key_name")
        if name != entry.name:
            await check_names(store, "", name)
            entry.name = name
            await store.put_key(entry)
        return Response(data=key_wire(entry))

    async def delete_key(self, req: Request, d: FieldData) -> Response:
        """DELETE /:mount/key/:ref. Refused while an issuer uses it."""
        store = self.ctx.store(req)
        entry = await resolve_key(store, d.get("key_ref"))
        users = await _users(store, entry.id)
        if users:
            # compat: OpenBao's message (path_manage_keys.go pathDeleteKeyHandler)
            raise InvalidRequest(f"Failed to Delete Key.  Key in Use by Issuer: {users[0]}")
        await store.delete_key(entry.id)
        return Response()
