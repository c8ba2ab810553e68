"""sys/rekey (init, update, verify, backup) and sys/generate-root with the 28-character OTP,
through hvac on fresh config-file servers."""

from __future__ import annotations

import base64
import secrets
import string

import hvac
import pytest
from hvac import exceptions
from tests.compat.conftest import InitializedServer

pytestmark = pytest.mark.compat


def _client(server: InitializedServer) -> hvac.Client:
    return hvac.Client(url=server.address, token=server.token)


def test_rekey_init_status_and_cancel(fresh_initialized: InitializedServer) -> None:
    client = _client(fresh_initialized)
    idle = client.sys.read_rekey_progress()
    assert idle["started"] is False
    started = client.sys.start_rekey(secret_shares=4, secret_threshold=2)
    assert started["started"] is True
    assert started["nonce"]
    assert (started["n"], started["t"], started["required"], started["progress"]) == (4, 2, 2, 0)
    assert started["verification_required"] is False
    assert client.sys.read_rekey_progress()["nonce"] == started["nonce"]
    client.sys.cancel_rekey()
    assert client.sys.read_rekey_progress()["started"] is False


def test_rekey_replaces_the_unseal_keys(fresh_initialized: InitializedServer) -> None:
    client = _client(fresh_initialized)
    nonce = client.sys.start_rekey(secret_shares=4, secret_threshold=3)["nonce"]
    first = client.sys.rekey(key=fresh_initialized.unseal_keys[0], nonce=nonce)
    assert first["complete"] is False
    assert first["progress"] == 1
    done = client.sys.rekey(key=fresh_initialized.unseal_keys[1], nonce=nonce)
    assert done["complete"] is True
    assert len(done["keys"]) == 4
    assert len(done["keys_base64"]) == 4
    assert client.sys.read_seal_status()["t"] == 3
    client.sys.seal()
    with pytest.raises(exceptions.InvalidRequest):
        client.sys.submit_unseal_keys(fresh_initialized.unseal_keys[:3])
    client.sys.submit_unseal_key(reset=True)
    assert client.sys.submit_unseal_keys(done["keys"][1:4])["sealed"] is False


def test_rekey_update_with_wrong_nonce_is_400(fresh_initialized: InitializedServer) -> None:
    client = _client(fresh_initialized)
    client.sys.start_rekey(secret_shares=3, secret_threshold=2)
    with pytest.raises(exceptions.InvalidRequest):
        client.sys.rekey(key=fresh_initialized.unseal_keys[0], nonce="not-the-nonce")


def test_rekey_update_without_attempt_is_400(fresh_initialized: InitializedServer) -> None:
    with pytest.raises(exceptions.InvalidRequest):
        _client(fresh_initialized).sys.rekey(key=fresh_initialized.unseal_keys[0], nonce="x")


def test_rekey_with_verification(fresh_initialized: InitializedServer) -> None:
    client = _client(fresh_initialized)
    nonce = client.sys.start_rekey(secret_shares=3, secret_threshold=2, require_verification=True)[
        "nonce"
    ]
    result = client.sys.rekey_multi(fresh_initialized.unseal_keys[:2], nonce=nonce)
    assert result["complete"] is True
    assert result["verification_required"] is True
    new_keys = result["keys"]
    verify_nonce = result["verification_nonce"]
    progress = client.sys.read_rekey_verify_progress()
    assert progress["nonce"] == verify_nonce
    assert (progress["t"], progress["n"], progress["progress"]) == (2, 3, 0)
    # the old keys still unseal until verification completes
    step = client.sys.rekey_verify(new_keys[0], nonce=verify_nonce)
    assert step["complete"] is False
    final = client.sys.rekey_verify(new_keys[1], nonce=verify_nonce)
    assert final["complete"] is True
    client.sys.seal()
    assert client.sys.submit_unseal_keys(new_keys[1:])["sealed"] is False


def test_rekey_verify_cancel_restarts_verification(fresh_initialized: InitializedServer) -> None:
    client = _client(fresh_initialized)
    nonce = client.sys.start_rekey(secret_shares=2, secret_threshold=2, require_verification=True)[
        "nonce"
    ]
    result = client.sys.rekey_multi(fresh_initialized.unseal_keys[:2], nonce=nonce)
    client.sys.rekey_verify(result["keys"][0], nonce=result["verification_nonce"])
    cancelled = client.sys.cancel_rekey_verify()
    assert cancelled["progress"] == 0
    assert cancelled["nonce"] != result["verification_nonce"]
    final = client.sys.rekey_verify_multi(result["keys"], nonce=cancelled["nonce"])
    assert final["complete"] is True


def test_rekey_backup_without_pgp(fresh_initialized: InitializedServer) -> None:
    client = _client(fresh_initialized)
    with pytest.raises(exceptions.InvalidRequest):
        client.sys.read_backup_keys()
    # hvac only sends ``backup`` together with pgp_keys; send it alone by hand
    with pytest.raises(exceptions.InvalidRequest):
        client.adapter.put(
            "/v1/sys/rekey/init", json={"secret_shares": 3, "secret_threshold": 2, "backup": True}
        )
    assert client.sys.read_rekey_progress()["started"] is False


def _otp() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(28))


def _decode(encoded: str, otp: str) -> str:
    raw = base64.b64decode(encoded + "=" * (-len(encoded) % 4))
    return bytes(a ^ b for a, b in zip(raw, otp.encode(), strict=True)).decode()


def test_generate_root_with_otp(fresh_initialized: InitializedServer) -> None:
    client = _client(fresh_initialized)
    idle = client.sys.read_root_generation_progress()
    assert idle["started"] is False
    assert idle["otp_length"] == 28
    otp = _otp()
    started = client.sys.start_root_token_generation(otp=otp)
    assert started["started"] is True
    assert started["required"] == 2
    nonce = started["nonce"]
    step = client.sys.generate_root(key=fresh_initialized.unseal_keys[0], nonce=nonce)
    assert (step["progress"], step["complete"]) == (1, False)
    done = client.sys.generate_root(key=fresh_initialized.unseal_keys[2], nonce=nonce)
    assert done["complete"] is True
    token = _decode(done["encoded_token"], otp)
    assert len(token) == 28
    fresh = hvac.Client(url=fresh_initialized.address, token=token)
    assert fresh.auth.token.lookup_self()["data"]["policies"] == ["root"]
    assert client.sys.read_root_generation_progress()["started"] is False


def test_generate_root_rejects_short_otp(fresh_initialized: InitializedServer) -> None:
    client = _client(fresh_initialized)
    with pytest.raises(exceptions.InvalidRequest):
        client.sys.start_root_token_generation(otp="tooshort")
    assert client.sys.read_root_generation_progress()["started"] is False


def test_generate_root_cancel(fresh_initialized: InitializedServer) -> None:
    client = _client(fresh_initialized)
    client.sys.start_root_token_generation(otp=_otp())
    with pytest.raises(exceptions.InvalidRequest):
        client.sys.start_root_token_generation(otp=_otp())
    client.sys.cancel_root_generation()
    assert client.sys.read_root_generation_progress()["started"] is False


def test_generate_root_wrong_nonce(fresh_initialized: InitializedServer) -> None:
    client = _client(fresh_initialized)
    client.sys.start_root_token_generation(otp=_otp())
    with pytest.raises(exceptions.InvalidRequest):
        client.sys.generate_root(key=fresh_initialized.unseal_keys[0], nonce="wrong")


def test_rekey_and_generate_root_status_need_no_token(
    fresh_initialized: InitializedServer,
) -> None:
    anonymous = hvac.Client(url=fresh_initialized.address, token="")
    assert anonymous.sys.read_rekey_progress()["started"] is False
    assert anonymous.sys.read_root_generation_progress()["otp_length"] == 28
