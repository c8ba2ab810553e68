"""The transit secrets engine (encryption as a service), OpenBao-compatible.

``transit_factory`` builds one backend per mount; ``engine.py`` lists the routes. Key policies
keep Vault's stored JSON layout so backups move between sealbox and OpenBao (``policy.py``).
"""

from __future__ import annotations

from sealbox.engines.transit.engine import TransitEngine, transit_factory

__all__ = ["TransitEngine", "transit_factory"]
