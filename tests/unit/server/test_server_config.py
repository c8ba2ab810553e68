"""The server configuration file: Vault's HCL/JSON shape, and errors naming file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from sealbox.server.config import ConfigError, load_config


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Relative storage paths resolve from the working directory: a fresh one with data/."""
    (tmp_path / "data").mkdir()
    monkeypatch.chdir(tmp_path)


def _write(tmp_path: Path, text: str, name: str = "sealbox.hcl") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


_VALID = """
storage "sqlite" {
  path = "data/sealbox.db"
}

listener "tcp" {
  address     = "127.0.0.1:8201"
  tls_disable = 1
}

api_addr          = "http://127.0.0.1:8201"
default_lease_ttl = "1h"
max_lease_ttl     = "24h"
disable_mlock     = true
ui                = true
"""


def test_hcl_config_is_parsed_with_relative_paths_from_the_working_directory(
    tmp_path: Path,
) -> None:
    config = load_config([_write(tmp_path, _VALID)])
    assert config.storage_type == "sqlite"
    assert config.storage_options["path"] == str(tmp_path / "data" / "sealbox.db")
    assert config.listeners[0].host_port == ("127.0.0.1", 8201)
    assert config.listeners[0].tls_disable is True
    assert (config.default_lease_ttl, config.max_lease_ttl) == (3600, 86400)
    assert config.ui is True
    assert config.api_addr == "http://127.0.0.1:8201"


def test_json_config_and_the_backend_alias(tmp_path: Path) -> None:
    text = (
        '{"backend": {"inmem": {}},\n'
        ' "listener": {"tcp": {"address": "127.0.0.1:9000", "tls_disable": true}}}'
    )
    config = load_config([_write(tmp_path, text, "sealbox.json")])
    assert config.storage_type == "inmem"
    assert config.listeners[0].address == "127.0.0.1:9000"


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (_VALID + 'bogus_setting = "x"\n', 16, "unknown configuration key 'bogus_setting'"),
        (
            _VALID.replace('  path = "data/sealbox.db"', '  path = "x"\n  color = "red"'),
            4,
            "unknown option 'color'",
        ),
        (_VALID.replace('storage "sqlite"', 'storage "etcdish"'), 2, "unknown storage type"),
        (
            _VALID.replace('default_lease_ttl = "1h"', 'default_lease_ttl = "forever"'),
            12,
            "invalid duration",
        ),
        (_VALID.replace("tls_disable = 1", "tls_disable = 0"), 6, "tls_cert_file is required"),
        (
            _VALID.replace(
                '  address     = "127.0.0.1:8201"',
                '  address     = "127.0.0.1:8201"\n  tls_flavour = 1',
            ),
            8,
            "unknown option 'tls_flavour'",
        ),
    ],
    ids=[
        "unknown-key",
        "unknown-storage-option",
        "unknown-storage",
        "bad-duration",
        "tls-without-cert",
        "unknown-listener-option",
    ],
)
def test_bad_settings_name_file_line_and_reason(
    tmp_path: Path, text: str, line: int, reason: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config([path])
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}:"), message
    assert reason in message


def test_malformed_hcl_is_reported_with_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, 'storage "sqlite" {\n  path = "x"\n\nlistener "tcp" {\n')
    with pytest.raises(ConfigError, match=r"sealbox\.hcl:\d+: invalid HCL"):
        load_config([path])


def test_malformed_json_is_reported_with_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, '{\n  "storage": {"inmem": {}},\n  "listener": \n}', "c.json")
    with pytest.raises(ConfigError, match=r"c\.json:4: invalid JSON"):
        load_config([path])


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read configuration"):
        load_config([str(tmp_path / "absent.hcl")])


def test_default_lease_ttl_may_not_exceed_the_maximum(tmp_path: Path) -> None:
    text = _VALID.replace('max_lease_ttl     = "24h"', 'max_lease_ttl     = "30m"')
    with pytest.raises(ConfigError, match="default_lease_ttl exceeds max_lease_ttl"):
        load_config([_write(tmp_path, text)])


def test_sqlite_directory_that_does_not_exist_is_a_config_error(tmp_path: Path) -> None:
    path = _write(tmp_path, _VALID.replace("data/sealbox.db", "missing/sealbox.db"))
    with pytest.raises(ConfigError) as caught:
        load_config([path])
    message = str(caught.value)
    assert message.startswith(f"{path}:3:"), message
    assert f"directory {str(tmp_path / 'missing')!r} does not exist" in message


def test_aws_listener_beside_the_tcp_one(tmp_path: Path) -> None:
    config = tmp_path / "server.hcl"
    config.write_text(
        'storage "inmem" {}\n'
        'listener "tcp" { address = "127.0.0.1:8200"\n tls_disable = true }\n'
        'listener "aws" {\n address = "127.0.0.1:4566"\n tls_disable = true\n mount = "apps"\n'
        ' rotation_function "r" { command = ["/bin/true"] }\n}\n'
    )
    loaded = load_config([str(config)])
    kinds = [(listener.kind, listener.address) for listener in loaded.listeners]
    assert kinds == [("tcp", "127.0.0.1:8200"), ("aws", "127.0.0.1:4566")]
    assert loaded.listeners[1].options == {
        "mount": "apps",
        "rotation_function": {"r": {"command": ["/bin/true"]}},
    }
    config.write_text(
        'storage "inmem" {}\nlistener "tcp" { address = "127.0.0.1:8200"\n tls_disable = true }\n'
        'listener "aws" { address = "127.0.0.1:4566"\n tls_disable = true\n bogus = 1 }\n'
    )
    with pytest.raises(ConfigError, match="unknown option 'bogus' in listener \"aws\""):
        load_config([str(config)])


@pytest.mark.parametrize(
    ("line", "workers", "no_perf"),
    [
        ("", 1, False),
        ("workers = 4", 4, False),
        ('workers = "2"\ndisable_performance_standby = true', 2, True),
    ],
    ids=["defaults", "workers", "both"],
)
def test_workers_and_performance_standby_settings(
    tmp_path: Path, line: str, workers: int, no_perf: bool
) -> None:
    config = load_config([_write(tmp_path, _VALID + line + "\n")])
    assert config.workers == workers
    assert config.disable_performance_standby is no_perf


@pytest.mark.parametrize("value", ["0", "65", '"many"', "true"])
def test_workers_out_of_range_is_an_error_naming_the_line(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError, match=r"sealbox.hcl:\d+: workers must be a whole number"):
        load_config([_write(tmp_path, _VALID + f"workers = {value}\n")])
