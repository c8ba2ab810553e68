"""Operations authorised by a quorum of unseal-key holders: rekey and generate-root.

Mirrors OpenBao's rekey.go and generate_root.go. Both collect existing unseal-key shares
against a nonce; once ``secret_threshold`` shares have been given, ``recover_unseal_key``
proves them. Rekey then splits a new unseal key (optionally held back until the new shares
are verified); generate-root mints a root token and returns it XORed with the caller's
one-time password, base64 without padding (sdk/helper/roottoken), so only the OTP holder can
read it.
"""

from __future__ import annotations

import base64
import hmac
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sealbox.barrier.autounseal import quorum
from sealbox.barrier.seal import read_seal_config, recover_unseal_key, rekey_shares
from sealbox.core.tokens import TokenStore
from sealbox.errors import InvalidRequest
from sealbox.logical import Storage
from sealbox.shamir import combine

OTP_LENGTH = 28  # len("hvs.") + 24: the root token's length


@dataclass(slots=True)
class _Attempt:
    nonce: str = field(default_factory=lambda: str(uuid.uuid4()))
    shares: list[bytes] = field(default_factory=list, repr=False)

    def add(self, share: bytes) -> None:
        if any(hmac.compare_digest(share, given) for given in self.shares):
            raise InvalidRequest(
                "given key has already been provided during this generation operation"
            )
        self.shares.append(share)


@dataclass(slots=True)
class _Rekey(_Attempt):
    secret_shares: int = 0
    secret_threshold: int = 0
    backup: bool = False
    require_verification: bool = False
    # Set once the old quorum is proven and verification is pending.
    pending_keys: list[bytes] = field(default_factory=list, repr=False)
    unseal_key: bytes = field(default=b"", repr=False)
    verification_nonce: str = ""
    verify_shares: list[bytes] = field(default_factory=list, repr=False)
    # The proven current unseal key, needed again to re-encrypt the root key after verify.
    old_unseal_key: bytes = field(default=b"", repr=False)


class SealOperations:
    """Rekey and generate-root state (in memory, like Vault's).

    ``on_rekeyed`` is called once new shares replace the old ones, so the core can drop an
    unseal attempt made with the old shares.
    """

    def __init__(
        self, physical: Storage, tokens: TokenStore, on_rekeyed: Callable[[], None]
    ) -> None:
        self._physical = physical
        self._tokens = tokens
        self._on_rekeyed = on_rekeyed
        self.rekey: _Rekey | None = None
        self.root: _Attempt | None = None
        self.otp = ""

    async def _threshold(self) -> tuple[int, int]:
        config = await read_seal_config(self._physical)
        if config is None:
            raise InvalidRequest("Vault is not initialized")
        return await quorum(self._physical)  # recovery keys under an auto-unseal seal

    # ---- rekey ----------------------------------------------------------------------

    async def rekey_status(self) -> dict[str, Any]:
        """GET sys/rekey/init."""
        threshold, _ = await self._threshold()
        attempt = self.rekey
        return {
            "started": attempt is not None,
            "nonce": attempt.nonce if attempt else "",
            "t": attempt.secret_threshold if attempt else 0,
            "n": attempt.secret_shares if attempt else 0,
            "progress": len(attempt.shares) if attempt else 0,
            "required": threshold,
            "pgp_fingerprints": None,
            "backup": attempt.backup if attempt else False,
            "verification_required": attempt.require_verification if attempt else False,
            **(
                {"verification_nonce": attempt.verification_nonce}
                if attempt and attempt.verification_nonce
                else {}
            ),
        }

    async def rekey_start(
        self, shares: int, threshold: int, backup: bool, verify: bool
    ) -> dict[str, Any]:
        """POST sys/rekey/init."""
        if self.rekey is not None:
            raise InvalidRequest("rekey already in progress")
        if backup:
            raise InvalidRequest("key backup requires PGP keys, which are not supported")
        from sealbox.barrier.seal import SealConfig

        SealConfig(shares, threshold).validate()
        self.rekey = _Rekey(
            secret_shares=shares,
            secret_threshold=threshold,
            backup=backup,
            require_verification=verify,
        )
        return await self.rekey_status()

    def rekey_cancel(self) -> None:
        """DELETE sys/rekey/init."""
        self.rekey = None

    async def rekey_update(self, key: bytes, nonce: str) -> dict[str, Any]:
        """POST sys/rekey/update: one existing share; at the threshold, new shares."""
        attempt = self.rekey
        if attempt is None:
            raise InvalidRequest("no rekey in progress")
        if nonce != attempt.nonce:
            raise InvalidRequest(
                f"incorrect nonce supplied; nonce for this rekey operation is {attempt.nonce}"
            )
        if attempt.pending_keys:
            raise InvalidRequest("rekey is waiting for verification of the new shares")
        threshold, _ = await self._threshold()
        attempt.add(key)
        if len(attempt.shares) < threshold:
            return {
                "nonce": attempt.nonce,
                "complete": False,
                "progress": len(attempt.shares),
                "required": threshold,
            }
        shares, attempt.shares = attempt.shares, []
        unseal_key = await self._recover(shares)
        if attempt.require_verification:
            from sealbox import shamir
            from sealbox.barrier.aes_gcm import new_key

            attempt.unseal_key = new_key()
            attempt.pending_keys = (
                [attempt.unseal_key]
                if attempt.secret_shares == 1
                else shamir.split(
                    attempt.unseal_key, attempt.secret_shares, attempt.secret_threshold
                )
            )
            attempt.verification_nonce = str(uuid.uuid4())
            attempt.old_unseal_key = unseal_key
            return self._rekey_result(attempt.pending_keys, attempt, verification=True)
        new_keys = await rekey_shares(
            self._physical, unseal_key, attempt.secret_shares, attempt.secret_threshold
        )
        self.rekey = None
        self._on_rekeyed()
        return self._rekey_result(new_keys, attempt, verification=False)

    def _rekey_result(
        self, keys: list[bytes], attempt: _Rekey, *, verification: bool
    ) -> dict[str, Any]:
        result: dict[str, Any] = {
            "complete": True,
            "nonce": attempt.nonce,
            "keys": [k.hex() for k in keys],
            "keys_base64": [base64.b64encode(k).decode() for k in keys],
            "pgp_fingerprints": None,
            "backup": False,
            "verification_required": verification,
        }
        if verification:
            result["verification_nonce"] = attempt.verification_nonce
        return result

    async def rekey_verify_status(self) -> dict[str, Any]:
        """GET sys/rekey/verify."""
        attempt = self.rekey
        if attempt is None or not attempt.pending_keys:
            raise InvalidRequest("no rekey verification in progress")
        return {
            "nonce": attempt.verification_nonce,
            "t": attempt.secret_threshold,
            "n": attempt.secret_shares,
            "progress": len(attempt.verify_shares),
        }

    def rekey_verify_cancel(self) -> None:
        """DELETE sys/rekey/verify: restart verification with the same new shares."""
        if self.rekey is not None:
            self.rekey.verify_shares = []
            # compat: RekeyVerifyRestart issues a new verification nonce (vault/rekey.go)
            if self.rekey.pending_keys:
                self.rekey.verification_nonce = str(uuid.uuid4())

    async def rekey_verify(self, key: bytes, nonce: str) -> dict[str, Any]:
        """POST sys/rekey/verify: a new share; at the new threshold the rekey is applied."""
        attempt = self.rekey
        if attempt is None or not attempt.pending_keys:
            raise InvalidRequest("no rekey verification in progress")
        if nonce != attempt.verification_nonce:
            raise InvalidRequest("incorrect nonce supplied")
        if any(hmac.compare_digest(key, given) for given in attempt.verify_shares):
            raise InvalidRequest("given key has already been provided during this verification")
        attempt.verify_shares.append(key)
        if len(attempt.verify_shares) < attempt.secret_threshold:
            return {"nonce": attempt.verification_nonce, "complete": False}
        candidate = (
            attempt.verify_shares[0]
            if attempt.secret_shares == 1
            else combine(attempt.verify_shares)
        )
        if not hmac.compare_digest(candidate, attempt.unseal_key):
            attempt.verify_shares = []
            raise InvalidRequest("rekey verification failed: the given shares do not match")
        from sealbox.barrier.seal import replace_unseal_key

        await replace_unseal_key(
            self._physical,
            attempt.old_unseal_key,
            attempt.unseal_key,
            attempt.secret_shares,
            attempt.secret_threshold,
        )
        nonce_out = attempt.verification_nonce
        self.rekey = None
        self._on_rekeyed()
        return {"nonce": nonce_out, "complete": True}

    async def _recover(self, shares: list[bytes]) -> bytes:
        try:
            return await recover_unseal_key(self._physical, shares)
        except InvalidRequest:
            raise
        except Exception as err:
            raise InvalidRequest("Unseal failed, invalid key") from err

    # ---- generate-root ----------------------------------------------------------------

    async def root_status(self) -> dict[str, Any]:
        """GET sys/generate-root/attempt."""
        threshold, _ = await self._threshold()
        attempt = self.root
        return {
            "started": attempt is not None,
            "nonce": attempt.nonce if attempt else "",
            "progress": len(attempt.shares) if attempt else 0,
            "required": threshold,
            "encoded_token": "",
            "encoded_root_token": "",
            "pgp_fingerprint": "",
            "otp_length": OTP_LENGTH,
            "complete": False,
        }

    async def root_start(self, otp: str, pgp_key: str) -> dict[str, Any]:
        """POST sys/generate-root/attempt {otp}."""
        if self.root is not None:
            raise InvalidRequest("root generation already in progress")
        if pgp_key:
            raise InvalidRequest("PGP-encrypted root tokens are not supported; use an OTP")
        if len(otp) != OTP_LENGTH:
            raise InvalidRequest(f"OTP string must be {OTP_LENGTH} characters long")
        self.root, self.otp = _Attempt(), otp
        return await self.root_status()

    def root_cancel(self) -> None:
        """DELETE sys/generate-root/attempt."""
        self.root, self.otp = None, ""

    async def root_update(self, key: bytes, nonce: str) -> dict[str, Any]:
        """POST sys/generate-root/update: one share; at the threshold, the encoded token."""
        attempt = self.root
        if attempt is None:
            raise InvalidRequest("no root generation in progress")
        if nonce != attempt.nonce:
            raise InvalidRequest(
                f"incorrect nonce supplied; nonce for this root generation operation is {attempt.nonce}"
            )
        threshold, _ = await self._threshold()
        attempt.add(key)
        status = await self.root_status()
        if len(attempt.shares) < threshold:
            return status
        shares, otp = attempt.shares, self.otp
        self.root_cancel()
        await self._recover(shares)
        token = await self._tokens.create_root_token(None)
        encoded = bytes(a ^ b for a, b in zip(token.encode(), otp.encode(), strict=True))
        status.update(
            {
                "started": True,
                "progress": threshold,
                "complete": True,
                "encoded_token": base64.b64encode(encoded).decode().rstrip("="),
                "encoded_root_token": base64.b64encode(encoded).decode().rstrip("="),
            }
        )
        return status
