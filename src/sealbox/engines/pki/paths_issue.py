"""``issue/<role>``, ``sign/<role>``, ``sign-verbatim[/<role>]`` and their ``issuer/<ref>/``
forms: where leaf certificates are made.

Mirrors openbao builtin/logical/pki/path_issue_sign.go: issue generates the key pair (of the
role's key_type/key_bits) and answers it once; sign takes a CSR; sign-verbatim keeps the CSR's
subject and SANs and only applies TTLs and usages. The answer carries certificate, issuing_ca,
ca_chain, serial_number, expiration and not_before (plus private_key, private_key_type for
issue). The certificate is stored (so it can be listed, read and revoked) unless the role says
``no_store``; with ``generate_lease`` the answer carries a lease whose revocation revokes it.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from cryptography import x509

from sealbox.engines.pki import keys
from sealbox.engines.pki.builder import Profile, ext_key_usage_oids, sign
from sealbox.engines.pki.context import PKIContext
from sealbox.engines.pki.csr import check_csr_key, csr_public_key, csr_sans, parse_csr
from sealbox.engines.pki.issuance import ISSUE_FIELDS, check_ttl, effective_urls, role_profile
from sealbox.engines.pki.issuers import ISSUING, Signer, signer_for
from sealbox.engines.pki.names import name as segment
from sealbox.engines.pki.output import (
    bundle,
    check_formats,
    encode_cert,
    encode_key,
    encode_pem_text,
)
from sealbox.engines.pki.paths_roles import load_role
from sealbox.engines.pki.roles import Role
from sealbox.engines.pki.settings import read_urls
from sealbox.engines.pki.store import CertEntry, format_serial
from sealbox.engines.pki.validity import TTLPolicy, compute
from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType, Path
from sealbox.logical import Operation, Request, Response, Secret

_ROLE = {"role": FieldSchema(FieldType.STRING, "The role to issue against.")}
_ISSUER = {"issuer_ref": FieldSchema(FieldType.STRING, "Issuer id or name.", default="")}
_CSR = {"csr": FieldSchema(FieldType.STRING, "PEM certificate signing request.")}
_VERBATIM = {
    "key_usage": FieldSchema(
        FieldType.COMMA_STRING_LIST,
        "Key usages.",
        default=["DigitalSignature", "KeyAgreement", "KeyEncipherment"],
    ),
    "ext_key_usage": FieldSchema(FieldType.COMMA_STRING_LIST, "Extended key usages."),
    "ext_key_usage_oids": FieldSchema(FieldType.COMMA_STRING_LIST, "Extended key usage OIDs."),
    "signature_bits": FieldSchema(FieldType.INT, "Signature hash size."),
    "use_pss": FieldSchema(FieldType.BOOL, "Sign with RSA-PSS."),
}
_VERBATIM_FIELDS = {
    name: ISSUE_FIELDS[name]
    for name in ("ttl", "not_after", "format", "private_key_format", "remove_roots_from_chain")
}

# sign-verbatim without a role: the permissive role OpenBao applies.
_VERBATIM_ROLE: dict[str, Any] = {
    "ttl": 0,
    "max_ttl": 0,
    "no_store": False,
    "generate_lease": False,
    "not_before_duration": 30,
    "issuer_ref": "default",
    "key_type": "any",
    "key_bits": 0,
}


class IssuePaths:
    """Handlers that issue leaf certificates."""

    def __init__(self, ctx: PKIContext) -> None:
        self.ctx = ctx

    def paths(self) -> list[Path]:
        role = segment("role")
        ref = segment("issuer_ref")
        issue_fields = {**ISSUE_FIELDS, **_ROLE, **_ISSUER}
        sign_fields = {**issue_fields, **_CSR}
        verbatim_fields = {**_VERBATIM_FIELDS, **_VERBATIM, **_CSR, **_ROLE, **_ISSUER}
        out: list[Path] = []
        for prefix in ("", f"issuer/{ref}/"):
            out += [
                Path(
                    f"{prefix}issue/{role}",
                    fields=issue_fields,
                    operations={Operation.UPDATE: self.issue},
                    synopsis="Request a certificate using a certain role with the provided details.",
                ),
                Path(
                    f"{prefix}sign/{role}",
                    fields=sign_fields,
                    operations={Operation.UPDATE: self.sign_role},
                    synopsis="Request certificates using a certain role with the provided details.",
                ),
                *(
                    Path(
                        f"{prefix}sign-verbatim{suffix}",
                        fields=verbatim_fields,
                        operations={Operation.UPDATE: self.sign_verbatim},
                        synopsis="Request a certificate signed verbatim from a CSR.",
                    )
                    for suffix in ("", f"/{role}")
                ),
            ]
        return out

    async def _signer(self, req: Request, d: FieldData, role: Role) -> Signer:
        ref = d.get("issuer_ref") or role["issuer_ref"]
        return await signer_for(self.ctx.store(req), self.ctx.signers, ref, ISSUING)

    async def issue(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/issue/:role. A new key pair and its certificate."""
        check_formats(d.get("format"), d.get("private_key_format"))
        store = self.ctx.store(req)
        role = await load_role(store, d.get("role"))
        if role["key_type"] == "any":
            raise InvalidRequest(
                'role key type "any" not allowed for issuing certificates, only signing'
            )
        signer = await self._signer(req, d, role)
        urls = (await read_urls(store)).urls()
        profile = role_profile(
            role, d, now=self.ctx.clock(), signer=signer, mount=self.ctx.config, urls=urls
        )
        private = keys.generate(keys.key_spec(role["key_type"], role["key_bits"]))
        cert = sign(profile, private.public_key(), signer.key, signer.cert)
        return await self.finish(req, d, role, signer, cert, profile, private)

    async def sign_role(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/sign/:role. Sign a CSR under the role's rules."""
        check_formats(d.get("format"), d.get("private_key_format"))
        store = self.ctx.store(req)
        role = await load_role(store, d.get("role"))
        csr = parse_csr(d.get("csr"))
        public = csr_public_key(csr)
        check_csr_key(public, role["key_type"], role["key_bits"])
        signer = await self._signer(req, d, role)
        urls = (await read_urls(store)).urls()
        profile = role_profile(
            role, d, now=self.ctx.clock(), signer=signer, mount=self.ctx.config, urls=urls, csr=csr
        )
        cert = sign(profile, public, signer.key, signer.cert)
        return await self.finish(req, d, role, signer, cert, profile, None)

    async def sign_verbatim(self, req: Request, d: FieldData) -> Response:
        """POST /:mount/sign-verbatim[/:role]. The CSR's subject and SANs as they are."""
        check_formats(d.get("format"), d.get("private_key_format"))
        store = self.ctx.store(req)
        role: Role = dict(_VERBATIM_ROLE)
        if d.get("role"):
            role = await load_role(store, d.get("role"))
        csr = parse_csr(d.get("csr"))
        public = csr_public_key(csr)
        check_csr_key(public, "any", 0)
        check_ttl(d.get("ttl"))
        signer = await self._signer(req, d, role)
        policy = TTLPolicy(
            ttl=d.get("ttl"),
            not_after=d.get("not_after"),
            role_ttl=role["ttl"],
            role_max_ttl=role["max_ttl"],
            mount_default=self.ctx.config.default_lease_ttl,
            mount_max=self.ctx.config.max_lease_ttl,
            not_before_duration=role["not_before_duration"],
        )
        validity = compute(
            self.ctx.clock(),
            policy,
            signer.cert.not_valid_after_utc,
            signer.entry.leaf_not_after_behavior,
        )
        profile = Profile(
            subject=csr.subject,
            not_before=validity.not_before,
            not_after=validity.not_after,
            sans=csr_sans(csr),
            key_usage=list(d.get("key_usage")),
            ext_key_usage=ext_key_usage_oids(d.get("ext_key_usage"), d.get("ext_key_usage_oids")),
            urls=effective_urls(signer, (await read_urls(store)).urls()),
            signature_bits=d.get("signature_bits"),
            use_pss=d.get("use_pss"),
            warnings=validity.warnings,
        )
        cert = sign(profile, public, signer.key, signer.cert)
        return await self.finish(req, d, role, signer, cert, profile, None)

    async def finish(
        self,
        req: Request,
        d: FieldData,
        role: Role,
        signer: Signer,
        cert: x509.Certificate,
        profile: Profile,
        private: keys.PrivateKey | None,
    ) -> Response:
        """Store the certificate, shape the answer, attach a lease when the role asks."""
        fmt = d.get("format")
        serial = format_serial(cert.serial_number)
        expiration = int(cert.not_valid_after_utc.timestamp())
        if not role["no_store"]:
            pem = encode_cert(cert, "pem")
            await self.ctx.store(req).put_cert(CertEntry(serial, pem, signer.entry.id, expiration))
        chain = list(signer.entry.ca_chain)
        if d.get("remove_roots_from_chain"):
            chain = [c for c in chain if not _self_signed(c)]
        data: dict[str, Any] = {
            "certificate": encode_cert(cert, fmt),
            "issuing_ca": encode_pem_text(signer.entry.certificate, fmt),
            "ca_chain": [encode_pem_text(c, fmt) for c in chain],
            "serial_number": serial,
            "expiration": expiration,
            "not_before": int(cert.not_valid_before_utc.timestamp()),
        }
        if private is not None:
            data["private_key"] = encode_key(private, fmt, d.get("private_key_format"))
            data["private_key_type"] = keys.describe(private).key_type
        if fmt == "pem_bundle":
            data["certificate"] = bundle(
                [data.get("private_key", ""), data["certificate"], data["issuing_ca"]]
            )
        response = Response(data=data, warnings=list(profile.warnings))
        if role["generate_lease"]:
            remaining = cert.not_valid_after_utc - self.ctx.clock().astimezone(UTC)
            response.secret = Secret(
                ttl=max(1, int(remaining.total_seconds())),
                renewable=False,
                internal_data={"serial_number": serial, "issuer_id": signer.entry.id},
            )
        return response


def _self_signed(pem: str) -> bool:
    cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
    return cert.issuer == cert.subject
