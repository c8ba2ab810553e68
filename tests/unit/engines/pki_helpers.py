"""Helpers for the PKI unit tests: an engine over in-memory storage with mount TTLs like a
dev server's after ``secrets tune -max-lease-ttl=87600h``, and shortcuts for common steps."""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from tests.unit.engines.harness import FakeClock, Outcome, call

from sealbox.engines.pki import PKIEngine
from sealbox.framework import BackendConfig
from sealbox.logical import Operation
from sealbox.storage.inmem import InMemoryStorage

DEFAULT_TTL = 768 * 3600
MAX_TTL = 87600 * 3600
UPDATE, READ, LIST, DELETE = Operation.UPDATE, Operation.READ, Operation.LIST, Operation.DELETE


def make_pki(clock: FakeClock | None = None) -> PKIEngine:
    config = BackendConfig(
        mount_path="pki/",
        mount_type="pki",
        storage=InMemoryStorage(),
        default_lease_ttl=DEFAULT_TTL,
        max_lease_ttl=MAX_TTL,
    )
    return PKIEngine(config, clock=clock)


def ok(outcome: Outcome) -> Any:
    """The data of a successful answer (fails the test with the errors otherwise)."""
    assert outcome.status in (200, 204), (outcome.status, outcome.errors)
    return outcome.data


def with_root(engine: PKIEngine, **extra: Any) -> dict[str, Any]:
    """Generate an EC P-256 root and return the answer's data."""
    body = {"common_name": "Test Root", "key_type": "ec", "ttl": "87000h", **extra}
    return dict(ok(call(engine, UPDATE, "root/generate/internal", body)))


def with_role(engine: PKIEngine, name: str = "web", **fields: Any) -> None:
    body = {"allowed_domains": "example.com", "allow_subdomains": True, **fields}
    ok(call(engine, UPDATE, f"roles/{name}", body))


def load(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


def make_csr(common_name: str, *, key: Any = None, dns: list[str] | None = None) -> str:
    key = key or ec.generate_private_key(ec.SECP256R1())
    builder = x509.CertificateSigningRequestBuilder().subject_name(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    )
    if dns:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(n) for n in dns]), critical=False
        )
    csr = builder.sign(key, hashes.SHA256())
    return csr.public_bytes(serialization.Encoding.PEM).decode()


def weak_rsa_csr(common_name: str) -> str:
    """A CSR with a 1024-bit RSA key (cryptography still generates these)."""
    return make_csr(common_name, key=rsa.generate_private_key(65537, 1024))  # noqa: S505 - the weak key under test
