"""Auto-unseal seals: the key services that wrap the root key (static key, Transit)."""

from __future__ import annotations

from sealbox.barrier.seals.base import AutoSeal, Blob, SealDecryptError, SealUnavailable
from sealbox.barrier.seals.config import SealSetup, SealStanza, build_seal, seal_setup
from sealbox.barrier.seals.static import StaticSeal
from sealbox.barrier.seals.transit import TransitSeal, TransitSealConfig

__all__ = [
    "AutoSeal",
    "Blob",
    "SealDecryptError",
    "SealSetup",
    "SealStanza",
    "SealUnavailable",
    "StaticSeal",
    "TransitSeal",
    "TransitSealConfig",
    "build_seal",
    "seal_setup",
]
