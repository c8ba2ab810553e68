"""Keys cross between sealbox and OpenBao: backups restore both ways, ciphertexts decrypt
both ways, and the deterministic outputs (convergent ciphertexts, HMACs, Ed25519 and RSA
PKCS#1 v1.5 signatures) are byte-for-byte identical. Randomised signatures (ECDSA, RSA-PSS)
made by one server verify on the other. All calls go through hvac's transit client.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
from typing import Any

import hvac
import pytest
from hvac.constants.transit import ALLOWED_KEY_TYPES
from tests.compat.transit.conftest import Pair

pytestmark = pytest.mark.compat

MESSAGE = base64.b64encode(b"the quick brown fox").decode()
CONTEXT = base64.b64encode(b"tenant-42").decode()
DIRECTIONS = ["bao-to-sealbox", "sealbox-to-bao"]


def _ends(pair: Pair, direction: str) -> tuple[hvac.Client, hvac.Client]:
    """(source, destination) for a direction."""
    return (pair.bao, pair.sealbox) if direction == "bao-to-sealbox" else (pair.sealbox, pair.bao)


def _move(pair: Pair, direction: str, name: str, **create: Any) -> None:
    """Create ``name`` on the source (rotated once), back it up and restore it on the other."""
    source, destination = _ends(pair, direction)
    tr = source.secrets.transit
    if create.get("key_type") in ALLOWED_KEY_TYPES or "key_type" not in create:
        tr.create_key(
            name, exportable=True, allow_plaintext_backup=True, mount_point=pair.mount, **create
        )
    else:  # hvac refuses aes128-gcm96 and hmac in create_key; its generic write sends them
        body = {**create, "type": create.pop("key_type")}
        source.write(
            f"{pair.mount}/keys/{name}", exportable=True, allow_plaintext_backup=True, **body
        )
    tr.rotate_key(name, mount_point=pair.mount)
    backup = tr.backup_key(name, mount_point=pair.mount)["data"]["backup"]
    destination.secrets.transit.restore_key(backup, name=name, mount_point=pair.mount)


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("key_type", ["aes128-gcm96", "aes256-gcm96", "chacha20-poly1305"])
def test_symmetric_ciphertexts_decrypt_on_both(pair: Pair, direction: str, key_type: str) -> None:
    _move(pair, direction, "sym", key_type=key_type)
    for maker_name, maker in pair.both():
        for version in (1, 2):
            made = maker.secrets.transit.encrypt_data(
                "sym", MESSAGE, key_version=version, mount_point=pair.mount
            )["data"]["ciphertext"]
            assert made.startswith(f"vault:v{version}:"), maker_name
            for _, reader in pair.both():
                plain = reader.secrets.transit.decrypt_data("sym", made, mount_point=pair.mount)
                assert plain["data"]["plaintext"] == MESSAGE


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_keys_read_the_same_after_restore(pair: Pair, direction: str) -> None:
    _move(pair, direction, "same", key_type="ed25519")
    reads = [
        c.secrets.transit.read_key("same", mount_point=pair.mount)["data"] for _, c in pair.both()
    ]
    for read in reads:
        read.pop("restore_info", None)
        read.pop("backup_info", None)
    assert reads[0] == reads[1]
    exports = [
        c.secrets.transit.export_key("same", "signing-key", mount_point=pair.mount)["data"]
        for _, c in pair.both()
    ]
    assert exports[0] == exports[1]


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_convergent_ciphertexts_are_identical(pair: Pair, direction: str) -> None:
    _move(pair, direction, "conv", derived=True, convergent_encryption=True)
    made = {
        name: client.secrets.transit.encrypt_data(
            "conv", MESSAGE, context=CONTEXT, mount_point=pair.mount
        )["data"]["ciphertext"]
        for name, client in pair.both()
    }
    assert made["sealbox"] == made["bao"]
    assert made["sealbox"].startswith("vault:v2:")
    other = pair.sealbox.secrets.transit.encrypt_data(
        "conv", MESSAGE, context=base64.b64encode(b"other").decode(), mount_point=pair.mount
    )["data"]["ciphertext"]
    assert other != made["sealbox"]


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_derived_ciphertexts_need_the_same_context(pair: Pair, direction: str) -> None:
    _move(pair, direction, "der", derived=True)
    made = pair.bao.secrets.transit.encrypt_data(
        "der", MESSAGE, context=CONTEXT, mount_point=pair.mount
    )["data"]["ciphertext"]
    plain = pair.sealbox.secrets.transit.decrypt_data(
        "der", made, context=CONTEXT, mount_point=pair.mount
    )
    assert plain["data"]["plaintext"] == MESSAGE
    with pytest.raises(hvac.exceptions.InvalidRequest, match="message authentication failed"):
        pair.sealbox.secrets.transit.decrypt_data(
            "der", made, context=base64.b64encode(b"wrong").decode(), mount_point=pair.mount
        )


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("key_type", ["aes256-gcm96", "hmac"])
@pytest.mark.parametrize("algorithm", ["sha2-224", "sha2-256", "sha2-512"])
def test_hmacs_are_identical(pair: Pair, direction: str, key_type: str, algorithm: str) -> None:
    extra = {"key_size": 48} if key_type == "hmac" else {}
    _move(pair, direction, "mac", key_type=key_type, **extra)
    macs = {
        name: client.secrets.transit.generate_hmac(
            "mac", MESSAGE, algorithm=algorithm, key_version=1, mount_point=pair.mount
        )["data"]["hmac"]
        for name, client in pair.both()
    }
    assert macs["sealbox"] == macs["bao"]
    for _, client in pair.both():
        ok = client.secrets.transit.verify_signed_data(
            "mac", MESSAGE, hmac=macs["bao"], hash_algorithm=algorithm, mount_point=pair.mount
        )
        assert ok["data"]["valid"] is True


def _sign(client: hvac.Client, mount: str, name: str, **options: Any) -> str:
    result = client.secrets.transit.sign_data(
        name, hash_input=MESSAGE, mount_point=mount, **options
    )
    return str(result["data"]["signature"])


def _verify(client: hvac.Client, mount: str, name: str, signature: str, **options: Any) -> bool:
    result = client.secrets.transit.verify_signed_data(
        name, MESSAGE, signature=signature, mount_point=mount, **options
    )
    return bool(result["data"]["valid"])


DETERMINISTIC = [
    ("ed25519", {}, {}),
    ("ed25519", {"derived": True}, {"context": CONTEXT}),
    ("rsa-2048", {}, {"signature_algorithm": "pkcs1v15"}),
    ("rsa-3072", {}, {"signature_algorithm": "pkcs1v15", "hash_algorithm": "sha2-512"}),
]


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize(
    ("key_type", "create", "options"),
    DETERMINISTIC,
    ids=["ed25519", "ed25519-derived", "rsa2048-pkcs1v15", "rsa3072-pkcs1v15-sha512"],
)
def test_deterministic_signatures_are_identical(
    pair: Pair, direction: str, key_type: str, create: dict[str, Any], options: dict[str, Any]
) -> None:
    _move(pair, direction, "det", key_type=key_type, **create)
    signatures = {name: _sign(c, pair.mount, "det", **options) for name, c in pair.both()}
    assert signatures["sealbox"] == signatures["bao"]
    for _, client in pair.both():
        assert _verify(client, pair.mount, "det", signatures["bao"], **options)


RANDOMISED = [
    ("ecdsa-p256", {}),
    ("ecdsa-p384", {"marshaling_algorithm": "jws"}),
    ("ecdsa-p521", {"hash_algorithm": "sha2-512"}),
    ("rsa-2048", {}),
    ("rsa-2048", {"salt_length": "hash", "hash_algorithm": "sha2-384"}),
]


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize(
    ("key_type", "options"),
    RANDOMISED,
    ids=["p256", "p384-jws", "p521-sha512", "rsa-pss", "rsa-pss-hash-salt"],
)
def test_randomised_signatures_verify_on_both(
    pair: Pair, direction: str, key_type: str, options: dict[str, Any]
) -> None:
    _move(pair, direction, "rnd", key_type=key_type)
    for maker_name, maker in pair.both():
        signature = _sign(maker, pair.mount, "rnd", **options)
        for checker_name, checker in pair.both():
            assert _verify(checker, pair.mount, "rnd", signature, **options), (
                maker_name,
                checker_name,
            )
        tampered = signature[:-6] + ("AAAAAA" if not signature.endswith("AAAAAA") else "BBBBBB")
        for _, checker in pair.both():
            # a tampered DER signature may not even parse (400): also a rejection
            with contextlib.suppress(hvac.exceptions.InvalidRequest):
                assert not _verify(checker, pair.mount, "rnd", tampered, **options)


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_rsa_ciphertexts_decrypt_on_both(pair: Pair, direction: str) -> None:
    _move(pair, direction, "oaep", key_type="rsa-2048")
    for _, maker in pair.both():
        made = maker.secrets.transit.encrypt_data("oaep", MESSAGE, mount_point=pair.mount)
        for _, reader in pair.both():
            plain = reader.secrets.transit.decrypt_data(
                "oaep", made["data"]["ciphertext"], mount_point=pair.mount
            )
            assert plain["data"]["plaintext"] == MESSAGE


DIGEST = base64.b64encode(hashlib.sha384(b"the quick brown fox").digest()).decode()


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("key_type", ["rsa-2048", "ecdsa-p384"])
def test_prehashed_signatures_cross(pair: Pair, direction: str, key_type: str) -> None:
    """A caller's own SHA-384 digest signed with ``prehashed``: PKCS#1 v1.5 signatures are
    identical on both servers, ECDSA ones verify on both, and both equal a signature over the
    message hashed by the server."""
    _move(pair, direction, "pre", key_type=key_type)
    options: dict[str, Any] = {"hash_algorithm": "sha2-384", "prehashed": True}
    if key_type.startswith("rsa"):
        options["signature_algorithm"] = "pkcs1v15"
    signatures = {}
    for name, client in pair.both():
        result = client.secrets.transit.sign_data(
            "pre", hash_input=DIGEST, mount_point=pair.mount, **options
        )
        signatures[name] = result["data"]["signature"]
    if key_type.startswith("rsa"):
        assert signatures["sealbox"] == signatures["bao"]
        unhashed = {k: v for k, v in options.items() if k != "prehashed"}
        assert _sign(pair.sealbox, pair.mount, "pre", **unhashed) == signatures["bao"]
    for signature in signatures.values():
        for _, client in pair.both():
            ok = client.secrets.transit.verify_signed_data(
                "pre", DIGEST, signature=signature, mount_point=pair.mount, **options
            )
            assert ok["data"]["valid"] is True
