"""The unauthenticated seal endpoints that answer without the envelope, even while sealed.

sys/init, sys/seal-status, sys/unseal, sys/health and sys/leader (OpenBao http/sys_*.go):
bare JSON objects, served straight from the Core so they work before the barrier is open.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sealbox import __version__
from sealbox.core.core import Core
from sealbox.errors import FieldValidationError, InvalidRequest, Sealed, UnsupportedOperation
from sealbox.framework.fields import FieldType, coerce
from sealbox.shamir import decode_share

RawHandler = Callable[[Core, str, dict[str, Any], dict[str, str]], Awaitable[tuple[int, Any]]]


async def seal_status(core: Core) -> dict[str, Any]:
    """The seal-status object (also the answer of sys/unseal)."""
    seal = await core.seal_status()
    status: dict[str, Any] = {
        "type": seal.seal_type,
        "initialized": seal.initialized,
        "sealed": seal.sealed,
        "t": seal.threshold,
        "n": seal.shares,
        "progress": seal.progress,
        "nonce": seal.nonce,
        "version": __version__,
        "build_date": "",
        "migration": seal.migration,
        "recovery_seal": seal.recovery_seal,
        "storage_type": core.config.storage_type,
    }
    if seal.recovery_seal:
        status["recovery_seal_type"] = "shamir"
    if not seal.sealed:
        status["cluster_name"] = core.config.cluster_name
        status["cluster_id"] = core.cluster_id
    return status


def _int_field(data: dict[str, Any], name: str) -> int:
    try:
        return int(coerce(FieldType.INT, data.get(name, 0)))
    except (TypeError, ValueError) as err:
        raise FieldValidationError(f"invalid value for {name}") from err


async def handle_init(
    core: Core, method: str, data: dict[str, Any], query: dict[str, str]
) -> tuple[int, Any]:
    """GET: initialised?; POST/PUT: initialise."""
    del query
    if method == "GET":
        return 200, {"initialized": await core.initialized()}
    if method not in ("POST", "PUT"):
        raise UnsupportedOperation("")  # compat: bao answers 405 {"errors": []}
    shares, threshold = _int_field(data, "secret_shares"), _int_field(data, "secret_threshold")
    if data.get("pgp_keys") or data.get("root_token_pgp_key") or data.get("recovery_pgp_keys"):
        raise InvalidRequest("PGP-encrypted key shares are not supported")
    recovery = _int_field(data, "recovery_shares"), _int_field(data, "recovery_threshold")
    auto = core.config.seals.seal is not None
    if not auto and any(recovery):
        # compat: OpenBao's wording (http/sys_init.go)
        raise InvalidRequest(
            "parameters recovery_shares,recovery_threshold not applicable to seal type shamir"
        )
    result = await core.initialize(
        shares, threshold, recovery_shares=recovery[0], recovery_threshold=recovery[1]
    )
    body: dict[str, Any] = {
        "keys": [share.hex() for share in result.keys],
        "keys_base64": [base64.b64encode(share).decode() for share in result.keys],
        "root_token": result.root_token,
    }
    if auto:
        body["recovery_keys"] = [share.hex() for share in result.recovery_keys]
        body["recovery_keys_base64"] = [
            base64.b64encode(share).decode() for share in result.recovery_keys
        ]
    return 200, body


async def handle_seal_status(
    core: Core, method: str, data: dict[str, Any], query: dict[str, str]
) -> tuple[int, Any]:
    """GET sys/seal-status."""
    del data, query
    if method != "GET":
        raise UnsupportedOperation("")  # compat: bao answers 405 {"errors": []}
    return 200, await seal_status(core)


async def handle_unseal(
    core: Core, method: str, data: dict[str, Any], query: dict[str, str]
) -> tuple[int, Any]:
    """POST/PUT sys/unseal {key | reset}."""
    del query
    if method not in ("POST", "PUT"):
        raise UnsupportedOperation("")  # compat: bao answers 405 {"errors": []}
    if not await core.initialized():
        raise InvalidRequest("Vault is not initialized")
    reset = coerce(FieldType.BOOL, data.get("reset", False))
    if reset:
        if not core.sealed:
            # compat: OpenBao refuses a progress reset on an unsealed server (sys_seal.go).
            raise InvalidRequest("vault is unsealed")
        (await core.progress()).reset()
        return 200, await seal_status(core)
    key = data.get("key")
    if not isinstance(key, str) or not key:
        raise InvalidRequest(
            "'key' must be specified in request body as JSON, or 'reset' set to true"
        )
    # compat: the key is decoded (and a malformed one refused) before the sealed check.
    share = decode_share(key)
    if core.sealed:
        await core.unseal(share, migrate=coerce(FieldType.BOOL, data.get("migrate", False)))
    return 200, await seal_status(core)


def _status_code(query: dict[str, str], name: str, default: int) -> int:
    value = query.get(name)
    if value is None:
        return default
    try:
        code = int(value)
    except ValueError as err:
        raise InvalidRequest(f"unable to parse {name} parameter") from err
    if not 100 <= code <= 599:
        # OpenBao's Go server writes 600-999 and drops the connection below 100 or above
        # 999; the ASGI server here can only send 100-599, so say so instead of failing.
        raise InvalidRequest(f"{name} must be an HTTP status code between 100 and 599")
    return code


def _true(value: str | None) -> bool:
    """A query flag such as ``standbyok=true`` (Go's strconv.ParseBool spellings)."""
    return value is not None and value.lower() in ("1", "t", "true")


async def handle_health(
    core: Core, method: str, data: dict[str, Any], query: dict[str, str]
) -> tuple[int, Any]:
    """GET/HEAD sys/health with Vault's status-code overrides."""
    del data
    if method not in ("GET", "HEAD"):
        raise UnsupportedOperation("")
    initialized = await core.initialized()
    if not initialized:
        code = _status_code(query, "uninitcode", 501)
    elif core.sealed:
        code = _status_code(query, "sealedcode", 503)
    elif core.ha is not None and core.ha.performance_standby:
        # compat: a performance standby answers 473 unless perfstandbyok (Vault's
        # http/sys_health.go checks it before, and instead of, standbyok)
        if _true(query.get("perfstandbyok")):
            code = _status_code(query, "activecode", 200)
        else:
            code = _status_code(query, "performancestandbycode", 473)
    elif core.ha is not None and not core.ha.active and not _true(query.get("standbyok")):
        code = _status_code(query, "standbycode", 429)
    else:
        code = _status_code(query, "activecode", 200)
    standby = core.sealed or (core.ha is not None and not core.ha.active)
    body: dict[str, Any] = {
        "initialized": initialized,
        "sealed": core.sealed,
        "standby": standby,
        "replication_performance_mode": "disabled",
        "replication_dr_mode": "disabled",
        "server_time_utc": int(time.time()),
        "version": __version__,
    }
    if core.ha is not None and core.ha.serve_reads:
        # Only where standbys can serve reads: OpenBao's body has no such key.
        body["performance_standby"] = core.ha.performance_standby
    if not core.sealed:
        body["cluster_name"] = core.config.cluster_name
        body["cluster_id"] = core.cluster_id
    return code, body


async def handle_leader(
    core: Core, method: str, data: dict[str, Any], query: dict[str, str]
) -> tuple[int, Any]:
    """GET sys/leader: without an HA storage backend only ``ha_enabled: false``."""
    del data, query
    if method != "GET":
        raise UnsupportedOperation("")  # compat: bao answers 405 {"errors": []}
    if core.ha is not None:
        return 200, await ha_leader(core)
    # compat: OpenBao answers exactly {"ha_enabled": false} when HA is off, sealed or not
    # (observed on 2.7.2; sys_leader.go);
    # the HA fields (is_self, leader_address, active_time, ...) arrive with HA storage.
    return 200, {"ha_enabled": False}


async def ha_leader(core: Core) -> dict[str, Any]:
    """sys/leader on HA storage (OpenBao http/sys_leader.go, vault/ha.go Leader)."""
    ha = core.ha
    if ha is None or core.sealed:
        raise Sealed()
    leader = ha.leader if ha.active else await ha.current_leader()
    body: dict[str, Any] = {"ha_enabled": True, "is_self": ha.active}
    since = ha.active_since
    if ha.active and since is not None:
        # compat: only the active reports active_time (OpenBao 2.7.2 on PostgreSQL HA)
        body["active_time"] = since.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    body["leader_address"] = leader.value if leader else ""
    body["leader_cluster_address"] = ""  # no cluster port: standbys forward over api_addr
    return body


RAW_HANDLERS: dict[str, RawHandler] = {
    "sys/init": handle_init,
    "sys/seal-status": handle_seal_status,
    "sys/unseal": handle_unseal,
    "sys/health": handle_health,
    "sys/leader": handle_leader,
}
