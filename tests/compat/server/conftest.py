"""Fixtures for the hvac compatibility suite against real ``sealbox server`` processes.

Most tests share the session-scoped dev server (``sealbox_server``) through ``root``, an hvac
client holding its root token; names are made unique per test so tests stay independent.
Tests that need fresh state (init, unseal, seal, rekey, generate-root, audit fail-closed) start
their own non-dev server from a config file with ``fresh_server``.

``sealbox_tls_server`` is redefined here: the shared one sets ``Session.verify``, which loses to
the ``REQUESTS_CA_BUNDLE`` environment variable, so its sys/init call failed certificate
verification. This one passes ``verify=`` on every request.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import hvac
import pytest
from tests.compat.conftest import (
    VENV_BIN,
    InitializedServer,
    ServerProcess,
    free_port,
    start_process,
    stop,
)


class TokenFor(Protocol):
    """The ``token_for`` fixture: a client for a token carrying one freshly written policy."""

    def __call__(
        self, policy: str, *, default_policy: bool = False, **create: Any
    ) -> hvac.Client: ...


def unique(prefix: str) -> str:
    """A name no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def root(sealbox_server: ServerProcess) -> hvac.Client:
    """hvac with the dev server's root token."""
    return hvac.Client(url=sealbox_server.address, token=sealbox_server.token)


@pytest.fixture
def token_for(root: hvac.Client) -> TokenFor:
    """Make a client whose token carries one freshly written policy (no default policy)."""

    def make(policy: str, *, default_policy: bool = False, **create: Any) -> hvac.Client:
        name = unique("pol")
        root.sys.create_or_update_policy(name=name, policy=policy)
        auth = root.auth.token.create(
            policies=[name], no_default_policy=not default_policy, **create
        )["auth"]
        return hvac.Client(url=root.url, token=auth["client_token"])

    return make


def write_config(workdir: Path, port: int, storage: str = 'storage "inmem" {}') -> Path:
    """An HCL config for a plain-HTTP listener on ``port``."""
    config = workdir / "sealbox.hcl"
    config.write_text(
        f"{storage}\n\n"
        f'listener "tcp" {{\n  address = "127.0.0.1:{port}"\n  tls_disable = true\n}}\n\n'
        f'api_addr = "http://127.0.0.1:{port}"\ndisable_mlock = true\n'
        f'audit_file_dirs = ["{workdir}"]\n'
    )
    return config


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A brand-new, uninitialised ``sealbox server -config=FILE`` (inmem storage, HTTP)."""
    port = free_port()
    config = write_config(tmp_path, port)
    args = [str(VENV_BIN / "sealbox"), "server", f"-config={config}"]
    process, log = start_process(args, f"http://127.0.0.1:{port}", tmp_path)
    yield ServerProcess(f"http://127.0.0.1:{port}", "", log, process, workdir=tmp_path)
    stop(process)


def initialize(server: ServerProcess, shares: int = 3, threshold: int = 2) -> InitializedServer:
    """Initialise and unseal ``server`` with hvac; returns it with root token and keys."""
    client = hvac.Client(url=server.address, token="")
    result = client.sys.initialize(secret_shares=shares, secret_threshold=threshold)
    client.sys.submit_unseal_keys(result["keys"][:threshold])
    return InitializedServer(
        server.address,
        result["root_token"],
        server.log,
        server.process,
        None,
        server.workdir,
        tuple(result["keys"]),
    )


@pytest.fixture
def fresh_initialized(fresh_server: ServerProcess) -> InitializedServer:
    """A fresh config-file server, initialised 2-of-3 and unsealed."""
    return initialize(fresh_server)


@pytest.fixture(scope="session")
def tls_root(sealbox_tls_server: InitializedServer) -> hvac.Client:
    """hvac over HTTPS with the TLS server's root token, verifying against the test CA."""
    return hvac.Client(
        url=sealbox_tls_server.address,
        token=sealbox_tls_server.token,
        verify=sealbox_tls_server.ca_cert,
    )


@pytest.fixture(scope="session")
def tls_as(sealbox_tls_server: InitializedServer) -> Callable[[str], hvac.Client]:
    """hvac over HTTPS with any token, verifying against the test CA."""

    def make(token: str) -> hvac.Client:
        return hvac.Client(
            url=sealbox_tls_server.address, token=token, verify=sealbox_tls_server.ca_cert
        )

    return make
