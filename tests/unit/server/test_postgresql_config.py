"""``storage "postgresql"`` in the server configuration (Vault's option names)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sealbox.server.config import ConfigError, load_config

_LISTENER = 'listener "tcp" {\n  address = "127.0.0.1:8200"\n  tls_disable = true\n}\n'


def _load(tmp_path: Path, storage: str) -> tuple[str, dict[str, str]]:
    path = tmp_path / "sealbox.hcl"
    path.write_text(storage + _LISTENER)
    config = load_config([str(path)])
    return config.storage_type, config.storage_options


def test_vault_style_postgresql_block_is_accepted(tmp_path: Path) -> None:
    kind, options = _load(
        tmp_path,
        'storage "postgresql" {\n'
        '  connection_url = "postgres://u:p@db:5432/vault?sslmode=disable"\n'
        '  table = "vault_kv_store"\n'
        '  ha_enabled = "true"\n'
        '  ha_table = "vault_ha_locks"\n'
        '  max_parallel = "16"\n'
        "}\n",
    )
    assert kind == "postgresql"
    assert options == {
        "connection_url": "postgres://u:p@db:5432/vault?sslmode=disable",
        "table": "vault_kv_store",
        "ha_enabled": "true",
        "ha_table": "vault_ha_locks",
        "max_parallel": "16",
    }


def test_hcl_booleans_and_numbers_are_accepted(tmp_path: Path) -> None:
    _, options = _load(
        tmp_path, 'storage "postgresql" {\n  ha_enabled = true\n  max_parallel = 8\n}\n'
    )
    assert options == {"ha_enabled": "true", "max_parallel": "8"}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('  ha_enabled = "sometimes"\n', "ha_enabled must be a boolean"),
        ('  max_parallel = "-3"\n', "max_parallel must be a positive integer"),
        ('  connection = "x"\n', "unknown option 'connection'"),
    ],
)
def test_bad_postgresql_options_name_the_line(tmp_path: Path, body: str, reason: str) -> None:
    with pytest.raises(ConfigError, match=reason) as caught:
        _load(tmp_path, 'storage "postgresql" {\n' + body + "}\n")
    assert ":2:" in str(caught.value)


def test_disable_request_forwarding_is_a_boolean(tmp_path: Path) -> None:
    path = tmp_path / "sealbox.hcl"
    storage = 'storage "postgresql" {\n  connection_url = "postgres://db/v"\n}\n'
    path.write_text(storage + _LISTENER)
    assert load_config([str(path)]).disable_request_forwarding is False
    path.write_text(storage + _LISTENER + "disable_request_forwarding = true\n")
    assert load_config([str(path)]).disable_request_forwarding is True
    path.write_text(storage + _LISTENER + 'disable_request_forwarding = "maybe"\n')
    with pytest.raises(ConfigError, match="disable_request_forwarding"):
        load_config([str(path)])
