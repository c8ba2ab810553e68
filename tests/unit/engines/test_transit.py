"""Transit engine through ``handle`` on in-memory storage: lifecycle, bad input, rotation."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import pytest
from tests.unit.engines.harness import FakeClock, Outcome, call, make_config

from sealbox.engines.transit import TransitEngine
from sealbox.engines.transit.store import POLICY_PREFIX
from sealbox.logical import Operation

U, R, L, D = Operation.UPDATE, Operation.READ, Operation.LIST, Operation.DELETE
C = Operation.CREATE  # what the core sends for encrypt/ when the key does not exist yet
HELLO = base64.b64encode(b"hello").decode()
CTX = base64.b64encode(b"ctx").decode()


@pytest.fixture
def transit(clock: FakeClock) -> TransitEngine:
    return TransitEngine(make_config(mount_type="transit"), clock=clock)


def ok(outcome: Outcome) -> Any:
    assert outcome.status == 200, outcome
    return outcome.data


def encrypt(engine: TransitEngine, name: str, **body: Any) -> str:
    exists = asyncio.run(engine.keyring.get(engine.config.storage, name)) is not None
    outcome = call(engine, U if exists else C, f"encrypt/{name}", {"plaintext": HELLO, **body})
    return str(ok(outcome)["ciphertext"])


def test_encrypt_creates_key_and_round_trips(transit: TransitEngine) -> None:
    ciphertext = encrypt(transit, "k")
    assert ciphertext.startswith("vault:v1:")
    assert ok(call(transit, U, "decrypt/k", {"ciphertext": ciphertext})) == {"plaintext": HELLO}
    assert ok(call(transit, L, "keys"))["keys"] == ["k"]


def test_ciphertexts_are_random_unless_convergent(transit: TransitEngine) -> None:
    assert encrypt(transit, "k") != encrypt(transit, "k")
    ok(call(transit, U, "keys/c", {"derived": True, "convergent_encryption": True}))
    assert encrypt(transit, "c", context=CTX) == encrypt(transit, "c", context=CTX)


def test_every_item_of_a_batch_gets_its_own_nonce(transit: TransitEngine) -> None:
    """A batch draws its nonces in one call; the same plaintext still never shares one."""
    for name, body in (("plain", {}), ("derived", {"derived": True})):
        ok(call(transit, U, f"keys/{name}", body))
        item = {"plaintext": HELLO, **({"context": CTX} if body else {})}
        outcome = call(transit, U, f"encrypt/{name}", {"batch_input": [item] * 300})
        ciphertexts = [r["ciphertext"] for r in ok(outcome)["batch_results"]]
        nonces = {base64.b64decode(c.rsplit(":", 1)[1])[:12] for c in ciphertexts}
        assert len(nonces) == 300
        decrypted = call(
            transit,
            U,
            f"decrypt/{name}",
            {"batch_input": [{**item, "ciphertext": c} for c in ciphertexts]},
        )
        assert {r["plaintext"] for r in ok(decrypted)["batch_results"]} == {HELLO}


def _tamper(ciphertext: str) -> str:
    prefix, body = ciphertext.rsplit(":", 1)
    raw = bytearray(base64.b64decode(body))
    raw[-1] ^= 1
    return prefix + ":" + base64.b64encode(bytes(raw)).decode()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"ciphertext": "TAMPER"}, "cipher: message authentication failed"),
        ({"ciphertext": "FOREIGN"}, "cipher: message authentication failed"),
        ({"ciphertext": "vault:v1:AAAA"}, "invalid ciphertext length"),
        ({"ciphertext": "vault:v3:AAAA"}, "invalid ciphertext: version is too new"),
        ({"ciphertext": "plain"}, "invalid ciphertext: no prefix"),
        ({"ciphertext": "vault:v1:***"}, "invalid ciphertext: could not decode base64"),
        ({"ciphertext": ""}, "missing ciphertext to decrypt"),
    ],
    ids=["tampered", "foreign", "short", "too-new", "no-prefix", "not-base64", "empty"],
)
def test_bad_ciphertexts_are_400(
    transit: TransitEngine, body: dict[str, str], message: str
) -> None:
    mine = encrypt(transit, "k")
    foreign = encrypt(transit, "other")
    value = {"TAMPER": _tamper(mine), "FOREIGN": foreign}.get(
        body["ciphertext"], body["ciphertext"]
    )
    outcome = call(transit, U, "decrypt/k", {"ciphertext": value})
    assert (outcome.status, outcome.errors) == (400, [message])


def test_wrong_or_missing_context_is_400(transit: TransitEngine) -> None:
    ciphertext = encrypt(transit, "d", context=CTX)
    wrong = call(transit, U, "decrypt/d", {"ciphertext": ciphertext, "context": "b3RoZXI="})
    assert (wrong.status, wrong.errors) == (400, ["cipher: message authentication failed"])
    missing = call(transit, U, "decrypt/d", {"ciphertext": ciphertext})
    assert missing.status == 400
    assert missing.errors is not None
    assert missing.errors[0].startswith("missing 'context' for key derivation")


def test_min_decryption_version_refuses_old_ciphertexts(transit: TransitEngine) -> None:
    old = encrypt(transit, "k")
    ok(call(transit, U, "keys/k/rotate"))
    new = encrypt(transit, "k")
    ok(call(transit, U, "keys/k/config", {"min_decryption_version": 2}))
    refused = call(transit, U, "decrypt/k", {"ciphertext": old})
    assert (refused.status, refused.errors) == (
        400,
        ["ciphertext or signature version is disallowed by policy (too old)"],
    )
    assert ok(call(transit, U, "decrypt/k", {"ciphertext": new}))["plaintext"] == HELLO
    rewrapped = ok(call(transit, U, "rewrap/k", {"ciphertext": new}))
    assert rewrapped["key_version"] == 2


@pytest.mark.parametrize(
    "path", ["decrypt/nope", "rewrap/nope", "datakey/wrapped/nope", "hmac/nope"]
)
def test_unknown_key_is_400(transit: TransitEngine, path: str) -> None:
    outcome = call(transit, U, path, {"ciphertext": "vault:v1:AAAA", "input": HELLO})
    assert (outcome.status, outcome.errors) == (400, ["encryption key not found"])


def test_auto_rotation_waits_for_the_period(transit: TransitEngine, clock: FakeClock) -> None:
    ok(call(transit, U, "keys/k", {"auto_rotate_period": "1h"}))
    ok(call(transit, U, "keys/manual", {}))
    asyncio.run(transit.periodic())
    assert ok(call(transit, R, "keys/k"))["latest_version"] == 1
    clock.advance(3601)
    asyncio.run(transit.periodic())
    assert ok(call(transit, R, "keys/k"))["latest_version"] == 2
    assert ok(call(transit, R, "keys/manual"))["latest_version"] == 1
    asyncio.run(transit.periodic())
    assert ok(call(transit, R, "keys/k"))["latest_version"] == 2


def test_rotation_survives_a_new_backend_on_the_same_storage(transit: TransitEngine) -> None:
    ciphertext = encrypt(transit, "k")
    ok(call(transit, U, "keys/k/rotate"))
    again = TransitEngine(transit.config)
    assert ok(call(again, R, "keys/k"))["latest_version"] == 2
    assert ok(call(again, U, "decrypt/k", {"ciphertext": ciphertext}))["plaintext"] == HELLO


def test_batch_partial_failure_lists_every_item(transit: TransitEngine) -> None:
    outcome = call(
        transit,
        C,
        "encrypt/k",
        {"batch_input": [{"plaintext": HELLO, "reference": "a"}, {"plaintext": "@@"}]},
    )
    assert outcome.status == 400
    first, second = outcome.data["batch_results"]
    assert first["reference"] == "a"
    assert first["ciphertext"].startswith("vault:v1:")
    assert second == {"error": "illegal base64 data at input byte 0", "reference": ""}


def test_batch_items_naming_a_version_use_it(transit: TransitEngine) -> None:
    ok(call(transit, U, "keys/k"))
    ok(call(transit, U, "keys/k/rotate"))
    items = [{"plaintext": HELLO}, {"plaintext": HELLO, "key_version": 1}, {"plaintext": HELLO}]
    results = ok(call(transit, U, "encrypt/k", {"batch_input": items}))["batch_results"]
    assert [r["key_version"] for r in results] == [2, 1, 2]
    assert [r["ciphertext"][:9] for r in results] == ["vault:v2:", "vault:v1:", "vault:v2:"]


def test_delete_needs_deletion_allowed(transit: TransitEngine) -> None:
    ok(call(transit, U, "keys/k"))
    assert call(transit, D, "keys/k").status == 400
    ok(call(transit, U, "keys/k/config", {"deletion_allowed": True}))
    assert call(transit, D, "keys/k").status == 204
    assert call(transit, R, "keys/k").status == 404
    assert asyncio.run(transit.config.storage.get(POLICY_PREFIX + "k")) is None


def test_trim_removes_old_versions(transit: TransitEngine) -> None:
    old = encrypt(transit, "k")
    for _ in range(2):
        ok(call(transit, U, "keys/k/rotate"))
    ok(
        call(
            transit, U, "keys/k/config", {"min_decryption_version": 2, "min_encryption_version": 3}
        )
    )
    ok(call(transit, U, "keys/k/trim", {"min_available_version": 2}))
    raw = asyncio.run(transit.config.storage.get(POLICY_PREFIX + "k"))
    assert raw is not None
    assert sorted(json.loads(raw)["keys"]) == ["2", "3"]
    assert call(transit, U, "decrypt/k", {"ciphertext": old}).status == 400


def test_backup_restore_and_its_refusals(transit: TransitEngine) -> None:
    ok(call(transit, U, "keys/closed"))
    refused = call(transit, R, "backup/closed")
    assert (refused.status, refused.errors) == (400, ["exporting is disallowed on the policy"])
    ok(call(transit, U, "keys/open", {"exportable": True, "allow_plaintext_backup": True}))
    ciphertext = encrypt(transit, "open")
    backup = ok(call(transit, R, "backup/open"))["backup"]
    assert call(transit, U, "restore", {"backup": backup}).status == 400
    assert call(transit, U, "restore/copy", {"backup": backup}).status == 204
    assert ok(call(transit, U, "decrypt/copy", {"ciphertext": ciphertext}))["plaintext"] == HELLO
    for bad in ("@@@", base64.b64encode(b"{}").decode(), base64.b64encode(b"[1]").decode()):
        outcome = call(transit, U, "restore/x", {"backup": bad})
        assert outcome.status == 400, bad
    assert call(transit, R, "keys/x").status == 404


SECRET = b"canary-plaintext-9f8e7d"


def test_errors_never_echo_plaintext(transit: TransitEngine) -> None:
    ok(call(transit, U, "keys/k", {"type": "ed25519"}))
    plain = base64.b64encode(SECRET).decode()
    for path, body in [
        ("encrypt/k", {"plaintext": plain}),
        ("encrypt/k", {"plaintext": plain + "%"}),
        ("hmac/k", {"input": plain, "algorithm": "md5"}),
        ("sign/k", {"input": plain + "%"}),
        ("decrypt/k", {"ciphertext": "vault:v1:" + plain}),
    ]:
        outcome = call(transit, U, path, body)
        assert outcome.status == 400, (path, outcome)
        text = json.dumps(outcome.errors) + json.dumps(outcome.data)
        assert plain not in text
        assert SECRET.decode() not in text
