"""``auth/kubernetes/config``: where the Kubernetes API server is and how to trust it.

Mirrors vault-plugin-auth-kubernetes path_config.go as OpenBao builds it in (messages observed on
``bao`` 2.x): ``kubernetes_host`` is required ("no host provided"); unless
``disable_local_ca_jwt``, an empty ``kubernetes_ca_cert`` is read from the pod's service-account
directory and a failed read is a 400 naming the file, while with it a CA must be given;
``pem_keys`` must parse as PEM public keys or certificates. The reviewer JWT is stored (inside
the barrier) but never read back: a read shows ``token_reviewer_jwt_set``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path as FilePath
from typing import Any

import orjson
from cryptography import x509
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from sealbox.errors import InvalidRequest
from sealbox.framework import FieldData, FieldSchema, FieldType
from sealbox.logical import Storage

LOCAL_CA = FilePath("/var/run/secrets/kubernetes.io/serviceaccount/ca.crt")
LOCAL_JWT = FilePath("/var/run/secrets/kubernetes.io/serviceaccount/token")
_KEY = "config"

CONFIG_FIELDS = {
    "kubernetes_host": FieldSchema(FieldType.STRING, "URL of the Kubernetes API server."),
    "kubernetes_ca_cert": FieldSchema(FieldType.STRING, "PEM CA certificate of the API server."),
    "token_reviewer_jwt": FieldSchema(FieldType.STRING, "Bearer token for TokenReview calls."),
    "pem_keys": FieldSchema(
        FieldType.COMMA_STRING_LIST, "PEM keys that sign service-account JWTs."
    ),
    "issuer": FieldSchema(FieldType.STRING, "Deprecated: expected JWT issuer."),
    "disable_iss_validation": FieldSchema(FieldType.BOOL, "Deprecated.", default=True),
    "disable_local_ca_jwt": FieldSchema(FieldType.BOOL, "Do not read the pod's CA and token."),
    "use_annotations_as_alias_metadata": FieldSchema(FieldType.BOOL, "Unsupported; must be false."),
}


@dataclass(slots=True)
class KubeConfig:
    """One mount's Kubernetes settings."""

    kubernetes_host: str
    kubernetes_ca_cert: str = ""
    token_reviewer_jwt: str = field(default="", repr=False)
    pem_keys: list[str] = field(default_factory=list)
    issuer: str = ""
    disable_iss_validation: bool = True
    disable_local_ca_jwt: bool = False
    use_annotations_as_alias_metadata: bool = False

    def to_wire(self) -> dict[str, Any]:
        """``GET auth/kubernetes/config`` (the reviewer JWT only as ``token_reviewer_jwt_set``)."""
        data = asdict(self)
        # compat: bao 2.x shows neither the JWT nor use_annotations_as_alias_metadata
        del data["token_reviewer_jwt"], data["use_annotations_as_alias_metadata"]
        data["token_reviewer_jwt_set"] = bool(self.token_reviewer_jwt)
        return data

    def ca_pem(self) -> str:
        """The CA to trust for the API server ("" = the system's)."""
        if self.kubernetes_ca_cert or self.disable_local_ca_jwt:
            return self.kubernetes_ca_cert
        return _read_local(LOCAL_CA)

    def reviewer_jwt(self) -> str:
        """The TokenReview bearer: the configured JWT, else the pod's, else "" (the client's)."""
        if self.token_reviewer_jwt or self.disable_local_ca_jwt:
            return self.token_reviewer_jwt
        try:
            return LOCAL_JWT.read_text().strip()
        except OSError:
            return ""


def _read_local(path: FilePath) -> str:
    try:
        return path.read_text()
    except OSError as err:
        # compat: OpenBao reports Go's os.Open error text
        raise InvalidRequest(f"open {path}: no such file or directory") from err


def parse_pem_key(pem: str) -> Any:
    """A public key from a PEM public key or certificate; 400 when it is neither."""
    data = pem.strip().encode()
    try:
        if b"CERTIFICATE" in data:
            return x509.load_pem_x509_certificate(data).public_key()
        return load_pem_public_key(data)
    except ValueError as err:
        raise InvalidRequest(
            "error parsing public key: data does not contain any valid public keys"
        ) from err


def config_from(d: FieldData) -> KubeConfig:
    """A validated config from a write."""
    host = d.get("kubernetes_host").strip()
    if not host:
        raise InvalidRequest("no host provided")
    config = KubeConfig(
        kubernetes_host=host,
        kubernetes_ca_cert=d.get("kubernetes_ca_cert"),
        token_reviewer_jwt=d.get("token_reviewer_jwt"),
        pem_keys=[k for k in d.get("pem_keys") if k.strip()],
        issuer=d.get("issuer"),
        disable_iss_validation=d.get("disable_iss_validation"),
        disable_local_ca_jwt=d.get("disable_local_ca_jwt"),
        use_annotations_as_alias_metadata=d.get("use_annotations_as_alias_metadata"),
    )
    if config.disable_local_ca_jwt and not config.kubernetes_ca_cert:
        raise InvalidRequest("kubernetes_ca_cert must be given when disable_local_ca_jwt is true")
    if config.use_annotations_as_alias_metadata:
        raise InvalidRequest("use_annotations_as_alias_metadata is not supported")
    config.ca_pem()
    for key in config.pem_keys:
        parse_pem_key(key)
    return config


async def load_config(storage: Storage) -> KubeConfig | None:
    """The stored config, if any."""
    blob = await storage.get(_KEY)
    return None if blob is None else KubeConfig(**orjson.loads(blob))


async def save_config(storage: Storage, config: KubeConfig) -> None:
    """Store ``config``."""
    await storage.put(_KEY, orjson.dumps(asdict(config)))
