"""Secrets engines and the registry the core reads to build them.

``ENGINE_FACTORIES`` maps a mount ``type`` to its factory, like OpenBao's builtin plugin
registry (helper/builtinplugins/registry.go). The core never imports an engine directly.
"""

from __future__ import annotations

from collections.abc import Callable

from sealbox.engines.cubbyhole import cubbyhole_factory
from sealbox.engines.database import database_factory
from sealbox.engines.kv import kv_factory
from sealbox.engines.pki import pki_factory
from sealbox.engines.transit import transit_factory
from sealbox.framework import Backend, BackendConfig

ENGINE_FACTORIES: dict[str, Callable[[BackendConfig], Backend]] = {
    "kv": kv_factory,
    "cubbyhole": cubbyhole_factory,
    "database": database_factory,
    "pki": pki_factory,
    "transit": transit_factory,
}

__all__ = ["ENGINE_FACTORIES"]
