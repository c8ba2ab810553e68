"""Which answers the Vault door shapes differently from the plain envelope.

Vault's HTTP layer answers a few sys paths without its envelope (rekey and generate-root
progress, the OpenAPI document, ``?help=1``, the identity-token discovery documents and
introspection) and, for older sys endpoints, repeats ``data`` at
the top level of the envelope (mounts, auth, remount, capabilities, the legacy ``sys/policy``,
audit, audit-hash, key-status), as OpenBao's http/ handlers and logical_system.go responses
do. These are facts about the Vault wire format, so they live here in the door and nowhere in
the core or the backends.
"""

from __future__ import annotations

import re

_UNWRAPPED = re.compile(
    r"sys/(rekey/.*|generate-root/.*|internal/specs/openapi)"
    r"|identity/oidc/(\.well-known/.*|introspect)"
)
_MIRRORED = re.compile(
    r"sys/((mounts|auth)(/.*)?|remount|capabilities(-self|-accessor)?|policy(/.*)?"
    r"|audit|audit-hash/.*|key-status)"
)


def unwrapped(path: str) -> bool:
    """Whether Vault answers ``path`` (API-relative) with the bare ``data`` object."""
    return _UNWRAPPED.fullmatch(path.rstrip("/")) is not None


def mirrored(path: str) -> bool:
    """Whether Vault repeats ``data`` at the top level of the envelope for ``path``."""
    return _MIRRORED.fullmatch(path.rstrip("/")) is not None
