"""Differential test: every transit endpoint, same requests to sealbox and OpenBao.

Status codes, response shapes (keys and JSON types at every level) and, where the answer is
deterministic, the values and error texts must match. Ciphertexts and signatures are random
per server, so each server decrypts and verifies its own (saved per target).
"""

from __future__ import annotations

import re

import pytest
from tests.compat.differential.diff_harness import Step, Target, report, run_steps, step

pytestmark = pytest.mark.compat

M = "diff-transit"
HELLO = "aGVsbG8gd29ybGQ="  # "hello world"
CTX = "Y29udGV4dA=="  # "context"

KEY_STEPS: list[Step] = [
    step("POST", f"sys/mounts/{M}", {"type": "transit"}),
    step("LIST", f"{M}/keys"),
    step("GET", f"{M}/keys/missing"),
    step("POST", f"{M}/keys/aes", {}, values=True),
    step("POST", f"{M}/keys/aes", {"type": "rsa-2048"}, values=True),
    step("GET", f"{M}/keys/aes", values=True),
    step("LIST", f"{M}/keys", values=True),
    step("POST", f"{M}/keys/bad", {"type": "nope"}, exact_errors=True),
    step("POST", f"{M}/keys/bad", {"convergent_encryption": True}, exact_errors=True),
    step("POST", f"{M}/keys/bad", {"auto_rotate_period": "10m"}, exact_errors=True),
    step("POST", f"{M}/keys/bad", {"type": "aes256-gcm96", "key_size": 64}, exact_errors=True),
    step("POST", f"{M}/keys/hm", {"type": "hmac", "key_size": 32}, values=True),
    step("GET", f"{M}/keys/hm", values=True),
    step("POST", f"{M}/keys/der", {"derived": True}, values=True),
    step("POST", f"{M}/keys/conv", {"derived": True, "convergent_encryption": True}, values=True),
    step("POST", f"{M}/keys/ed", {"type": "ed25519"}),
    step("POST", f"{M}/keys/ed-der", {"type": "ed25519", "derived": True}, values=True),
    step("GET", f"{M}/keys/ed-der", query={"context": CTX}),
    step("POST", f"{M}/keys/p256", {"type": "ecdsa-p256"}),
    step("POST", f"{M}/keys/p256", {"type": "ecdsa-p256", "derived": True}),
    step("POST", f"{M}/keys/aes/rotate", values=True),
    step("POST", f"{M}/keys/aes/rotate", values=True),
    step("POST", f"{M}/keys/missing/rotate", exact_errors=True),
    step("POST", f"{M}/keys/aes/config", {"min_decryption_version": 2}, values=True),
    step("POST", f"{M}/keys/aes/config", {"min_decryption_version": 9}, exact_errors=True),
    step("POST", f"{M}/keys/aes/config", {"min_encryption_version": 1}, exact_errors=True),
    step("POST", f"{M}/keys/aes/config", {"min_decryption_version": 0}, values=True),
    step("POST", f"{M}/keys/aes/config", {"min_encryption_version": 3}, values=True),
    step("POST", f"{M}/keys/aes/config", {"auto_rotate_period": "1h"}, values=True),
    step("POST", f"{M}/keys/aes/config", {"auto_rotate_period": "5m"}, exact_errors=True),
    step("POST", f"{M}/keys/missing/config", {"deletion_allowed": True}, exact_errors=True),
    step("POST", f"{M}/keys/aes/trim", {}, exact_errors=True),
    step("POST", f"{M}/keys/aes/trim", {"min_available_version": 5}, exact_errors=True),
    step("POST", f"{M}/keys/aes/config", {"min_decryption_version": 2}),
    step("POST", f"{M}/keys/aes/trim", {"min_available_version": 2}, values=True),
    step("GET", f"{M}/keys/aes", values=True),
    step("DELETE", f"{M}/keys/aes", exact_errors=True),
    step("DELETE", f"{M}/keys/aes/soft-delete", values=True),
    step("DELETE", f"{M}/keys/aes/soft-delete", values=True),
    step("POST", f"{M}/encrypt/aes", {"plaintext": HELLO}, exact_errors=True),
    step("POST", f"{M}/hmac/aes", {"input": HELLO}, exact_errors=True),
    step("GET", f"{M}/keys/aes", values=True),
    step("POST", f"{M}/keys/aes/soft-delete-restore", values=True),
    step("POST", f"{M}/keys/aes/soft-delete-restore", values=True),
    step("DELETE", f"{M}/keys/missing/soft-delete"),
    step("POST", f"{M}/encrypt/aes", {"plaintext": HELLO}),
    step("POST", f"{M}/keys/aes/config", {"deletion_allowed": True}),
    step("DELETE", f"{M}/keys/aes"),
    step("GET", f"{M}/keys/aes"),
    step("DELETE", f"{M}/keys/aes", exact_errors=True),
    step("GET", f"{M}/config/keys", values=True),
    step("POST", f"{M}/config/keys", {"disable_upsert": True}, values=True),
    step("POST", f"{M}/encrypt/upsert-off", {"plaintext": HELLO}, exact_errors=True),
    step("POST", f"{M}/config/keys", {}, values=True),
    step("GET", f"{M}/cache-config", values=True),
    step("POST", f"{M}/cache-config", {"size": 5}, exact_errors=True),
    step("POST", f"{M}/cache-config", {"size": 20}, values=True),
    step("GET", f"{M}/cache-config", values=True),
]

CRYPT_STEPS: list[Step] = [
    step("POST", f"sys/mounts/{M}2", {"type": "transit"}),
    step("POST", f"{M}2/encrypt/new", {"plaintext": HELLO}, save={"ct": "data.ciphertext"}),
    step("GET", f"{M}2/keys/new", values=True),
    step("POST", f"{M}2/decrypt/new", {"ciphertext": "{ct}"}, values=True),
    step("POST", f"{M}2/encrypt/new", {}, exact_errors=True),
    step("POST", f"{M}2/encrypt/new", {"plaintext": "not base64!"}, exact_errors=True),
    step("POST", f"{M}2/encrypt/new", {"plaintext": HELLO, "key_version": 5}, exact_errors=True),
    step("POST", f"{M}2/encrypt/new", {"plaintext": HELLO, "key_version": -1}, exact_errors=True),
    step("POST", f"{M}2/decrypt/new", {}, exact_errors=True),
    step("POST", f"{M}2/decrypt/new", {"ciphertext": "garbage"}, exact_errors=True),
    step("POST", f"{M}2/decrypt/new", {"ciphertext": "vault:v1"}, exact_errors=True),
    step("POST", f"{M}2/decrypt/new", {"ciphertext": "vault:vX:abcd"}, exact_errors=True),
    step("POST", f"{M}2/decrypt/new", {"ciphertext": "vault:v9:abcd"}, exact_errors=True),
    step("POST", f"{M}2/decrypt/new", {"ciphertext": "vault:v1:%%%"}, exact_errors=True),
    step("POST", f"{M}2/decrypt/new", {"ciphertext": "vault:v1:AAAA"}, exact_errors=True),
    step(
        "POST",
        f"{M}2/decrypt/new",
        {"ciphertext": "vault:v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
        exact_errors=True,
    ),
    step("POST", f"{M}2/decrypt/missing", {"ciphertext": "{ct}"}, exact_errors=True),
    step(
        "POST",
        f"{M}2/encrypt/new",
        {"batch_input": [{"plaintext": HELLO, "reference": "a"}, {"plaintext": "!!"}]},
        values=False,
    ),
    step(
        "POST",
        f"{M}2/encrypt/new",
        {
            "batch_input": [{"plaintext": HELLO}, {"plaintext": "!!"}],
            "partial_failure_response_code": 207,
        },
    ),
    step("POST", f"{M}2/encrypt/new", {"batch_input": []}, exact_errors=True),
    step(
        "POST",
        f"{M}2/encrypt/new",
        {"batch_input": [{"plaintext": HELLO, "context": CTX}, {"plaintext": HELLO}]},
        exact_errors=True,
    ),
    step(
        "POST",
        f"{M}2/decrypt/new",
        {"batch_input": [{"ciphertext": "{ct}", "reference": "r1"}, {"ciphertext": "vault:v1:x"}]},
    ),
    step("POST", f"{M}2/keys/new/rotate"),
    step("POST", f"{M}2/rewrap/new", {"ciphertext": "{ct}"}, save={"ct2": "data.ciphertext"}),
    step("POST", f"{M}2/decrypt/new", {"ciphertext": "{ct2}"}, values=True),
    step(
        "POST", f"{M}2/rewrap/new", {"batch_input": [{"ciphertext": "{ct}"}, {"ciphertext": "x"}]}
    ),
    step("POST", f"{M}2/keys/new/config", {"min_decryption_version": 2}),
    step("POST", f"{M}2/decrypt/new", {"ciphertext": "{ct}"}, exact_errors=True),
    step("POST", f"{M}2/decrypt/new", {"ciphertext": "{ct2}"}, values=True),
    step(
        "POST",
        f"{M}2/encrypt/derived",
        {"plaintext": HELLO, "context": CTX},
        save={"dct": "data.ciphertext"},
    ),
    step("GET", f"{M}2/keys/derived", values=True),
    step("POST", f"{M}2/decrypt/derived", {"ciphertext": "{dct}", "context": CTX}, values=True),
    step("POST", f"{M}2/decrypt/derived", {"ciphertext": "{dct}"}, exact_errors=True),
    step(
        "POST",
        f"{M}2/decrypt/derived",
        {"ciphertext": "{dct}", "context": "b3RoZXI="},
        exact_errors=True,
    ),
    step("POST", f"{M}2/encrypt/derived", {"plaintext": HELLO, "context": "%%"}, exact_errors=True),
    step(
        "POST",
        f"{M}2/encrypt/conv",
        {"plaintext": HELLO, "context": CTX, "convergent_encryption": True},
    ),
    step(
        "POST",
        f"{M}2/encrypt/conv-bad",
        {"plaintext": HELLO, "convergent_encryption": True},
        exact_errors=True,
    ),
    step("POST", f"{M}2/encrypt/typed", {"plaintext": HELLO, "type": "chacha20-poly1305"}),
    step("GET", f"{M}2/keys/typed", values=True),
    step(
        "POST",
        f"{M}2/encrypt/typed2",
        {"plaintext": HELLO, "type": "ecdsa-p256"},
        exact_errors=True,
    ),
    step(
        "POST",
        f"{M}2/encrypt/ad",
        {"plaintext": HELLO, "associated_data": CTX},
        save={"act": "data.ciphertext"},
    ),
    step("POST", f"{M}2/decrypt/ad", {"ciphertext": "{act}", "associated_data": CTX}, values=True),
    step("POST", f"{M}2/decrypt/ad", {"ciphertext": "{act}"}, exact_errors=True),
    step("POST", f"{M}2/datakey/plaintext/new", {}),
    step("POST", f"{M}2/datakey/wrapped/new", {"bits": 512}),
    step("POST", f"{M}2/datakey/wrapped/new", {"bits": 100}, exact_errors=True),
    step("POST", f"{M}2/datakey/other/new", {}, exact_errors=True),
    step("POST", f"{M}2/datakey/wrapped/missing", {}, exact_errors=True),
    step("POST", f"{M}2/keys/rsa", {"type": "rsa-2048"}),
    step("POST", f"{M}2/encrypt/rsa", {"plaintext": HELLO}, save={"rct": "data.ciphertext"}),
    step("POST", f"{M}2/decrypt/rsa", {"ciphertext": "{rct}"}, values=True),
    step("POST", f"{M}2/keys/ed", {"type": "ed25519"}),
    step("POST", f"{M}2/encrypt/ed", {"plaintext": HELLO}, exact_errors=True),
    step("POST", f"{M}2/decrypt/ed", {"ciphertext": "{ct}"}, exact_errors=True),
]

UTIL_STEPS: list[Step] = [
    step("POST", f"sys/mounts/{M}3", {"type": "transit"}),
    step("POST", f"{M}3/random", {}),
    step("POST", f"{M}3/random/16", {"format": "hex"}),
    step("POST", f"{M}3/random/seal/8", {}),
    step("POST", f"{M}3/random/platform", {"bytes": 4}),
    step("POST", f"{M}3/random/xyz", {}, exact_errors=True),
    step("POST", f"{M}3/random", {"bytes": 0}, exact_errors=True),
    step("POST", f"{M}3/random", {"format": "b32"}, exact_errors=True),
    step("POST", f"{M}3/hash", {"input": HELLO}, values=True),
    step("POST", f"{M}3/hash/sha2-512", {"input": HELLO, "format": "base64"}, values=True),
    step("POST", f"{M}3/hash/sha3-256", {"input": HELLO}, values=True),
    step("POST", f"{M}3/hash", {"input": HELLO, "algorithm": "md5"}, exact_errors=True),
    step("POST", f"{M}3/hash", {}, exact_errors=True),
    step("POST", f"{M}3/hash", {"input": HELLO, "format": "b32"}, exact_errors=True),
]

SIGN_STEPS: list[Step] = [
    step("POST", f"sys/mounts/{M}4", {"type": "transit"}),
    step("POST", f"{M}4/keys/ed", {"type": "ed25519"}),
    step("POST", f"{M}4/sign/ed", {"input": HELLO}, save={"sig": "data.signature"}),
    step("POST", f"{M}4/verify/ed", {"input": HELLO, "signature": "{sig}"}, values=True),
    step("POST", f"{M}4/verify/ed", {"input": "b3RoZXI=", "signature": "{sig}"}, values=True),
    step("POST", f"{M}4/verify/ed", {"input": HELLO}, exact_errors=True),
    step("POST", f"{M}4/verify/ed", {"input": HELLO, "signature": "nope"}, exact_errors=True),
    step(
        "POST", f"{M}4/verify/ed", {"input": HELLO, "signature": "vault:v7:AAAA"}, exact_errors=True
    ),
    step(
        "POST", f"{M}4/verify/ed", {"input": HELLO, "signature": "{sig}", "hmac": "x"}, values=True
    ),
    step(
        "POST",
        f"{M}4/sign/ed",
        {"batch_input": [{"input": HELLO}, {"input": "!!", "reference": "b"}]},
    ),
    step("POST", f"{M}4/keys/edd", {"type": "ed25519", "derived": True}),
    step(
        "POST", f"{M}4/sign/edd", {"input": HELLO, "context": CTX}, save={"dsig": "data.signature"}
    ),
    step(
        "POST",
        f"{M}4/verify/edd",
        {"input": HELLO, "context": CTX, "signature": "{dsig}"},
        values=True,
    ),
    step("POST", f"{M}4/keys/p256", {"type": "ecdsa-p256"}),
    step("POST", f"{M}4/sign/p256", {"input": HELLO}, save={"esig": "data.signature"}),
    step("POST", f"{M}4/verify/p256", {"input": HELLO, "signature": "{esig}"}, values=True),
    step(
        "POST",
        f"{M}4/sign/p256/sha2-512",
        {"input": HELLO, "marshaling_algorithm": "jws"},
        save={"jsig": "data.signature"},
    ),
    step(
        "POST",
        f"{M}4/verify/p256/sha2-512",
        {"input": HELLO, "signature": "{jsig}", "marshaling_algorithm": "jws"},
        values=True,
    ),
    step(
        "POST",
        f"{M}4/verify/p256",
        {"input": HELLO, "signature": "{jsig}", "marshaling_algorithm": "jws"},
        values=True,
    ),
    step("POST", f"{M}4/sign/p256", {"input": HELLO, "hash_algorithm": "md5"}, exact_errors=True),
    step(
        "POST",
        f"{M}4/sign/p256",
        {"input": HELLO, "marshaling_algorithm": "pem"},
        exact_errors=True,
    ),
    step("POST", f"{M}4/keys/rsa", {"type": "rsa-2048"}),
    step("POST", f"{M}4/sign/rsa", {"input": HELLO}, save={"rsig": "data.signature"}),
    step("POST", f"{M}4/verify/rsa", {"input": HELLO, "signature": "{rsig}"}, values=True),
    step(
        "POST",
        f"{M}4/sign/rsa",
        {"input": HELLO, "signature_algorithm": "pkcs1v15"},
        save={"psig": "data.signature"},
    ),
    step(
        "POST",
        f"{M}4/verify/rsa",
        {"input": HELLO, "signature_algorithm": "pkcs1v15", "signature": "{psig}"},
        values=True,
    ),
    step("POST", f"{M}4/verify/rsa", {"input": HELLO, "signature": "{psig}"}, values=True),
    step("POST", f"{M}4/sign/rsa", {"input": HELLO, "salt_length": "hash"}),
    step("POST", f"{M}4/sign/rsa", {"input": HELLO, "salt_length": "x"}, exact_errors=True),
    step("POST", f"{M}4/sign/rsa", {"input": HELLO, "hash_algorithm": "none"}, exact_errors=True),
    step("POST", f"{M}4/sign/missing", {"input": HELLO}, exact_errors=True),
    step("POST", f"{M}4/keys/aes", {}),
    step("POST", f"{M}4/sign/aes", {"input": HELLO}, exact_errors=True),
    step("POST", f"{M}4/hmac/aes", {"input": HELLO}, save={"mac": "data.hmac"}),
    step("POST", f"{M}4/hmac/aes/sha2-512", {"input": HELLO}),
    step("POST", f"{M}4/verify/aes", {"input": HELLO, "hmac": "{mac}"}, values=True),
    step("POST", f"{M}4/verify/aes", {"input": "b3RoZXI=", "hmac": "{mac}"}, values=True),
    step("POST", f"{M}4/verify/aes", {"input": HELLO, "hmac": "nope"}, exact_errors=True),
    step("POST", f"{M}4/hmac/aes", {}, exact_errors=True),
    step("POST", f"{M}4/hmac/aes", {"input": "!!"}, exact_errors=True),
    step("POST", f"{M}4/hmac/aes", {"batch_input": [{"input": HELLO}, {"input": "!!"}]}),
    step(
        "POST",
        f"{M}4/verify/aes",
        {
            "batch_input": [
                {"input": HELLO, "hmac": "{mac}"},
                {"input": HELLO, "hmac": "vault:v1:AAAA"},
            ]
        },
    ),
    step("POST", f"{M}4/hmac/missing", {"input": HELLO}, exact_errors=True),
]

EXPORT_STEPS: list[Step] = [
    step("POST", f"sys/mounts/{M}5", {"type": "transit"}),
    step("POST", f"{M}5/keys/closed", {}),
    step("GET", f"{M}5/export/encryption-key/closed", exact_errors=True),
    step("POST", f"{M}5/keys/open", {"exportable": True, "allow_plaintext_backup": True}),
    step("GET", f"{M}5/export/encryption-key/open"),
    step("GET", f"{M}5/export/encryption-key/open/1"),
    step("GET", f"{M}5/export/encryption-key/open/latest"),
    step("GET", f"{M}5/export/encryption-key/open/7", exact_errors=True),
    step("GET", f"{M}5/export/hmac-key/open"),
    step("GET", f"{M}5/export/signing-key/open", exact_errors=True),
    step("GET", f"{M}5/export/bogus-key/open", exact_errors=True),
    step("GET", f"{M}5/export/encryption-key/missing"),
    step("POST", f"{M}5/keys/edx", {"type": "ed25519", "exportable": True}),
    step("GET", f"{M}5/export/signing-key/edx"),
    step("GET", f"{M}5/export/public-key/edx"),
    step("GET", f"{M}5/export/signing-key/edx", query={"format": "pem"}),
    step("POST", f"{M}5/keys/ecx", {"type": "ecdsa-p384", "exportable": True}),
    step("GET", f"{M}5/export/signing-key/ecx"),
    step("GET", f"{M}5/export/public-key/ecx", query={"format": "der"}),
    step("POST", f"{M}5/keys/rsx", {"type": "rsa-2048", "exportable": True}),
    step("GET", f"{M}5/export/encryption-key/rsx"),
    step("GET", f"{M}5/export/public-key/rsx"),
    step("GET", f"{M}5/backup/open", save={"backup": "data.backup"}),
    step("GET", f"{M}5/keys/open"),
    step("POST", f"{M}5/restore/copy", {"backup": "{backup}"}),
    step("GET", f"{M}5/keys/copy"),
    step("POST", f"{M}5/restore/copy", {"backup": "{backup}", "force": True}),
    step("POST", f"{M}5/restore", {}, exact_errors=True),
]


@pytest.mark.parametrize(
    "steps",
    [KEY_STEPS, CRYPT_STEPS, UTIL_STEPS, SIGN_STEPS, EXPORT_STEPS],
    ids=["keys", "crypt", "util", "sign", "export"],
)
def test_transit_matches_openbao(pair: tuple[Target, Target], steps: list[Step]) -> None:
    problems, _answers = run_steps(*pair, steps)
    unexplained = [p for p in problems if not _known(p)]
    assert not unexplained, report(unexplained)


# Values that differ between two servers by nature (not divergences): (problem regex, reason).
TRANSIT_NATURAL: tuple[tuple[str, str], ...] = (
    (
        r"#\d+ \w+ [\w/-]+: body\.data\.keys\.\d+: \d+ \(sealbox\) != \d+ \(bao\)",
        "a symmetric key's versions map to their unix creation second, which differs when the "
        "two servers create the key on either side of a second boundary",
    ),
)


def _known(problem: str) -> bool:
    return any(re.fullmatch(pattern, problem) for pattern, _reason in TRANSIT_NATURAL)


def _status_and_error(target: Target, s: Step) -> tuple[int, str]:
    answer = target.send(s)
    errors = answer.body.get("errors") if isinstance(answer.body, dict) else None
    return answer.status, (errors or [""])[0]


def test_transit_intended_differences(pair: tuple[Target, Target]) -> None:
    """Bad input OpenBao answers with 500 gets 400 from sealbox (issue 9: bad input is never
    a server error), with OpenBao's message where it has a meaningful one."""
    ours, theirs = pair
    mount = f"{M}6"
    setup = [
        step("POST", f"sys/mounts/{mount}", {"type": "transit"}),
        step("POST", f"{mount}/keys/p256", {"type": "ecdsa-p256"}),
        step("POST", f"{mount}/keys/rsa", {"type": "rsa-2048"}),
        step("POST", f"{mount}/keys/aes", {}),
        step("POST", f"{mount}/keys/open", {"exportable": True, "allow_plaintext_backup": True}),
        step("GET", f"{mount}/backup/open", save={"backup": "data.backup"}),
        step("POST", f"{mount}/keys/gone", {}),
        step("DELETE", f"{mount}/keys/gone/soft-delete"),
    ]
    for s in setup:
        assert ours.send(s).status < 300
        assert theirs.send(s).status < 300
    server_errors = [
        (step("POST", f"{mount}/keys/p384", {"type": "ecdsa-p384", "derived": True}),
         "key derivation and convergent encryption not supported for keys of type ecdsa-p384"),
        (step("POST", f"{mount}/sign/p256", {"input": HELLO, "key_version": 3}),
         "requested version for signing is higher than the latest key version"),
        (step("POST", f"{mount}/sign/rsa", {"input": HELLO, "salt_length": "999"}),
         "requested salt length 999 is invalid"),
        (step("POST", f"{mount}/sign/rsa", {"input": HELLO, "signature_algorithm": "nope"}),
         "unsupported rsa signature algorithm nope"),
        (step("GET", f"{mount}/backup/aes"), "exporting is disallowed on the policy"),
        (step("POST", f"{mount}/restore", {"backup": "{backup}"}), 'key "open" already exists'),
        (step("POST", f"{mount}/restore", {"backup": "!!!"}), ""),
        (step("POST", f"{mount}/keys/gone/rotate"), "refusing to use soft-deleted key"),
    ]  # fmt: skip
    for s, message in server_errors:
        their_status, their_error = _status_and_error(theirs, s)
        our_status, our_error = _status_and_error(ours, s)
        assert their_status == 500, (s.label(), their_status)
        assert our_status == 400, (s.label(), our_status, our_error)
        if message:
            assert our_error == message, s.label()
            assert message in their_error, (s.label(), their_error)
    # bao's message names the zero hash type instead of what the caller sent
    bad_hmac = step("POST", f"{mount}/hmac/aes", {"input": HELLO, "algorithm": "md5"})
    assert _status_and_error(theirs, bad_hmac) == (400, "unsupported algorithm '\\x00'")
    assert _status_and_error(ours, bad_hmac) == (400, 'unsupported algorithm "md5"')
    assert ours.send(step("DELETE", f"sys/mounts/{mount}")).status == 204
    assert theirs.send(step("DELETE", f"sys/mounts/{mount}")).status == 204
