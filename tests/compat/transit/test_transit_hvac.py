"""Every method of hvac's Transit client, run unchanged against sealbox and OpenBao.

Each scenario runs on both servers; the answers must agree wherever they are deterministic
(key metadata, hash sums, decrypted plaintexts, lengths), and the randomised ones (ciphertexts,
data keys, random bytes) must have the same form.
"""

from __future__ import annotations

import base64
from typing import Any

import hvac
import pytest
from tests.compat.transit.conftest import Pair

pytestmark = pytest.mark.compat

DATA = base64.b64encode(b"payload for hvac").decode()


def _scenario(client: hvac.Client, mount: str) -> dict[str, Any]:
    """One pass over the whole hvac Transit API; returns what should agree across servers."""
    tr = client.secrets.transit
    seen: dict[str, Any] = {}
    tr.create_key("app", mount_point=mount)
    tr.create_key("signer", key_type="ecdsa-p256", mount_point=mount)
    seen["list"] = tr.list_keys(mount_point=mount)["data"]["keys"]
    first = tr.encrypt_data("app", DATA, mount_point=mount)["data"]
    tr.rotate_key("app", mount_point=mount)
    rewrapped = tr.rewrap_data("app", first["ciphertext"], mount_point=mount)["data"]
    seen["rewrap_version"] = rewrapped["key_version"]
    seen["decrypted"] = tr.decrypt_data("app", rewrapped["ciphertext"], mount_point=mount)["data"][
        "plaintext"
    ]
    batch = tr.encrypt_data(
        "app", batch_input=[{"plaintext": DATA}, {"plaintext": DATA}], mount_point=mount
    )["data"]["batch_results"]
    decrypted = tr.decrypt_data(
        "app", batch_input=[{"ciphertext": b["ciphertext"]} for b in batch], mount_point=mount
    )["data"]["batch_results"]
    seen["batch"] = [d["plaintext"] for d in decrypted]
    wrapped = tr.generate_data_key("app", "plaintext", bits=512, mount_point=mount)["data"]
    seen["datakey_len"] = len(base64.b64decode(wrapped["plaintext"]))
    unwrapped = tr.decrypt_data("app", wrapped["ciphertext"], mount_point=mount)["data"]
    seen["datakey_round_trip"] = unwrapped["plaintext"] == wrapped["plaintext"]
    seen["datakey_wrapped_keys"] = sorted(
        tr.generate_data_key("app", "wrapped", mount_point=mount)["data"]
    )
    random = tr.generate_random_bytes(n_bytes=24, output_format="hex", mount_point=mount)
    seen["random_len"] = len(random["data"]["random_bytes"])
    seen["hash"] = tr.hash_data(DATA, algorithm="sha2-384", mount_point=mount)["data"]["sum"]
    seen["hmac_prefix"] = tr.generate_hmac("app", DATA, mount_point=mount)["data"]["hmac"][:9]
    signed = tr.sign_data("signer", hash_input=DATA, mount_point=mount)["data"]
    seen["verified"] = tr.verify_signed_data(
        "signer", DATA, signature=signed["signature"], mount_point=mount
    )["data"]["valid"]
    tr.rotate_key("app", mount_point=mount)
    tr.update_key_configuration(
        "app",
        min_decryption_version=2,
        min_encryption_version=3,
        deletion_allowed=True,
        mount_point=mount,
    )
    tr.trim_key("app", 2, mount_point=mount)
    key = tr.read_key("app", mount_point=mount)["data"]
    seen["key"] = {k: v for k, v in key.items() if k != "keys"}
    seen["key_versions"] = sorted(key["keys"])
    with pytest.raises(hvac.exceptions.InvalidRequest) as refused:
        tr.decrypt_data("app", first["ciphertext"], mount_point=mount)
    seen["refused"] = str(refused.value).split(",")[0]
    tr.delete_key("app", mount_point=mount)
    with pytest.raises(hvac.exceptions.InvalidPath):
        tr.read_key("app", mount_point=mount)
    return seen


def test_every_hvac_transit_call_agrees(pair: Pair) -> None:
    ours = _scenario(pair.sealbox, pair.mount)
    theirs = _scenario(pair.bao, pair.mount)
    assert ours == theirs
    assert ours["decrypted"] == DATA
    assert ours["key_versions"] == ["2", "3"]
