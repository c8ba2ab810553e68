"""Mount settings: config/urls (AIA and CDP) and config/crl (CRL and OCSP lifetimes).

Field names, defaults and JSON types are OpenBao's (path_config_urls.go, path_config_crl.go).
URL templating (``enable_templating``) and delta CRLs are refused rather than silently ignored.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sealbox.engines.pki.builder import URLs
from sealbox.engines.pki.store import CONFIG_CRL, CONFIG_URLS, PKIStore
from sealbox.errors import InvalidRequest
from sealbox.goformat import parse_duration


@dataclass(slots=True)
class URLConfig:
    """config/urls as stored and shown."""

    issuing_certificates: list[str] = field(default_factory=list)
    crl_distribution_points: list[str] = field(default_factory=list)
    ocsp_servers: list[str] = field(default_factory=list)
    delta_crl_distribution_points: list[str] = field(default_factory=list)
    enable_templating: bool = False

    def urls(self) -> URLs:
        return URLs(
            list(self.issuing_certificates),
            list(self.crl_distribution_points),
            list(self.ocsp_servers),
        )

    def to_wire(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class CRLConfig:
    """config/crl as stored and shown (durations as Go duration strings)."""

    expiry: str = "72h"
    disable: bool = False
    ocsp_disable: bool = False
    ocsp_expiry: str = "12h"
    auto_rebuild: bool = False
    auto_rebuild_grace_period: str = "12h"
    enable_delta: bool = False
    delta_rebuild_interval: str = "15m"
    allow_expired_cert_revocation: bool = False

    @property
    def expiry_seconds(self) -> int:
        return parse_duration(self.expiry)

    @property
    def ocsp_expiry_seconds(self) -> int:
        return parse_duration(self.ocsp_expiry)

    def to_wire(self) -> dict[str, Any]:
        return asdict(self)


def validate_url(url: str) -> None:
    """OpenBao checks each configured URL parses with a scheme and host."""
    scheme, sep, rest = url.partition("://")
    if not sep or not scheme or not rest:
        raise InvalidRequest(
            f"invalid URL found in Authority Information Access (AIA) parameter: {url}"
        )


async def read_urls(store: PKIStore) -> URLConfig:
    raw = await store.get_json(CONFIG_URLS)
    return URLConfig() if raw is None else URLConfig(**raw)


async def write_urls(store: PKIStore, config: URLConfig) -> None:
    if config.enable_templating:
        raise InvalidRequest("enable_templating is not supported by this server")
    for url in (
        *config.issuing_certificates,
        *config.crl_distribution_points,
        *config.ocsp_servers,
    ):
        validate_url(url)
    await store.put_json(CONFIG_URLS, config.to_wire())


async def read_crl_config(store: PKIStore) -> CRLConfig:
    raw = await store.get_json(CONFIG_CRL)
    return CRLConfig() if raw is None else CRLConfig(**raw)


async def write_crl_config(store: PKIStore, config: CRLConfig) -> None:
    for name in ("expiry", "ocsp_expiry", "auto_rebuild_grace_period", "delta_rebuild_interval"):
        try:
            seconds = parse_duration(getattr(config, name))
        except ValueError as err:
            raise InvalidRequest(f"error parsing {name} duration") from err
        if seconds < 0:
            raise InvalidRequest(f"{name} must not be negative")
    if config.enable_delta:
        raise InvalidRequest("delta CRLs are not supported by this server")
    await store.put_json(CONFIG_CRL, config.to_wire())
