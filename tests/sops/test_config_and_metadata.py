"""``.sops.yaml`` rule selection, metadata serialization and flattening (in-process)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sealbox.sops.config import find_config
from sealbox.sops.errors import ConfigError, NoMatchingRuleError, SopsError
from sealbox.sops.formats.flatten import flatten, unflatten
from sealbox.sops.metadata import Metadata

RULES = """\
creation_rules:
  - path_regex: .*/production/.*\\.(yaml|env)$
    age: age1prod
  - path_regex: .*/dev/.*\\.yaml$
    age: age1dev1,age1dev2
    encrypted_regex: ^(password|token)$
  - path_regex: .*\\.enc\\.yaml$
    key_groups:
      - age: [age1a]
        pgp: [FP1]
      - age: [age1b]
    shamir_threshold: 2
    mac_only_encrypted: true
"""


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("SOPS_CONFIG", raising=False)
    (tmp_path / ".sops.yaml").write_text(RULES)
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    monkeypatch.chdir(nested)
    return tmp_path


def test_config_is_found_walking_up_from_the_working_directory(config_dir: Path) -> None:
    config = find_config()
    assert config is not None
    assert config.path == str(config_dir / ".sops.yaml")


def test_first_matching_rule_wins(config_dir: Path) -> None:
    config = find_config()
    assert config is not None
    prod = config.rule_for(str(config_dir / "secrets/production/db.yaml"))
    assert [g.age for g in prod.key_groups] == [("age1prod",)]
    dev = config.rule_for(str(config_dir / "secrets/dev/x.yaml"))
    assert dev.key_groups[0].age == ("age1dev1", "age1dev2")
    assert dev.rules.encrypted_regex == "^(password|token)$"
    groups = config.rule_for(str(config_dir / "team.enc.yaml"))
    assert [(g.age, g.pgp) for g in groups.key_groups] == [(("age1a",), ("FP1",)), (("age1b",), ())]
    assert groups.shamir_threshold == 2
    assert groups.mac_only_encrypted is True
    with pytest.raises(NoMatchingRuleError):
        config.rule_for(str(config_dir / "other.txt"))


def test_path_regex_is_matched_relative_to_the_config_directory(config_dir: Path) -> None:
    # "production/x.yaml" at the config root has no leading slash after stripping the dir.
    config = find_config()
    assert config is not None
    with pytest.raises(NoMatchingRuleError):
        config.rule_for(str(config_dir / "production/x.yaml"))


def test_explicit_config_and_invalid_config(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("creation_rules: {a: 1}\n")
    with pytest.raises(ConfigError):
        find_config(str(bad))


def test_metadata_round_trip_keeps_unknown_key_types() -> None:
    raw = {
        "hckms": [{"key_id": "r:1", "created_at": "2024-01-01T00:00:00Z", "enc": "x"}],
        "future_kms": [{"uri": "f://k", "enc": "y"}],
        "lastmodified": "2024-01-01T00:00:00Z",
        "mac": "ENC[...]",
        "unencrypted_suffix": "_unencrypted",
        "version": "3.11.0",
    }
    metadata = Metadata.from_dict(raw)
    assert len(metadata.key_groups[0]) == 2
    assert metadata.to_dict() == dict(sorted(raw.items()))


def test_metadata_with_key_groups() -> None:
    raw = {
        "key_groups": [
            {"future_kms": [{"uri": "a", "enc": "1"}], "age": []},
            {"future_kms": [{"uri": "b", "enc": "2"}]},
        ],
        "shamir_threshold": 2,
        "lastmodified": "2024-01-01T00:00:00Z",
        "mac": "m",
        "version": "3.11.0",
    }
    metadata = Metadata.from_dict(raw)
    assert [len(g) for g in metadata.key_groups] == [1, 1]
    written = metadata.to_dict()
    assert written["shamir_threshold"] == 2
    assert written["key_groups"][1] == {"future_kms": [{"uri": "b", "enc": "2"}]}


@pytest.mark.parametrize(
    "raw",
    [{"lastmodified": "2024-01-01T00:00:00Z", "mac": "m"}, {"future": [{"enc": "x"}]}],
    ids=["no-keys", "bad-lastmodified"],
)
def test_invalid_metadata_is_refused(raw: dict[str, object]) -> None:
    with pytest.raises(SopsError):
        Metadata.from_dict(raw)


def test_flatten_matches_go_sops_names_and_round_trips() -> None:
    nested = {
        "age": [{"recipient": "age1x", "enc": "-----BEGIN\nabc\n"}],
        "key_groups": [{"pgp": [{"fp": "F"}]}, {"age": [{"recipient": "r"}]}],
        "mac_only_encrypted": "true",
        "version": "3.11.0",
    }
    flat = flatten(nested)
    assert flat["age__list_0__map_enc"] == "-----BEGIN\nabc\n"
    assert flat["key_groups__list_1__map_age__list_0__map_recipient"] == "r"
    assert unflatten(flat) == nested


@pytest.mark.parametrize(
    ("stored", "written"), [("3.7.3", "3.11.0"), ("1.13", "3.11.0"), ("3.13.2", "3.13.2")]
)
def test_edit_records_a_newer_program_version(stored: str, written: str) -> None:
    raw = {
        "future_kms": [{"enc": "x"}],
        "lastmodified": "2024-01-01T00:00:00Z",
        "mac": "m",
        "version": stored,
    }
    metadata = Metadata.from_dict(raw)
    metadata.bump_version()
    assert metadata.version == written


def test_malformed_threshold_is_a_clean_error() -> None:
    raw = {
        "future_kms": [{"enc": "x"}],
        "lastmodified": "2024-01-01T00:00:00Z",
        "shamir_threshold": "two",
    }
    with pytest.raises(SopsError, match="shamir_threshold"):
        Metadata.from_dict(raw)
