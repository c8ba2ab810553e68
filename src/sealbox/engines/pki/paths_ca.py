"""Root and intermediate CAs: ``root/generate/<type>``, ``root/sign-intermediate``,
``root`` (DELETE), ``intermediate/generate/<type>`` and ``intermediate/set-signed``.

Mirrors openbao builtin/logical/pki/path_root.go and path_intermediate.go. ``<type>`` is
internal (the key stays inside), exported (the answer carries it once) or existing (reuse
``key_ref``). Answers carry the same fields as OpenBao's, including its warning when no AIA URLs
are configured and when a CA has no subject.
"""

from __future__ import annotations

import base64
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from sealbox.engines.pki import keys
from sealbox.engines.pki.builder import sign
from sealbox.engines.pki.ca_ops import (
    add_issuer,
    check_names,
    import_bundle,
    new_key_entry,
    parse_bundle,
    parse_keys,
    store_key,
)
from sealbox.engines.pki.ca_request import (
    CA_FIELDS,
    KEY_FIELDS,
    ca_profile,
    ca_sans,
    export_mode,
    subject,
)
from sealbox.engines.pki.context import PKIContext
from sealbox.engines.pki.csr import (
    check_csr_key,
    csr_common_name,
    csr_public_key,
    csr_sans,
    parse_csr,
)
from sealbox.engines.pki.issuance import effective_urls
from sealbox.engines.pki.issuers import ISSUING, cert_pem, resolve_key, signer_for
from sealbox.engines.pki.names import name as segment
from sealbox.engines.pki.output import check_formats, encode_cert, encode_key, encode_pem_text
from sealbox.engines.pki.settings import read_urls
from sealbox.engines.pki.store import CertEntry, KeyEntry, PKIStore, format_serial
from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.logical import Operation, Request, Response

NO_AIA_WARNING = (
    "This mount hasn't configured any authority information access (AIA) fields; this may "
    "make it harder for systems to find missing certificates in the chain or to validate "
    "revocation status of certificates. Consider updating /config/urls or the newly "
    "generated issuer with this information."
)
NO_SUBJECT_WARNING = (
    "This issuer certificate was generated without a Subject; this makes it likely that "
    "issuing leaf certificates with this certificate will cause TLS validation libraries to "
    "reject this certificate."
)
INTERMEDIATE_HINT = (
    " Since this certificate is an intermediate, it might be useful to regenerate this "
    "certificate after fixing this problem for the root mount."
)


async def _has_urls(store: PKIStore) -> bool:
    config = await read_urls(store)
    return bool(
        config.issuing_certificates or config.crl_distribution_points or config.ocsp_servers
    )


_SIGN_FIELDS = {
    **CA_FIELDS,
    "csr": FieldSchema(FieldType.STRING, "PEM CSR of the intermediate."),
    "use_csr_values": FieldSchema(FieldType.BOOL, "Take subject and SANs from the CSR."),
    "issuer_ref": FieldSchema(FieldType.STRING, "Issuer that signs.", default="default"),
}
_SET_SIGNED = {"certificate": FieldSchema(FieldType.STRING, "PEM certificate (or bundle).")}


class CAPaths:
    """Handlers that create and import CAs."""

    def __init__(self, ctx: PKIContext) -> None:
        self.ctx = ctx

    def paths(self) -> list[Path]:
        exported = "(?P<exported>[^/]+)"
        gen_fields = {**CA_FIELDS, **KEY_FIELDS}
        return [
            Path(
                "root/generate/" + exported,
                fields=gen_fields,
                operations={Operation.UPDATE: self.generate_root},
                synopsis="Generate a new CA certificate and private key used for signing.",
            ),
            Path(
                "root/rotate/" + exported,
                fields=gen_fields,
                operations={Operation.UPDATE: self.generate_root},
                synopsis="Generate a new root next to the current one (it does not become default).",
            ),
            Path(
                "issuers/generate/root/" + exported,
                fields=gen_fields,
                operations={Operation.UPDATE: self.generate_root},
                synopsis="Generate a new CA certificate and private key used for signing.",
            ),
            *(
                Path(
                    prefix + "sign-intermediate",
                    fields=_SIGN_FIELDS,
                    operations={Operation.UPDATE: self.sign_intermediate},
                    synopsis="Issue an intermediate CA certificate based on the provided CSR.",
                )
                for prefix in ("root/", "issuer/" + segment("issuer_ref") + "/")
            ),
            Path(
                "root",
                operations={Operation.DELETE: self.delete_root},
                synopsis="Deletes every issuer and key of the mount.",
            ),
            *(
                Path(
                    prefix + exported,
                    fields={
                        **gen_fields,
                        "add_basic_constraints": FieldSchema(
                            FieldType.BOOL, "Ask for CA:TRUE basic constraints in the CSR."
                        ),
                    },
                    operations={Operation.UPDATE: self.generate_intermediate},
                    synopsis="Generate a new CSR and private key used for signing.",
                )
                for prefix in ("intermediate/generate/", "issuers/generate/intermediate/")
            ),
            *(
                Path(
                    route,
                    fields={
                        "pem_bundle": FieldSchema(FieldType.STRING, "PEM certificates and keys.")
                    },
                    operations={Operation.UPDATE: self.import_issuers},
                    synopsis="Import CA certificates and their private keys.",
                )
                for route in ("config/ca", "issuers/import/bundle", "issuers/import/cert")
            ),
            Path(
                "intermediate/set-signed",
                fields=_SET_SIGNED,
                operations={Operation.UPDATE: self.set_signed},
                synopsis="Provide the signed intermediate CA cert.",
            ),
        ]

    async def _key(
        self, store: PKIStore, d: FieldData, mode: str
    ) -> tuple[keys.PrivateKey, str, bool]:
        """(key, key id, newly generated?) for a generate request."""
        if mode == "existing":
            entry = await resolve_key(store, d.get("key_ref"))
            return keys.load_private_pem(entry.private_key), entry.id, False
        spec = keys.key_spec(d.get("key_type"), d.get("key_bits"))
        return keys.generate(spec), "", True

    async def generate_root(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/root/generate/:type. A self-signed CA; the first one becomes default."""
        mode = export_mode(d.get("exported"))
        check_formats(d.get("format"), d.get("private_key_format"))
        store = self.ctx.store(req)
        await check_names(
            store, d.get("issuer_name"), d.get("key_name") if mode != "existing" else ""
        )
        private, key_id, fresh = await self._key(store, d, mode)
        url_config = await read_urls(store)
        profile = ca_profile(d, now=self.ctx.clock(), mount=self.ctx.config, urls=url_config.urls())
        cert = sign(profile, private.public_key(), private, None)
        key: KeyEntry | str = new_key_entry(private, d.get("key_name")) if fresh else key_id
        issuer = await add_issuer(self.ctx, store, cert, key, d.get("issuer_name"))
        key_id = issuer.key_id
        key_entry = await store.key(key_id)
        fmt = d.get("format")
        data: dict[str, Any] = {
            "certificate": encode_cert(cert, fmt),
            "issuing_ca": encode_cert(cert, fmt),
            "expiration": int(cert.not_valid_after_utc.timestamp()),
            "serial_number": issuer.serial_number,
            "issuer_id": issuer.id,
            "issuer_name": issuer.name,
            "key_id": key_id,
            "key_name": "" if key_entry is None else key_entry.name,
        }
        if mode == "exported":
            data["private_key"] = encode_key(private, fmt, d.get("private_key_format"))
            data["private_key_type"] = keys.describe(private).key_type
        warnings = list(profile.warnings)
        if not (
            url_config.issuing_certificates
            or url_config.crl_distribution_points
            or url_config.ocsp_servers
        ):
            warnings.append(NO_AIA_WARNING)
        if len(cert.subject) == 0:
            warnings.append(NO_SUBJECT_WARNING)
        return Response(data=data, warnings=warnings)

    async def generate_intermediate(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/intermediate/generate/:type. A key pair and a CSR to get signed."""
        mode = export_mode(d.get("exported"))
        check_formats(d.get("format"), d.get("private_key_format"))
        store = self.ctx.store(req)
        await check_names(store, "", d.get("key_name") if mode != "existing" else "")
        private, key_id, fresh = await self._key(store, d, mode)
        builder = x509.CertificateSigningRequestBuilder().subject_name(
            subject(d, d.get("common_name")).name()
        )
        names = ca_sans(d, d.get("common_name")).general_names()
        if names:
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        if d.get("add_basic_constraints"):
            builder = builder.add_extension(x509.BasicConstraints(True, None), critical=True)
        csr = builder.sign(private, keys.signature_hash(private, d.get("signature_bits")))
        if fresh:
            key_id = (await store_key(store, private, d.get("key_name"))).id
        fmt = d.get("format")
        csr_text = csr.public_bytes(serialization.Encoding.PEM).decode("ascii").rstrip("\n")
        if fmt == "der":
            csr_text = base64.b64encode(csr.public_bytes(serialization.Encoding.DER)).decode()
        data: dict[str, Any] = {"csr": csr_text, "key_id": key_id}
        if mode == "exported":
            data["private_key"] = encode_key(private, fmt, d.get("private_key_format"))
            data["private_key_type"] = keys.describe(private).key_type
        warnings = [] if await _has_urls(store) else [NO_AIA_WARNING + INTERMEDIATE_HINT]
        return Response(data=data, warnings=warnings)

    async def sign_intermediate(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/root/sign-intermediate. A CA certificate for another mount's CSR."""
        check_formats(d.get("format"), d.get("private_key_format"))
        store = self.ctx.store(req)
        csr = parse_csr(d.get("csr"))
        public = csr_public_key(csr)
        check_csr_key(public, "any", 0)
        signer = await signer_for(store, self.ctx.signers, d.get("issuer_ref"), ISSUING)
        use_csr = d.get("use_csr_values")
        # compat: without a common_name OpenBao takes the CSR's (use_csr_common_name)
        common_name = d.get("common_name") or csr_common_name(csr)
        if not use_csr and not common_name:
            raise InvalidRequest(
                "the common_name field is required, or must be provided in a CSR with "
                '"use_csr_common_name" set to true'
            )
        profile = ca_profile(
            d,
            now=self.ctx.clock(),
            mount=self.ctx.config,
            urls=effective_urls(signer, (await read_urls(store)).urls()),
            ca_not_after=signer.cert.not_valid_after_utc,
            name=csr.subject if use_csr else None,
            sans=csr_sans(csr) if use_csr else None,
            common_name=common_name,
        )
        cert = sign(profile, public, signer.key, signer.cert)
        serial = format_serial(cert.serial_number)
        expiration = int(cert.not_valid_after_utc.timestamp())
        await store.put_cert(CertEntry(serial, cert_pem(cert), signer.entry.id, expiration))
        fmt = d.get("format")
        data = {
            "certificate": encode_cert(cert, fmt),
            "issuing_ca": encode_pem_text(signer.entry.certificate, fmt),
            "ca_chain": [encode_cert(cert, fmt)]
            + [encode_pem_text(c, fmt) for c in signer.entry.ca_chain],
            "serial_number": serial,
            "expiration": expiration,
        }
        return Response(data=data, warnings=list(profile.warnings))

    async def set_signed(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/intermediate/set-signed. Import the signed CA (and its chain)."""
        store = self.ctx.store(req)
        certs = parse_bundle(d.get("certificate"))
        data = await import_bundle(self.ctx, store, certs, [], need_key=True)
        warnings = [] if await _has_urls(store) else [NO_AIA_WARNING]
        return Response(warnings=warnings, data=data)

    async def import_issuers(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/config/ca | issuers/import/bundle. CA certificates and their keys."""
        text = d.get("pem_bundle")
        certs = parse_bundle(text)
        private_keys = parse_keys(text)
        store = self.ctx.store(req)
        data = await import_bundle(self.ctx, store, certs, private_keys, need_key=False)
        warnings = [] if await _has_urls(store) else [NO_AIA_WARNING]
        return Response(data=data, warnings=warnings)

    async def delete_root(self, req: Request, d: FieldData) -> Response:
        """DELETE /:mount/root (sudo). Removes every issuer and key."""
        del d
        store = self.ctx.store(req)
        async with self.ctx.issuers_lock:
            for issuer_id in await store.issuer_ids():
                await store.delete_crl(issuer_id)
                await store.delete_issuer(issuer_id)
            for key_id in await store.key_ids():
                await store.delete_key(key_id)
            await store.set_default_issuer("")
        # compat: OpenBao's answer (path_root.go pathCADeleteRoot)
        return Response(
            warnings=[
                "DELETE /root deletes all keys and issuers; prefer the new DELETE /key/:key_ref "
                "and DELETE /issuer/:issuer_ref for finer granularity, unless removal of all "
                "keys and issuers is desired."
            ]
        )
