"""Property test: random bodies on every transit route never make sealbox answer 5xx.

Keys of every type exist on one mount; hypothesis sends random mixes of the transit fields
(with base64 strings, ``vault:v<N>:`` strings and batches among the values) to each route.
"""

from __future__ import annotations

import base64
import http.client
import json
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import hvac
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.compat.conftest import ServerProcess

pytestmark = [pytest.mark.compat, pytest.mark.slow]

KEYS: dict[str, dict[str, object]] = {
    "k": {},
    "d": {"derived": True},
    "c": {"derived": True, "convergent_encryption": True},
    "ed": {"type": "ed25519"},
    "ec": {"type": "ecdsa-p384"},
    "rsa": {"type": "rsa-2048"},
    "h": {"type": "hmac", "key_size": 32},
    "x": {"type": "chacha20-poly1305", "exportable": True, "allow_plaintext_backup": True},
}
ROUTES = [
    "encrypt/{k}",
    "decrypt/{k}",
    "rewrap/{k}",
    "datakey/plaintext/{k}",
    "datakey/wrapped/{k}",
    "sign/{k}",
    "sign/{k}/sha2-512",
    "verify/{k}",
    "hmac/{k}",
    "hmac/{k}/sha3-256",
    "keys/{k}/config",
    "keys/{k}/trim",
    "keys/{k}/rotate",
    "export/signing-key/{k}",
    "export/encryption-key/{k}/1",
    "backup/{k}",
    "restore/fz-{k}",
    "hash",
    "hash/sha2-224",
    "random/16",
    "keys/fz-new",
]
FIELDS = [
    "plaintext",
    "ciphertext",
    "context",
    "nonce",
    "associated_data",
    "key_version",
    "batch_input",
    "reference",
    "input",
    "signature",
    "hmac",
    "hash_algorithm",
    "algorithm",
    "marshaling_algorithm",
    "signature_algorithm",
    "salt_length",
    "prehashed",
    "bits",
    "type",
    "derived",
    "convergent_encryption",
    "key_size",
    "min_decryption_version",
    "min_encryption_version",
    "min_available_version",
    "auto_rotate_period",
    "deletion_allowed",
    "backup",
    "force",
    "format",
    "bytes",
    "partial_failure_response_code",
]
b64 = st.binary(max_size=40).map(lambda b: base64.b64encode(b).decode())
vaultish = st.tuples(st.integers(-2, 5), b64).map(lambda t: f"vault:v{t[0]}:{t[1]}")
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.text(max_size=12)
    | b64
    | vaultish
    | st.sampled_from(["sha2-256", "none", "jws", "pkcs1v15", "pss", "hash", "auto", "hex"])
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(FIELDS), inner, max_size=4)
    ),
    max_leaves=10,
)
bodies = st.dictionaries(st.sampled_from(FIELDS), values, max_size=6)


@pytest.fixture(scope="module")
def fuzz_mount(transit_sealbox: ServerProcess) -> Iterator[str]:
    mount = f"fuzz-{uuid.uuid4().hex[:8]}"
    client = hvac.Client(url=transit_sealbox.address, token=transit_sealbox.token)
    client.sys.enable_secrets_engine("transit", path=mount)
    for name, body in KEYS.items():
        client.write(f"{mount}/keys/{name}", **body)
    yield mount
    client.sys.disable_secrets_engine(mount)


def _post(server: ServerProcess, path: str, body: bytes, method: str) -> int:
    parts = urlsplit(server.address)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    try:
        conn.request(method, "/v1/" + path, body, {"X-Vault-Token": server.token})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    route=st.sampled_from(ROUTES),
    key=st.sampled_from(sorted(KEYS)),
    body=bodies,
    method=st.sampled_from(["POST", "POST", "POST", "GET"]),
)
def test_random_transit_requests_never_5xx(
    transit_sealbox: ServerProcess,
    fuzz_mount: str,
    route: str,
    key: str,
    body: dict[str, object],
    method: str,
) -> None:
    path = f"{fuzz_mount}/{route.format(k=key)}"
    status = _post(transit_sealbox, path, json.dumps(body).encode(), method)
    assert status < 500, (method, path, body)
