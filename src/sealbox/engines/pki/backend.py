"""The PKI secrets engine: an internal CA that issues, signs and revokes certificates, with
CRLs and an OCSP responder.

Mirrors openbao builtin/logical/pki/backend.go: the path groups below (one module each), the
unauthenticated fetch paths (CA, chain, CRLs, cert/<serial>, OCSP), ``root`` as a sudo path,
and the ``pki`` lease type: a certificate issued with ``generate_lease`` carries a lease whose
``internal_data`` holds its serial; ``revoke_lease`` revokes it (leases are not renewable).
``periodic`` runs the automatic tidy configured at ``config/auto-tidy``.
"""

from __future__ import annotations

import contextlib

from sealbox.engines.pki.acme.paths import ACME_ENDPOINTS, AcmePaths
from sealbox.engines.pki.acme.paths_orders import OrderPaths
from sealbox.engines.pki.acme.protocol import AcmeProtocol
from sealbox.engines.pki.auto_tidy import maybe_run
from sealbox.engines.pki.context import Clock, PKIContext, utc_now
from sealbox.engines.pki.paths_ca import CAPaths
from sealbox.engines.pki.paths_certs import CertPaths
from sealbox.engines.pki.paths_config import ConfigPaths
from sealbox.engines.pki.paths_issue import IssuePaths
from sealbox.engines.pki.paths_issuers import IssuerPaths
from sealbox.engines.pki.paths_keys import KeyPaths
from sealbox.engines.pki.paths_ocsp import OCSPPaths
from sealbox.engines.pki.paths_roles import RolePaths
from sealbox.engines.pki.paths_self_issued import SelfIssuedPaths
from sealbox.engines.pki.paths_tidy import TidyPaths
from sealbox.engines.pki.revocation import ExpiredCertificate, revoke
from sealbox.errors import InvalidRequest
from sealbox.framework import Backend, BackendConfig, Path
from sealbox.logical import Request, Secret


class PKIEngine(Backend):
    """One PKI mount."""

    backend_type = "pki"
    unauthenticated_paths = (
        "cert/*",
        "ca",
        "ca/pem",
        "ca_chain",
        "crl",
        "crl/pem",
        "ocsp",
        "ocsp/*",
        "issuer/+/pem",
        "issuer/+/der",
        "issuer/+/json",
        "issuer/+/crl",
        "issuer/+/crl/pem",
        "issuer/+/crl/der",
        # ACME authenticates by JWS, not token; <dir>acme/new-eab is an operator endpoint
        # that needs one, so the endpoints are listed rather than "acme/*".
        *(
            f"{prefix}acme/{endpoint}"
            for prefix in ("", "roles/+/", "issuer/+/", "issuer/+/roles/+/")
            for endpoint in ACME_ENDPOINTS
        ),
    )
    root_paths = ("root", "root/sign-self-issued")
    #: How often the core should call ``periodic`` (auto-tidy checks whether a run is due).
    periodic_interval = 60.0

    def __init__(self, config: BackendConfig, clock: Clock | None = None) -> None:
        super().__init__(config)
        self.ctx = PKIContext(config, clock or utc_now)
        paths: list[Path] = []
        for group in (
            ConfigPaths,
            RolePaths,
            CAPaths,
            SelfIssuedPaths,
            IssuePaths,
            CertPaths,
            IssuerPaths,
            KeyPaths,
            OCSPPaths,
            TidyPaths,
        ):
            paths.extend(group(self.ctx).paths())
        self.acme = AcmeProtocol(self.ctx)
        paths.extend(AcmePaths(self.acme).paths())
        paths.extend(OrderPaths(self.acme).paths())
        self.paths = paths

    async def cleanup(self) -> None:
        """Stop challenge validations still running (the mount is going away)."""
        await self.acme.validator.stop()
        await super().cleanup()

    async def periodic(self) -> None:
        """Auto-tidy (config/auto-tidy), when enabled and due."""
        await maybe_run(self.ctx, self.ctx.store())

    async def revoke_lease(self, req: Request, secret: Secret) -> None:
        """Revoke the certificate a ``generate_lease`` lease stands for.

        compat: as in OpenBao, a certificate that expired or was tidied away in the meantime
        ends its lease without a CRL entry.
        """
        serial = str(secret.internal_data.get("serial_number", ""))
        if not serial:
            raise InvalidRequest("lease has no serial_number")
        store = self.ctx.store(req)
        if await store.cert(serial) is None and await store.revoked(serial) is None:
            return
        with contextlib.suppress(ExpiredCertificate):
            await revoke(self.ctx, store, serial)


def pki_factory(config: BackendConfig) -> Backend:
    """A PKI backend for one mount."""
    return PKIEngine(config)
