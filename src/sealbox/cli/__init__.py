"""The ``sealbox`` command line: Vault's grammar and output, one module per command group."""

from __future__ import annotations
