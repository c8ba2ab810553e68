"""``seal "<type>" {...}`` blocks in the server configuration (auto-unseal, migration)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sealbox.barrier.seals import SealStanza, StaticSeal, TransitSeal, seal_setup
from sealbox.server.config import ConfigError, load_config

_BASE = 'storage "inmem" {}\nlistener "tcp" {\n  address = "127.0.0.1:8200"\n  tls_disable = 1\n}\n'


def _load(tmp_path: Path, text: str) -> tuple[tuple[str, dict[str, str]], ...]:
    path = tmp_path / "sealbox.hcl"
    path.write_text(_BASE + text)
    return load_config([str(path)]).seals


def test_transit_and_disabled_static_blocks(tmp_path: Path) -> None:
    seals = _load(
        tmp_path,
        'seal "transit" {\n  address = "https://a:8200"\n  key_name = "k"\n'
        '  tls_skip_verify = true\n  token = "hvs.canary-token-value"\n}\n'
        'seal "static" {\n  disabled = true\n  current_key_id = "1"\n'
        f'  current_key = "{"ab" * 32}"\n}}\n',
    )
    assert seals == (
        (
            "transit",
            {
                "address": "https://a:8200",
                "key_name": "k",
                "tls_skip_verify": "true",
                "token": "hvs.canary-token-value",
            },
        ),
        ("static", {"disabled": "true", "current_key_id": "1", "current_key": "ab" * 32}),
    )
    setup = seal_setup(tuple(SealStanza(kind, opts) for kind, opts in seals))
    assert isinstance(setup.seal, TransitSeal)
    assert isinstance(setup.old_seal, StaticSeal)
    assert "canary" not in repr(setup.seal)
    assert "canary" not in repr(setup.seal.config)


def test_no_seal_block_is_shamir(tmp_path: Path) -> None:
    assert _load(tmp_path, "") == ()
    assert seal_setup(()).seal is None


def test_three_seal_blocks_are_refused(tmp_path: Path) -> None:
    blocks = "".join(
        f'seal "{kind}" {{\n  x = "1"\n}}\n' for kind in ("static", "transit", "shamir")
    )
    with pytest.raises(ConfigError, match="at most two seal blocks"):
        _load(tmp_path, blocks)
