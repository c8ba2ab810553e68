"""Start a sealbox server: from configuration files, or in dev mode.

Dev mode mirrors ``vault server -dev``: in-memory storage, initialised with one key share,
unsealed, KV v2 at ``secret/``, root token printed with the ``export`` lines to use. The
listeners are uvicorn servers (uvloop + httptools) sharing one event loop and one Core.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import ssl
import sys
from collections.abc import Generator
from typing import Any

from sealbox.server.config import ConfigError, Listener, ServerConfig, load_config

log = logging.getLogger("sealbox.server")

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
) -> int:
    """Run until SIGINT/SIGTERM; returns the process exit code."""
    logging.basicConfig(
        level=getattr(logging, log_level.upper(), logging.INFO),
        format="%(asctime)s [%(levelname)s] %(name)s: %(message)s",
    )
    try:
        if dev:
            config = ServerConfig(
                listeners=(Listener(address=dev_listen_address, tls_disable=True),)
            )
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
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    try:
        return asyncio.run(_serve(config, dev, dev_root_token_id))
    except KeyboardInterrupt:
        return 0


async def _build_core(config: ServerConfig) -> Any:
    from sealbox.core.config import CoreConfig
    from sealbox.core.core import Core
    from sealbox.storage import open_storage
    from sealbox.storage.cache import CachedStorage

    physical = open_storage(config.storage_type, config.storage_options)
    if config.storage_type != "inmem":
        physical = CachedStorage(physical)
    first = config.listeners[0]
    scheme = "http" if first.tls_disable else "https"
    core_config = CoreConfig(
        default_lease_ttl=config.default_lease_ttl,
        max_lease_ttl=config.max_lease_ttl,
        api_addr=config.api_addr or f"{scheme}://{first.address}",
        cluster_name=config.cluster_name or "sealbox-cluster",
        storage_type=config.storage_type,
        audit_dirs=config.audit_file_dirs,
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


def _ssl_options(listener: Listener) -> dict[str, Any]:
    if listener.tls_disable:
        return {}
    options: dict[str, Any] = {
        "ssl_certfile": listener.tls_cert_file,
        "ssl_keyfile": listener.tls_key_file,
    }
    if listener.tls_client_ca_file:
        options["ssl_ca_certs"] = listener.tls_client_ca_file
        options["ssl_cert_reqs"] = (
            ssl.CERT_REQUIRED if listener.tls_require_client_cert else ssl.CERT_OPTIONAL
        )
    return options


def _bind(listener: Listener) -> socket.socket:
    """Bind a listener's socket up front, so a busy port fails before anything starts."""
    host, port = listener.host_port
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise ListenerError(
            f"Error initializing listener of type tcp: listen tcp {listener.address}: "
            f"bind: {err.strerror.lower() if err.strerror else err}"
        ) from err
    sock.listen(1024)
    sock.setblocking(False)
    return sock


class ListenerError(Exception):
    """A listener could not be opened."""


async def _serve(config: ServerConfig, dev: bool, root_token_id: str | None) -> int:
    import uvicorn

    from sealbox.api.app import VaultAPI
    from sealbox.server.http_protocol import VaultHttpToolsProtocol

    class _Server(uvicorn.Server):
        """uvicorn without its own signal handling: the process handles signals once."""

        @contextlib.contextmanager
        def capture_signals(self) -> Generator[None, None, None]:
            yield

    try:
        sockets = [_bind(listener) for listener in config.listeners]
    except ListenerError as err:
        print(err, file=sys.stderr)
        return 1
    core = await _build_core(config)
    app = VaultAPI(core)
    servers = []
    for listener in config.listeners:
        uv_config = uvicorn.Config(
            app,
            loop="none",
            http=VaultHttpToolsProtocol,
            lifespan="off",
            access_log=False,
            log_level="warning",
            server_header=False,
            date_header=False,
            timeout_keep_alive=60,
            # No reverse proxy is assumed: X-Forwarded-* must not rewrite the client address.
            proxy_headers=False,
            **_ssl_options(listener),
        )
        servers.append(_Server(uv_config))
    if dev:
        unseal_key, root_token = await _setup_dev(core, root_token_id)
        scheme = "http" if config.listeners[0].tls_disable else "https"
        addr = f"{scheme}://{config.listeners[0].address}"
        print(
            _DEV_BANNER.format(addr=addr, unseal_key=unseal_key, root_token=root_token), flush=True
        )
    for listener in config.listeners:
        tls = "disabled" if listener.tls_disable else "enabled"
        log.info("listening on %s (tls %s)", listener.address, tls)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    tasks = [
        asyncio.create_task(server.serve(sockets=[sock]))
        for server, sock in zip(servers, sockets, strict=True)
    ]
    tidy = asyncio.create_task(_tidy_tokens(core))
    await stop.wait()
    for server in servers:
        server.should_exit = True
    await asyncio.gather(*tasks, return_exceptions=True)
    tidy.cancel()
    await core.seal()
    close = getattr(core.physical, "close", None)
    if close is not None:
        await close()
    return 0


async def _tidy_tokens(core: Any, interval: float = 300.0) -> None:
    """Remove expired tokens now and then; lookups refuse them anyway (checked lazily)."""
    while True:
        await asyncio.sleep(interval)
        if core.sealed:
            continue
        try:
            removed = await core.tokens.tidy()
        except Exception as err:  # noqa: BLE001 - a background worker must keep running
            log.warning("token tidy failed: %s", type(err).__name__)
        else:
            if removed:
                log.info("token tidy removed %d expired tokens", removed)
