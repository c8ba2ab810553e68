"""Route captures of the PKI paths.

A role, issuer or key name is one path segment: a word character, then word characters,
dots, "@" and "-" (OpenBao's framework.GenericNameRegex, less its rule against a final dot).
The regex has no nested group, so the OpenAPI generator turns it into a clean ``{name}``.
"""

from __future__ import annotations


def name(group: str) -> str:
    """A named capture of one name segment."""
    return f"(?P<{group}>\\w[\\w.@-]*)"
