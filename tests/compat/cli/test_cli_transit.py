"""Transit through the generic CLI commands: ``sealbox write/read/list`` (and ``bao`` as the
oracle client on the same server): create, encrypt, decrypt, rotate, rewrap, read."""

from __future__ import annotations

import base64
import json

import pytest
from tests.compat.cli.cli_helpers import Runner, unique

pytestmark = pytest.mark.compat


def _ok(result: object) -> str:
    assert getattr(result, "returncode", 1) == 0, getattr(result, "stderr", "")
    return str(getattr(result, "stdout", ""))


def test_transit_with_generic_commands(sealbox: Runner, bao: Runner) -> None:
    mount = unique("transit")
    _ok(sealbox("secrets", "enable", f"-path={mount}", "transit"))
    try:
        _ok(sealbox("write", "-f", f"{mount}/keys/orders"))
        plain = base64.b64encode(b"order #1234").decode()
        ciphertext = _ok(
            sealbox("write", "-field=ciphertext", f"{mount}/encrypt/orders", f"plaintext={plain}")
        ).strip()
        assert ciphertext.startswith("vault:v1:")
        for client in (sealbox, bao):
            out = _ok(
                client(
                    "write",
                    "-field=plaintext",
                    f"{mount}/decrypt/orders",
                    f"ciphertext={ciphertext}",
                )
            )
            assert base64.b64decode(out.strip()) == b"order #1234"
        _ok(sealbox("write", "-f", f"{mount}/keys/orders/rotate"))
        rewrapped = json.loads(
            _ok(
                sealbox(
                    "write", "-format=json", f"{mount}/rewrap/orders", f"ciphertext={ciphertext}"
                )
            )
        )
        assert rewrapped["data"]["ciphertext"].startswith("vault:v2:")
        key = json.loads(_ok(sealbox("read", "-format=json", f"{mount}/keys/orders")))
        assert key["data"]["latest_version"] == 2
        assert sorted(key["data"]["keys"]) == ["1", "2"]
        listed = _ok(sealbox("list", f"{mount}/keys"))
        assert "orders" in listed
        table = _ok(sealbox("read", f"{mount}/keys/orders"))
        assert "latest_version" in table
        assert "aes256-gcm96" in table
        refused = sealbox("write", f"{mount}/decrypt/orders", "ciphertext=vault:v1:AAAA")
        assert refused.returncode == 2
        assert "invalid ciphertext length" in refused.stderr
    finally:
        sealbox("secrets", "disable", mount)
