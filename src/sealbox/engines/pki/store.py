"""PKI storage: the layout inside the mount's StorageView and typed records on it.

Our own layout (OpenBao's differs; nothing outside this module depends on it), every value
JSON::

    config/issuers             {"default": <issuer id>}
    config/urls                AIA/CDP URLs written into issued certificates
    config/crl                 CRL settings (expiry, disable)
    config/auto-tidy           the periodic tidy (engines/pki/auto_tidy.py)
    issuer/<id>                IssuerEntry: certificate, chain, key id, name, usage
    key/<id>                   KeyEntry: the private key PEM (encrypted by the barrier)
    role/<name>                Role (engines/pki/roles.py)
    certs/<serial>             CertEntry: every stored certificate (serial "aa-bb-..")
    revoked/<serial>           RevokedEntry: revocation time and issuer
    revoked-by/<issuer id>     {serial: revocation time} of that issuer's revocations: what its
                               CRL lists, in one read (kept in the same transaction as revoked/)
    crl/<issuer id>            the current CRL (DER, base64) and its number
    tidy/status                the last tidy run

Serials are stored with "-" and shown with ":" (Vault's convention), so a storage key never
holds a character the view would read as structure.
"""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass, field
from typing import Any

import orjson

from sealbox.logical import Storage, TxOp

_ISSUER = "issuer/"
_KEY = "key/"
_ROLE = "role/"
_CERTS = "certs/"
_REVOKED = "revoked/"
_REVOKED_BY = "revoked-by/"
_CRL = "crl/"
CONFIG_ISSUERS = "config/issuers"
CONFIG_URLS = "config/urls"
CONFIG_CRL = "config/crl"
TIDY_STATUS = "tidy/status"


def serial_key(serial: str) -> str:
    """The storage form of a colon (or dash) separated hex serial."""
    return serial.strip().lower().replace(":", "-")


def serial_wire(key: str) -> str:
    """The colon form clients see."""
    return key.replace("-", ":")


def format_serial(number: int) -> str:
    """Colon hex of a serial number, two digits per byte (Vault's certutil.GetHexFormatted)."""
    raw = number.to_bytes(max(1, (number.bit_length() + 7) // 8), "big")
    return ":".join(f"{b:02x}" for b in raw)


@dataclass(slots=True)
class KeyEntry:
    """One private key an issuer signs with."""

    id: str
    name: str
    type: str
    private_key: str = field(repr=False)


@dataclass(slots=True)
class IssuerEntry:
    """One CA certificate the mount can issue from."""

    id: str
    name: str
    key_id: str
    certificate: str
    ca_chain: list[str]
    serial_number: str
    usage: str = "crl-signing,issuing-certificates,ocsp-signing,read-only"
    leaf_not_after_behavior: str = "err"
    revoked: bool = False
    revocation_time: float = 0.0
    issuing_certificates: list[str] = field(default_factory=list)
    crl_distribution_points: list[str] = field(default_factory=list)
    ocsp_servers: list[str] = field(default_factory=list)


@dataclass(slots=True)
class CertEntry:
    """A certificate the mount issued (or a CA it holds)."""

    serial_number: str
    certificate: str
    issuer_id: str
    not_after: int


@dataclass(slots=True)
class RevokedEntry:
    """A revocation: when, and by which issuer the certificate was signed."""

    serial_number: str
    revocation_time: float
    issuer_id: str
    certificate: str
    not_after: int


def _dump(record: Any) -> bytes:
    """JSON of a record (orjson serialises dataclasses itself, faster than ``asdict``)."""
    return orjson.dumps(record)


class PKIStore:
    """Typed reads and writes of the layout above on one mount's storage.

    ``index_lock`` (one per mount, from the engine) serialises updates of the per-issuer
    revocation indexes, which are read-modify-writes.
    """

    def __init__(self, storage: Storage, index_lock: asyncio.Lock | None = None) -> None:
        self.storage = storage
        self.index_lock = index_lock or asyncio.Lock()

    async def get_json(self, key: str) -> dict[str, Any] | None:
        raw = await self.storage.get(key)
        return None if raw is None else dict(orjson.loads(raw))

    async def put_json(self, key: str, value: dict[str, Any]) -> None:
        await self.storage.put(key, orjson.dumps(value))

    # keys and issuers
    async def key(self, key_id: str) -> KeyEntry | None:
        raw = await self.get_json(_KEY + key_id)
        return None if raw is None else KeyEntry(**raw)

    async def key_ids(self) -> list[str]:
        return await self.storage.list(_KEY)

    async def issuer(self, issuer_id: str) -> IssuerEntry | None:
        raw = await self.get_json(_ISSUER + issuer_id)
        return None if raw is None else IssuerEntry(**raw)

    async def issuer_ids(self) -> list[str]:
        return await self.storage.list(_ISSUER)

    async def put_issuer(self, issuer: IssuerEntry) -> None:
        await self.storage.put(_ISSUER + issuer.id, _dump(issuer))

    async def put_key(self, key: KeyEntry) -> None:
        await self.storage.put(_KEY + key.id, _dump(key))

    async def delete_issuer(self, issuer_id: str) -> None:
        await self.storage.delete(_ISSUER + issuer_id)

    async def delete_key(self, key_id: str) -> None:
        await self.storage.delete(_KEY + key_id)

    async def default_issuer_id(self) -> str:
        raw = await self.get_json(CONFIG_ISSUERS)
        return "" if raw is None else str(raw.get("default", ""))

    async def set_default_issuer(self, issuer_id: str) -> None:
        await self.put_json(CONFIG_ISSUERS, {"default": issuer_id})

    # certificates
    async def cert(self, serial: str) -> CertEntry | None:
        raw = await self.get_json(_CERTS + serial_key(serial))
        return None if raw is None else CertEntry(**raw)

    async def put_cert(self, cert: CertEntry) -> None:
        await self.storage.put(_CERTS + serial_key(cert.serial_number), _dump(cert))

    async def cert_serials(self) -> list[str]:
        return [serial_wire(k) for k in await self.storage.list(_CERTS)]

    async def delete_cert(self, serial: str) -> None:
        await self.storage.delete(_CERTS + serial_key(serial))

    async def revoked(self, serial: str) -> RevokedEntry | None:
        raw = await self.get_json(_REVOKED + serial_key(serial))
        return None if raw is None else RevokedEntry(**raw)

    async def put_revoked(self, entry: RevokedEntry) -> None:
        """Record a revocation and add it to its issuer's index, in one transaction."""
        async with self.index_lock:
            index = await self.revocation_index(entry.issuer_id)
            index[entry.serial_number] = entry.revocation_time
            await self.storage.transaction(
                [
                    TxOp(_REVOKED + serial_key(entry.serial_number), _dump(entry)),
                    TxOp(_REVOKED_BY + entry.issuer_id, orjson.dumps(index)),
                ]
            )

    async def revocation_index(self, issuer_id: str) -> dict[str, float]:
        """{serial: revocation time} of the revocations of ``issuer_id``'s certificates."""
        raw = await self.storage.get(_REVOKED_BY + issuer_id)
        return {} if raw is None else dict(orjson.loads(raw))

    async def revoked_serials(self) -> list[str]:
        return [serial_wire(k) for k in await self.storage.list(_REVOKED)]

    async def delete_revoked(self, serial: str) -> None:
        """Forget a revocation, in its issuer's index too (one transaction)."""
        async with self.index_lock:
            entry = await self.revoked(serial)
            if entry is None:
                return
            index = await self.revocation_index(entry.issuer_id)
            index.pop(entry.serial_number, None)
            await self.storage.transaction(
                [
                    TxOp(_REVOKED + serial_key(serial), None),
                    TxOp(_REVOKED_BY + entry.issuer_id, orjson.dumps(index)),
                ]
            )

    # CRLs
    async def crl(self, issuer_id: str) -> tuple[bytes, int] | None:
        raw = await self.get_json(_CRL + issuer_id)
        if raw is None:
            return None
        return base64.b64decode(raw["der"]), int(raw["number"])

    async def put_crl(self, issuer_id: str, der: bytes, number: int) -> None:
        value = {"der": base64.b64encode(der).decode("ascii"), "number": number}
        await self.put_json(_CRL + issuer_id, value)

    async def delete_crl(self, issuer_id: str) -> None:
        await self.storage.delete(_CRL + issuer_id)

    async def put_many(self, ops: list[TxOp]) -> None:
        await self.storage.transaction(ops)

    @staticmethod
    def issuer_op(issuer: IssuerEntry) -> TxOp:
        return TxOp(_ISSUER + issuer.id, _dump(issuer))

    @staticmethod
    def key_op(key: KeyEntry) -> TxOp:
        return TxOp(_KEY + key.id, _dump(key))

    @staticmethod
    def cert_op(cert: CertEntry) -> TxOp:
        return TxOp(_CERTS + serial_key(cert.serial_number), _dump(cert))

    @staticmethod
    def default_op(issuer_id: str) -> TxOp:
        return TxOp(CONFIG_ISSUERS, orjson.dumps({"default": issuer_id}))

    # roles
    async def role_raw(self, name: str) -> dict[str, Any] | None:
        return await self.get_json(_ROLE + name)

    async def put_role_raw(self, name: str, value: dict[str, Any]) -> None:
        await self.put_json(_ROLE + name, value)

    async def delete_role(self, name: str) -> None:
        await self.storage.delete(_ROLE + name)

    async def role_names(self) -> list[str]:
        return await self.storage.list(_ROLE)
