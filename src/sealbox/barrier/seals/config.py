"""Build seals from the ``seal "<type>" { ... }`` stanzas of the server configuration.

A configuration has at most one enabled seal; during a migration it may also hold the old one
with ``disabled = "true"`` (OpenBao's seal migration: the disabled seal is the one being
migrated *from*). No stanza means the Shamir seal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sealbox.barrier.seals.base import AutoSeal
from sealbox.barrier.seals.static import StaticSeal, load_key
from sealbox.barrier.seals.transit import TransitSeal, TransitSealConfig
from sealbox.errors import InvalidRequest
from sealbox.goformat import GO_TRUE

SEAL_TYPES = ("transit", "static", "shamir")
_TRANSIT_KEYS = frozenset(
    {
        "address",
        "token",
        "key_name",
        "mount_path",
        "namespace",
        "tls_ca_cert",
        "tls_client_cert",
        "tls_client_key",
        "tls_server_name",
        "tls_skip_verify",
        "disable_renewal",
        "disabled",
    }
)
_STATIC_KEYS = frozenset(
    {"current_key_id", "current_key", "previous_key_id", "previous_key", "disabled"}
)


@dataclass(frozen=True, slots=True)
class SealStanza:
    """One ``seal`` block: its type, whether it is disabled, and its settings."""

    seal_type: str
    options: Mapping[str, str]

    @property
    def disabled(self) -> bool:
        return str(self.options.get("disabled", "false")) in GO_TRUE

    def __repr__(self) -> str:
        return f"SealStanza({self.seal_type!r}, disabled={self.disabled})"


def _check_keys(stanza: SealStanza, allowed: frozenset[str]) -> None:
    unknown = sorted(set(stanza.options) - allowed)
    if unknown:
        raise InvalidRequest(f'seal "{stanza.seal_type}": unknown setting(s) {", ".join(unknown)}')


def build_seal(stanza: SealStanza) -> AutoSeal | None:
    """The seal a stanza describes (None for an explicit ``seal "shamir"``)."""
    opts = stanza.options
    if stanza.seal_type == "transit":
        _check_keys(stanza, _TRANSIT_KEYS)
        return TransitSeal(
            TransitSealConfig(
                address=opts.get("address", ""),
                key_name=opts.get("key_name", ""),
                token=opts.get("token", ""),
                mount_path=opts.get("mount_path", "transit/"),
                namespace=opts.get("namespace", ""),
                tls_ca_cert=opts.get("tls_ca_cert", ""),
                tls_client_cert=opts.get("tls_client_cert", ""),
                tls_client_key=opts.get("tls_client_key", ""),
                tls_skip_verify=str(opts.get("tls_skip_verify", "false")) in GO_TRUE,
                disable_renewal=str(opts.get("disable_renewal", "false")) in GO_TRUE,
            )
        )
    if stanza.seal_type == "static":
        _check_keys(stanza, _STATIC_KEYS)
        previous = opts.get("previous_key", "")
        return StaticSeal(
            opts.get("current_key_id", ""),
            load_key(opts.get("current_key", "")),
            opts.get("previous_key_id", ""),
            load_key(previous) if previous else None,
        )
    if stanza.seal_type == "shamir":
        return None
    raise InvalidRequest(f"unknown seal type {stanza.seal_type!r} (supported: transit, static)")


@dataclass(frozen=True, slots=True)
class SealSetup:
    """The configured seal, and the one a migration moves away from."""

    seal: AutoSeal | None = None
    old_seal: AutoSeal | None = None
    #: True when a disabled stanza says "migrate away from this seal".
    migrating_from_auto: bool = False


def seal_setup(stanzas: tuple[SealStanza, ...]) -> SealSetup:
    """Resolve the stanzas of a configuration into a SealSetup."""
    enabled = [s for s in stanzas if not s.disabled]
    disabled = [s for s in stanzas if s.disabled]
    if len(enabled) > 1 or len(disabled) > 1:
        raise InvalidRequest("at most one enabled and one disabled seal may be configured")
    seal = build_seal(enabled[0]) if enabled else None
    old = build_seal(disabled[0]) if disabled else None
    return SealSetup(seal=seal, old_seal=old, migrating_from_auto=old is not None)
