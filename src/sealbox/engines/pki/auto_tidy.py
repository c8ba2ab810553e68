"""Automatic tidy: ``config/auto-tidy`` and the periodic run the core triggers.

Mirrors openbao builtin/logical/pki/path_tidy.go ``config/auto-tidy``: when ``enabled``, a tidy
with the configured operations runs every ``interval_duration`` (12 h). ``PKIEngine.periodic``
(called by the core every ``periodic_interval`` seconds) asks ``maybe_run`` whether one is due,
going by the finish time of the last run recorded in tidy-status.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sealbox.engines.pki.context import PKIContext
from sealbox.engines.pki.store import PKIStore
from sealbox.engines.pki.tidy import TidyRequest, run_tidy, tidy_status
from sealbox.errors import InvalidRequest
from sealbox.goformat import parse_rfc3339

CONFIG_AUTO_TIDY = "config/auto-tidy"


@dataclass(slots=True)
class AutoTidyConfig:
    """config/auto-tidy as stored and shown (durations in seconds)."""

    enabled: bool = False
    interval_duration: int = 43200
    tidy_cert_store: bool = False
    tidy_revoked_certs: bool = False
    safety_buffer: int = 259200

    def to_wire(self) -> dict[str, Any]:
        return asdict(self)


async def read_auto_tidy(store: PKIStore) -> AutoTidyConfig:
    raw = await store.get_json(CONFIG_AUTO_TIDY)
    return AutoTidyConfig() if raw is None else AutoTidyConfig(**raw)


async def write_auto_tidy(store: PKIStore, config: AutoTidyConfig) -> None:
    if config.interval_duration < 1 or config.safety_buffer < 1:
        raise InvalidRequest("interval_duration and safety_buffer must be positive")
    if config.enabled and not (config.tidy_cert_store or config.tidy_revoked_certs):
        raise InvalidRequest(
            "Auto-tidy enabled but no tidy operations were requested. Enable at least one "
            "tidy operation to be run (tidy_cert_store / tidy_revoked_certs)."
        )
    await store.put_json(CONFIG_AUTO_TIDY, config.to_wire())


async def maybe_run(ctx: PKIContext, store: PKIStore) -> bool:
    """Run the configured tidy if it is enabled and due; True when it ran."""
    config = await read_auto_tidy(store)
    if not config.enabled:
        return False
    last = (await tidy_status(store)).get("time_finished")
    now = ctx.clock()
    if last:
        finished = parse_rfc3339(str(last))
        if (now - finished).total_seconds() < config.interval_duration:
            return False
    request = TidyRequest(config.tidy_cert_store, config.tidy_revoked_certs, config.safety_buffer)
    await run_tidy(ctx, store, request)
    return True
