"""The PKI secrets engine (see engines/pki/backend.py)."""

from __future__ import annotations

from sealbox.engines.pki.backend import PKIEngine, pki_factory

__all__ = ["PKIEngine", "pki_factory"]
