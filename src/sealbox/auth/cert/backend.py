"""The ``cert`` auth method: log in with a TLS client certificate.

Mirrors OpenBao's builtin/credential/cert: ``certs/:name`` holds trusted CA or leaf
certificates with constraints and token settings; ``login`` takes the certificate the client
presented on the TLS connection (the listener hands it over as ``Request.client_cert_pem``),
optionally restricted to one entry by ``name``, and finds an entry that trusts it. No
certificate: 400 ``no client certificate found``; none that matches: 400 ``invalid certificate
or no client certificate supplied``. sealbox's listener (Python's TLS stack) can only ask for a
client certificate when it has a ``tls_client_ca_file`` to verify it against, so cert logins
need one there (OpenBao asks for any certificate and leaves verification to this method). The token carries ``cert_name``, ``common_name``, ``serial_number``,
``subject_key_id`` and ``authority_key_id``; the entity alias is the certificate's common name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime

import orjson
from cryptography import x509
from cryptography.x509.oid import NameOID

from sealbox.auth.cert.trusted import TrustedCert, load_certificate
from sealbox.errors import InvalidCredentials, InvalidRequest
from sealbox.framework import Backend, BackendConfig, FieldData, FieldSchema, FieldType, Path
from sealbox.framework.path import segment
from sealbox.framework.tokenutil import TokenSettings, renew_terms, token_fields
from sealbox.logical import Alias, Auth, Operation, Request, Response, Storage

_PREFIX = "cert/"
_L = FieldType.COMMA_STRING_LIST
_CERT_FIELDS = {
    "name": FieldSchema(FieldType.STRING, "Name of the trusted certificate entry."),
    "certificate": FieldSchema(FieldType.STRING, "PEM CA or leaf certificate to trust."),
    "display_name": FieldSchema(FieldType.STRING, "Display name of tokens (default: the name)."),
    "allowed_names": FieldSchema(_L, "Deprecated: allowed_common_names."),
    "allowed_common_names": FieldSchema(_L, "Common names allowed (globs)."),
    "allowed_dns_sans": FieldSchema(_L, "DNS SANs allowed (globs)."),
    "allowed_email_sans": FieldSchema(_L, "Email SANs allowed (globs)."),
    "allowed_uri_sans": FieldSchema(_L, "URI SANs allowed (globs)."),
    "allowed_organizational_units": FieldSchema(_L, "Subject OUs allowed (globs)."),
    "required_extensions": FieldSchema(_L, "oid:value extensions the certificate must carry."),
    **token_fields(deprecated=("policies", "ttl", "max_ttl", "period", "bound_cidrs")),
}
_LISTS = (
    "allowed_common_names",
    "allowed_dns_sans",
    "allowed_email_sans",
    "allowed_uri_sans",
    "allowed_organizational_units",
    "required_extensions",
)
_INVALID = "invalid certificate or no client certificate supplied"


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _hex_id(cert: x509.Certificate, kind: type[x509.ExtensionType]) -> str:
    try:
        value = cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return ""
    raw = getattr(value, "digest", None) or getattr(value, "key_identifier", None) or b""
    return ":".join(f"{b:02x}" for b in raw)


class CertStore:
    """Trusted certificate entries of one mount."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    async def get(self, name: str) -> TrustedCert | None:
        """The entry ``name``."""
        blob = await self._storage.get(_PREFIX + name.lower())
        if blob is None:
            return None
        raw = orjson.loads(blob)
        raw["token"] = TokenSettings.from_json(raw["token"])
        return TrustedCert(**raw)

    async def put(self, entry: TrustedCert) -> None:
        """Store ``entry``."""
        raw = asdict(entry)
        raw["token"] = entry.token.to_json()
        await self._storage.put(_PREFIX + entry.name.lower(), orjson.dumps(raw))

    async def delete(self, name: str) -> None:
        """Delete the entry ``name``."""
        await self._storage.delete(_PREFIX + name.lower())

    async def names(self) -> list[str]:
        """Every entry name, sorted."""
        return sorted(await self._storage.list(_PREFIX))


class CertAuthMethod(Backend):
    """TLS client-certificate logins."""

    backend_type = "cert"
    unauthenticated_paths = ("login",)

    def __init__(self, config: BackendConfig, clock: Callable[[], datetime] = _utcnow) -> None:
        super().__init__(config)
        self.clock = clock
        self.certs = CertStore(config.storage)
        ops = Operation
        name = {"name": _CERT_FIELDS["name"]}
        self.paths = [
            Path("certs/?", {}, {ops.LIST: self.list_certs}, synopsis="List trusted certificates."),
            Path(
                "certs/" + segment("name"),
                _CERT_FIELDS,
                {
                    ops.READ: self.read_cert,
                    ops.CREATE: self.write_cert,
                    ops.UPDATE: self.write_cert,
                    ops.DELETE: self.delete_cert,
                },
                existence_check=self.cert_exists,
                synopsis="Manage trusted certificates.",
            ),
            Path(
                "login",
                name,
                {ops.UPDATE: self.login},
                synopsis="Log in with a client certificate.",
            ),
        ]

    async def cert_exists(self, req: Request, d: FieldData) -> bool:
        """Existence check: create vs update capability."""
        del req
        return await self.certs.get(d.get("name")) is not None

    async def list_certs(self, req: Request, d: FieldData) -> Response | None:
        """LIST /auth/cert/certs."""
        del req, d
        names = await self.certs.names()
        return Response(data={"keys": names}) if names else None

    async def read_cert(self, req: Request, d: FieldData) -> Response | None:
        """GET /auth/cert/certs/:name."""
        del req
        entry = await self.certs.get(d.get("name"))
        if entry is None:
            return None
        # compat: the read shape of bao 2.x (unset lists are null; OCSP is not supported here)
        data: dict[str, object] = {
            "certificate": entry.certificate,
            "display_name": entry.display_name or entry.name,
            **{k: list(getattr(entry, k)) or None for k in _LISTS},
            "allowed_metadata_extensions": None,
            "allowed_names": None,
            "ocsp_ca_certificates": "",
            "ocsp_enabled": False,
            "ocsp_fail_open": False,
            "ocsp_query_all_servers": False,
            "ocsp_servers_override": None,
            **entry.token.to_wire(),
        }
        return Response(data=data)

    async def write_cert(self, req: Request, d: FieldData) -> None:
        """POST /auth/cert/certs/:name."""
        del req
        name = d.get("name")
        entry = await self.certs.get(name)
        if entry is None:
            if not d.get("certificate"):
                raise InvalidRequest("failed to parse certificate")
            entry = TrustedCert(name=name, certificate="")
        if d.supplied("certificate"):
            load_certificate(d.get("certificate"))
            entry.certificate = d.get("certificate")
        if d.supplied("display_name"):
            entry.display_name = d.get("display_name")
        if d.supplied("allowed_names"):
            entry.allowed_common_names = d.get("allowed_names")
        for key in _LISTS:
            if d.supplied(key):
                setattr(entry, key, [v for v in d.get(key) if v])
        entry.token = entry.token.updated(d)
        await self.certs.put(entry)

    async def delete_cert(self, req: Request, d: FieldData) -> None:
        """DELETE /auth/cert/certs/:name."""
        del req
        await self.certs.delete(d.get("name"))

    async def login(self, req: Request, d: FieldData) -> Response:
        """POST /auth/cert/login {name}. A token for a trusted client certificate."""
        if not req.client_cert_pem:
            # compat: OpenBao's answer when the TLS connection carried no certificate
            raise InvalidRequest("no client certificate found")
        client = load_certificate(req.client_cert_pem)
        names = [d.get("name")] if d.get("name") else await self.certs.names()
        now = self.clock()
        for name in names:
            entry = await self.certs.get(name)
            if entry is not None and entry.trusts(client, now):
                return Response(auth=self._auth(entry, client))
        raise InvalidCredentials(_INVALID)

    def _auth(self, entry: TrustedCert, client: x509.Certificate) -> Auth:
        cn_attrs = client.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        common_name = str(cn_attrs[0].value) if cn_attrs else ""
        metadata = {
            "cert_name": entry.name,
            "common_name": common_name,
            "serial_number": str(client.serial_number),
            "subject_key_id": _hex_id(client, x509.SubjectKeyIdentifier),
            "authority_key_id": _hex_id(client, x509.AuthorityKeyIdentifier),
        }
        auth = Auth(
            metadata=metadata,
            display_name=entry.display_name or entry.name,
            alias=Alias(name=common_name, metadata=dict(metadata)),
        )
        return entry.token.apply(auth)

    async def renew_auth(self, req: Request, auth: Auth) -> Auth:
        """Renew while the entry exists with the same policies."""
        del req
        name = (auth.metadata or {}).get("cert_name", "")
        entry = await self.certs.get(name) if name else None
        if entry is None:
            raise InvalidRequest("certificate entry no longer exists")
        return renew_terms(entry.token, auth)


def cert_factory(config: BackendConfig) -> Backend:
    """Build a cert auth mount (registered in ``core/plugins.py``)."""
    return CertAuthMethod(config)
