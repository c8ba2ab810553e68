"""Start a sealbox server: from configuration files, or in dev mode.

Dev mode mirrors ``vault server -dev``: in-memory storage, initialised with one key share,
unsealed, KV v2 at ``secret/``, root token printed with the ``export`` lines to use. Every
listener is an asyncio server (uvloop) speaking HTTP through ``server/http.py``, over one Core.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import ssl
import sys
from typing import TYPE_CHECKING, Any

from sealbox.errors import SealboxError
from sealbox.server.config import ConfigError, Listener, ServerConfig, load_config
from sealbox.server.sockets import ListenerError, bind, ssl_context

if TYPE_CHECKING:
    from sealbox.server.workers import WorkerSetup

log = logging.getLogger("sealbox.server")

# Idle keep-alive connections are closed after this many seconds.
_KEEP_ALIVE_TIMEOUT = 60.0

_DEV_BANNER = """\
WARNING! dev mode is enabled! In this mode, sealbox runs entirely in-memory
and starts unsealed with a single unseal key. The root token is already
authenticated to the CLI, so you can immediately begin using sealbox.

You may need to set the following environment variables:

    $ export VAULT_ADDR='{addr}'
    $ export SEALBOX_ADDR='{addr}'

The unseal key and root token are displayed below in case you want to
seal/unseal sealbox or re-authenticate.

Unseal Key: {unseal_key}
Root Token: {root_token}

Development mode should NOT be used in production installations!
"""


def run_server(
    config_paths: list[str],
    dev: bool,
    dev_root_token_id: str | None,
    dev_listen_address: str,
    log_level: str,
    dev_aws_listen_address: str = "",
    dev_gcp_listen_address: str = "",
) -> int:
    """Run until SIGINT/SIGTERM; returns the process exit code."""
    logging.basicConfig(
        level=getattr(logging, log_level.upper(), logging.INFO),
        format="%(asctime)s [%(levelname)s] %(name)s: %(message)s",
    )
    try:
        if dev:
            listeners = [Listener(address=dev_listen_address, tls_disable=True)]
            if dev_aws_listen_address != "off":
                aws_address = dev_aws_listen_address or _dev_aws_address(dev_listen_address)
                listeners.append(Listener(address=aws_address, tls_disable=True, kind="aws"))
            if dev_gcp_listen_address != "off":
                gcp_address = dev_gcp_listen_address or _dev_aws_address(dev_listen_address, 20)
                grpc = {
                    "grpc_address": _dev_aws_address(dev_listen_address, 21),
                    "grpc_optional": True,
                }
                listeners.append(
                    Listener(address=gcp_address, tls_disable=True, kind="gcp", options=grpc)
                )
            config = ServerConfig(listeners=tuple(listeners))
        elif config_paths:
            config = load_config(config_paths)
        else:
            print(
                "Error: no configuration files given (use -config=FILE or -dev)",
                file=sys.stderr,
            )
            return 1
    except ConfigError as err:
        print(f"Error loading configuration: {err}", file=sys.stderr)
        return 1
    if config.workers > 1:
        from sealbox.server.workers import WorkerError, check, supervise

        try:
            if dev:
                raise WorkerError("workers cannot be used in dev mode")
            check(config)
        except WorkerError as err:
            print(f"Error: {err}", file=sys.stderr)
            return 1
        return supervise(config, lambda setup: _run(config, False, None, setup))
    return _run(config, dev, dev_root_token_id, None)


def _run(
    config: ServerConfig, dev: bool, root_token_id: str | None, worker: WorkerSetup | None
) -> int:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    try:
        return asyncio.run(_serve(config, dev, root_token_id, worker))
    except KeyboardInterrupt:
        return 0


def _dev_aws_address(vault_address: str, offset: int = 10) -> str:
    """Dev mode's AWS door: the Vault port + 10 when free, else any free port (so that
    several dev servers on one machine never collide on a fixed second port)."""
    host, _, port = vault_address.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    for candidate in (int(port) + offset, 0):
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            try:
                probe.bind((host, candidate))
            except OSError:
                continue
            chosen = probe.getsockname()[1]
        return f"{host}:{chosen}" if ":" not in host else f"[{host}]:{chosen}"
    return f"{host}:0"


async def _build_core(config: ServerConfig) -> Any:
    from sealbox.barrier.seals import SealStanza, seal_setup
    from sealbox.core.config import CoreConfig
    from sealbox.core.core import Core
    from sealbox.storage import open_storage
    from sealbox.storage.cache import CachedStorage

    seals = seal_setup(tuple(SealStanza(kind, opts) for kind, opts in config.seals))
    physical = open_storage(config.storage_type, config.storage_options)
    if config.storage_type != "inmem":
        physical = CachedStorage(physical)
    first = next(listener for listener in config.listeners if listener.kind == "tcp")
    scheme = "http" if first.tls_disable else "https"
    core_config = CoreConfig(
        default_lease_ttl=config.default_lease_ttl,
        max_lease_ttl=config.max_lease_ttl,
        api_addr=config.api_addr or f"{scheme}://{first.address}",
        cluster_name=config.cluster_name or "sealbox-cluster",
        storage_type=config.storage_type,
        audit_dirs=config.audit_file_dirs,
        seals=seals,
    )
    return Core(physical, core_config)


async def _setup_dev(core: Any, root_token_id: str | None) -> tuple[str, str]:
    from sealbox.core.mounts import MountEntry

    result = await core.initialize(1, 1, root_token_id)
    await core.unseal(result.keys[0])
    await core.add_mount(
        MountEntry(
            path="secret/",
            type="kv",
            description="key/value secret storage",
            options={"version": "2"},
        )
    )
    import base64

    return base64.b64encode(result.keys[0]).decode(), result.root_token


def _authenticate_cli(root_token: str) -> None:
    """Dev mode logs the CLI in, as the banner says: the root token goes to the token file
    ``sealbox login`` writes (mode 0600), like OpenBao's dev server writes ~/.vault-token."""
    from sealbox.client import write_token_file

    try:
        write_token_file(root_token)
    except OSError as err:
        log.warning("could not write the CLI token file: %s", type(err).__name__)


async def _serve(
    config: ServerConfig, dev: bool, root_token_id: str | None, worker: WorkerSetup | None = None
) -> int:
    from sealbox.api.app import VaultAPI
    from sealbox.server.http import HTTPConnection

    try:
        sockets = [bind(listener, reuse_port=worker is not None) for listener in config.listeners]
        contexts = [ssl_context(listener) for listener in config.listeners]
    except (ListenerError, ssl.SSLError, OSError) as err:
        print(f"Error initializing listener: {err}", file=sys.stderr)
        return 1
    try:
        core = await _build_core(config)
    except SealboxError as err:  # a seal block that cannot work (missing key, bad address)
        print(f"Error configuring the seal: {err.public_message}", file=sys.stderr)
        return 1
    from sealbox.server.ha_setup import ha_api

    vault_app: Any = ha_api(
        core,
        redirect=config.disable_request_forwarding,
        serve_reads=not config.disable_performance_standby,
        forward_addr=worker.forward_addr if worker else "",
        active_slot=worker.slot if worker else None,
    ) or VaultAPI(core)
    if worker is not None:  # its own port, and unseal/seal reach the siblings
        from sealbox.server.workers import SiblingRelay

        vault_app = SiblingRelay(vault_app, worker)
        sockets, contexts = [*sockets, worker.private], [*contexts, contexts[0]]
    door_core: Any = core
    if core.ha is not None:  # the AWS and GCP doors' requests follow the HA rules too
        from sealbox.server.door_forwarding import HADoorCore

        door_core = HADoorCore(core)
    root_token = ""
    if dev:
        unseal_key, root_token = await _setup_dev(core, root_token_id)
        _authenticate_cli(root_token)
        scheme = "http" if config.listeners[0].tls_disable else "https"
        addr = f"{scheme}://{config.listeners[0].address}"
        print(
            _DEV_BANNER.format(addr=addr, unseal_key=unseal_key, root_token=root_token), flush=True
        )
    try:
        apps = [
            await _app_for(listener, core, vault_app, root_token, door_core)
            for listener in config.listeners
        ]
        if worker is not None:
            apps.append(vault_app)
    except ValueError as err:
        print(f"Error initializing listener: {err}", file=sys.stderr)
        return 1
    loop = asyncio.get_running_loop()
    connections: set[HTTPConnection] = set()
    servers = [
        await loop.create_server(
            lambda app=app: HTTPConnection(app, _KEEP_ALIVE_TIMEOUT, connections),
            sock=sock,
            ssl=context,
        )
        for sock, context, app in zip(sockets, contexts, apps, strict=True)
    ]
    for listener in config.listeners:
        tls = "disabled" if listener.tls_disable else "enabled"
        log.info("listening on %s (tls %s)", listener.address, tls)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    tidy = asyncio.create_task(_tidy_tokens(core))
    periodic = asyncio.create_task(_run_periodic(core, [a for a in apps if a is not vault_app]))
    unsealer = asyncio.create_task(_auto_unseal(core))
    renewer = asyncio.create_task(_renew_seal(core))
    await stop.wait()
    periodic.cancel()
    unsealer.cancel()
    renewer.cancel()
    for server in servers:
        server.close()
    for connection in list(connections):
        connection.close()
    for server in servers:
        await server.wait_closed()
    tidy.cancel()
    await core.seal()
    if hasattr(vault_app, "close"):
        await vault_app.close()
    if door_core is not core:
        await door_core.close()
    close = getattr(core.physical, "close", None)
    if close is not None:
        await close()
    return 0


async def _app_for(
    listener: Listener, core: Any, vault_app: Any, root_token: str, door_core: Any
) -> Any:
    """The application a listener serves: the Vault API, or the AWS door (dev: set up).
    The doors get ``door_core`` (on HA nodes: server/door_forwarding.py)."""
    if listener.kind == "gcp":
        return await _gcp_app(listener, door_core, root_token)
    if listener.kind != "aws":
        return vault_app
    from sealbox.api.facades.aws import server as aws

    door = aws.door_config(listener.options, tls=not listener.tls_disable, token=root_token)
    if root_token:
        key_id, secret = await aws.setup_dev(core, root_token)
        scheme = "http" if listener.tls_disable else "https"
        endpoint = f"{scheme}://{listener.address}"
        print(
            aws.DEV_BANNER.format(
                endpoint=endpoint, access_key_id=key_id, secret_access_key=secret
            ),
            flush=True,
        )
    return aws.build_app(door_core, door)


async def _gcp_app(listener: Listener, core: Any, root_token: str) -> Any:
    """The GCP door, REST and (with grpc_address) gRPC; dev: its banner, the root token is
    the access token."""
    from sealbox.api.facades.gcp import server as gcp

    door = gcp.door_config(listener.options, token=root_token)
    app = gcp.build_app(core, door)
    tls = ("", "") if listener.tls_disable else (listener.tls_cert_file, listener.tls_key_file)
    grpc_address = await gcp.start_grpc(app, listener.options, *tls)
    if root_token:
        scheme = "http" if listener.tls_disable else "https"
        endpoint = f"{scheme}://{listener.address}"
        await gcp.setup_dev(core, root_token, door, endpoint)
        extra = gcp.GRPC_BANNER.format(address=grpc_address) if grpc_address else ""
        banner = gcp.DEV_BANNER.format(
            endpoint=endpoint, token=root_token, project=door.project_id, grpc=extra
        )
        print(banner, flush=True)
    return app


async def _run_periodic(core: Any, doors: list[Any], interval: float = 60.0) -> None:
    """The doors' background work (the AWS door's scheduled rotations); backends' periodic
    hooks are the core's (core/periodic.py)."""
    while True:
        await asyncio.sleep(interval)
        if core.sealed or (core.ha is not None and not core.ha.active):
            continue  # HA: only the active node runs scheduled work
        for door in doors:
            try:
                await door.periodic()
            except Exception as err:  # noqa: BLE001 - a background worker must keep running
                log.warning("periodic task failed: %s", type(err).__name__)


async def _auto_unseal(core: Any, first_delay: float = 1.0, max_delay: float = 30.0) -> None:
    """Unseal once at start with the auto-unseal seal, retrying with back-off until it works.

    Nothing to do without a seal, before init (init unseals) or while a migration waits for
    the operators' keys. After an operator seals the server it stays sealed until restarted,
    as in OpenBao. On HA storage another node (or worker) may initialise the shared storage:
    until then this node waits for it.
    """
    from sealbox.barrier.seal_migration import pending_migration

    seals = core.config.seals
    if seals.seal is None:
        return
    delay = first_delay
    while core.ha is not None and core.sealed:  # polls the shared storage
        if await core.initialized():
            break
        await asyncio.sleep(first_delay)
    while core.sealed and await core.initialized():
        if await pending_migration(core.physical, seals.seal, seals.old_seal) is not None:
            log.warning("seal migration pending: unseal with the keys and -migrate")
            return
        try:
            await core.auto_unseal()
        except SealboxError as err:
            log.error(
                "auto-unseal with the %s seal failed, retrying in %.0fs: %s",
                seals.seal.seal_type,
                delay,
                err.public_message,
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, max_delay)
        else:
            log.info("unsealed with the %s seal", seals.seal.seal_type)
            return


async def _renew_seal(core: Any, interval: float = 3600.0) -> None:
    """Renew the auto-unseal seal's credentials now and then (the Transit seal's token)."""
    seal = core.config.seals.seal
    if seal is None:
        return
    while True:
        try:
            renewed = await seal.renew()
        except SealboxError as err:
            log.warning(
                "renewing the %s seal's token failed: %s", seal.seal_type, err.public_message
            )
        else:
            if not renewed:
                return
            log.info("renewed the %s seal's credentials", seal.seal_type)
        await asyncio.sleep(interval)


async def _tidy_tokens(core: Any, interval: float = 300.0) -> None:
    """Remove expired tokens now and then; lookups refuse them anyway (checked lazily)."""
    while True:
        await asyncio.sleep(interval)
        if core.sealed or (core.ha is not None and not core.ha.active):
            continue
        try:
            removed = await core.tokens.tidy()
        except Exception as err:  # noqa: BLE001 - a background worker must keep running
            log.warning("token tidy failed: %s", type(err).__name__)
        else:
            if removed:
                log.info("token tidy removed %d expired tokens", removed)
