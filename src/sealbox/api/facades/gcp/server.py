"""What the server process needs from the GCP door: its config, its app, the dev banner.

``listener "gcp" { address, tls_*, grpc_address, mount = "secret", project_id = "sealbox",
project_number = "123456789012", token_file, auth_mount = "gcpsa" }``: ``token_file`` holds the
door's own token (the periodic sweep acts as it, IAM-granted calls go with it, see
``authz.py``), ``auth_mount`` is the ``gcpsa`` auth mount of service-account keys and the
project IAM policy. Dev mode serves the door on its own port, enables ``auth/gcpsa`` with
``token_uri`` pointing at the door's ``/token``, and prints what a shell needs for gcloud (the
endpoint override, the root token as access token, the project) and for the Python client.
"""

from __future__ import annotations

import logging
from typing import Any

from sealbox.api.facades.gcp.app import GcpAPI
from sealbox.api.facades.gcp.context import DoorConfig
from sealbox.api.facades.gcp.errors import InvalidArgument
from sealbox.api.facades.gcp.kv import CoreDoor
from sealbox.api.facades.gcp.names import check_project
from sealbox.logical import Operation, Request

log = logging.getLogger("sealbox.gcp")
LISTENER_KEYS = frozenset(
    {"mount", "project_id", "project_number", "grpc_address", "token_file", "auth_mount"}
)

DEV_BANNER = """\
The GCP Secret Manager door listens on {endpoint} (KV v2 mount secret/, project {project}):

    $ export CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER='{endpoint}/'
    $ export CLOUDSDK_AUTH_ACCESS_TOKEN='{token}'
    $ export CLOUDSDK_CORE_PROJECT='{project}'

Service-account key files (their token_uri is this door's /token; bind them with IAM):
    $ sealbox write -force -format=json -field=key_file \\
        auth/gcpsa/service-accounts/app@{project}.iam.gserviceaccount.com/keys > key.json
{grpc}"""
GRPC_BANNER = """
gRPC (SecretManagerService) on {address}, loopback credentials: the Python client takes
    transport=SecretManagerServiceGrpcTransport(channel=grpc.secure_channel('{address}',
        grpc.composite_channel_credentials(grpc.local_channel_credentials(),
                                           grpc.access_token_call_credentials(TOKEN))))
"""


def door_config(options: dict[str, Any], token: str = "") -> DoorConfig:
    """The door's settings from a ``listener "gcp"`` block's own options."""
    mount = str(options.get("mount") or "secret").strip("/")
    if not mount:
        raise ValueError('listener "gcp": invalid mount')
    project = str(options.get("project_id", "sealbox"))
    grpc_address = str(options.get("grpc_address") or "")
    if grpc_address and ":" not in grpc_address:
        raise ValueError('listener "gcp": grpc_address must be host:port')
    number = str(options.get("project_number", "123456789012"))
    try:
        check_project(project)
    except InvalidArgument as err:
        raise ValueError(f'listener "gcp": invalid project_id {project!r}') from err
    if not number.isdigit():
        raise ValueError('listener "gcp": project_number must be digits')
    auth_mount = str(options.get("auth_mount") or "gcpsa").strip("/")
    if not auth_mount:
        raise ValueError('listener "gcp": invalid auth_mount')
    return DoorConfig(
        mount=mount + "/",
        project_id=project,
        project_number=number,
        token=token,
        token_file=str(options.get("token_file") or ""),
        auth_mount=f"auth/{auth_mount.removeprefix('auth/')}/",
    )


async def setup_dev(core: Any, root_token: str, config: DoorConfig, endpoint: str) -> None:
    """Dev mode: enable the ``gcpsa`` auth mount; its key files' token_uri is this door."""
    from sealbox.core.mounts import MountEntry

    path = config.auth_mount.removeprefix("auth/")
    await core.add_mount(
        MountEntry(path=path, type="gcpsa", description="GCP service-account keys", table="auth")
    )
    await core.handle(
        Request(
            operation=Operation.UPDATE,
            path=config.auth_mount + "config",
            data={"token_uri": endpoint + "/token", "project_id": config.project_id},
            client_token=root_token,
        )
    )


def build_app(core: CoreDoor, config: DoorConfig) -> GcpAPI:
    return GcpAPI(core, config)


async def start_grpc(api: GcpAPI, options: dict[str, Any], cert: str, key: str) -> str:
    """Start the gRPC service when the block sets ``grpc_address``; returns the address."""
    address = str(options.get("grpc_address") or "")
    if not address:
        return ""
    try:
        from sealbox.api.facades.gcp import grpc_server
    except ImportError as err:
        if options.get("grpc_optional"):  # dev mode: REST only when the extra is missing
            log.warning("no gRPC for the GCP door: install sealbox[grpc] (%s)", err.name)
            return ""
        raise ValueError('listener "gcp": grpc_address needs sealbox[grpc] installed') from err
    api.grpc_server = await grpc_server.start(api, address, cert, key)
    return address
