"""Physical paths the barrier and the seal keep for themselves.

In OpenBao these live beside each other under ``core/`` (barrier keyring at ``core/keyring``,
seal configuration at ``core/seal-config``, the sealed root key under ``core/``). They are
written to physical storage directly, never through the barrier's encrypted get/put, so the
barrier hides and protects them: reading one through the barrier shows nothing, and writing
one is refused, because a barrier-encrypted overwrite would make the server unopenable.
"""

from __future__ import annotations

KEYRING_PATH = "core/keyring"
ROOT_KEY_PATH = "core/root-key"
SEAL_CONFIG_PATH = "core/seal-config"
# Auto-unseal (barrier/autounseal.py): the root key wrapped by the seal, the recovery-key
# quorum, and a check value that proves recovery shares without the seal.
SEALED_ROOT_KEY_PATH = "core/sealed-root-key"
RECOVERY_CONFIG_PATH = "core/recovery-config"
RECOVERY_KEY_PATH = "core/recovery-key"

RESERVED_PATHS = frozenset(
    {
        KEYRING_PATH,
        ROOT_KEY_PATH,
        SEAL_CONFIG_PATH,
        SEALED_ROOT_KEY_PATH,
        RECOVERY_CONFIG_PATH,
        RECOVERY_KEY_PATH,
    }
)
