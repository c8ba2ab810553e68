"""What the server process needs from the AWS door: its config, its app, dev-mode set-up.

``listener "aws" { address, tls_*, mount = "secret", account_id = "123456789012",
auth_mount = "sigv4", token_file = "/path/to/door-token", rotation_function "<name>" {
command = [...] } }``. The door token needs ``update`` on ``auth/<auth_mount>/verify`` and
what scheduled rotations do on the mount.
Dev mode enables ``auth/sigv4``, gives the root token an access key and prints what a shell
needs (``AWS_ENDPOINT_URL_SECRETS_MANAGER`` and the key pair).
"""

from __future__ import annotations

from typing import Any

from sealbox.api.facades.aws.app import AwsAPI
from sealbox.api.facades.aws.context import DoorConfig
from sealbox.api.facades.aws.kvclient import CoreDoor
from sealbox.logical import Operation, Request

DEV_BANNER = """\
The AWS Secrets Manager door listens on {endpoint} (KV v2 mount secret/):

    $ export AWS_ENDPOINT_URL_SECRETS_MANAGER='{endpoint}'
    $ export AWS_ACCESS_KEY_ID='{access_key_id}'
    $ export AWS_SECRET_ACCESS_KEY='{secret_access_key}'
    $ export AWS_REGION='us-east-1' AWS_DEFAULT_REGION='us-east-1'
"""


def _mount(value: Any, default: str) -> str:
    text = str(value or default).strip("/")
    if not text:
        raise ValueError(f'listener "aws": invalid mount {value!r}')
    return text + "/"


def door_config(options: dict[str, Any], *, tls: bool, token: str = "") -> DoorConfig:
    """The door's settings from a ``listener "aws"`` block's own options."""
    commands: dict[str, tuple[str, ...]] = {}
    functions = options.get("rotation_function") or {}
    if isinstance(functions, list):
        merged: dict[str, Any] = {}
        for item in functions:
            merged.update(item)
        functions = merged
    webhooks: dict[str, str] = {}
    for name, body in functions.items():
        url = body.get("url") if isinstance(body, dict) else None
        if isinstance(url, str) and url.startswith(
            ("https://", "http://127.0.0.1", "http://localhost")
        ):
            webhooks[str(name)] = url
            continue
        if url is not None:
            raise ValueError(f'rotation_function "{name}": url must be https:// (or loopback)')
        command = body.get("command") if isinstance(body, dict) else None
        if isinstance(command, str):
            command = [command]
        if (
            not isinstance(command, list)
            or not command
            or not all(isinstance(c, str) for c in command)
        ):
            raise ValueError(
                f'rotation_function "{name}" needs command = ["program", ...] or url = "https://..."'
            )
        commands[str(name)] = tuple(command)
    account = str(options.get("account_id", "123456789012"))
    if not (account.isdigit() and len(account) == 12):
        raise ValueError('listener "aws": account_id must be 12 digits')
    return DoorConfig(
        mount=_mount(options.get("mount"), "secret"),
        account_id=account,
        auth_mount="auth/" + _mount(options.get("auth_mount"), "sigv4"),
        transit_mount=_mount(options.get("transit_mount"), "transit"),
        secure_transport=tls,
        rotation_commands=commands,
        rotation_webhooks=webhooks,
        token=token,
        token_file=str(options.get("token_file") or ""),
    )


def build_app(core: CoreDoor, config: DoorConfig) -> AwsAPI:
    return AwsAPI(core, config)


async def setup_dev(core: Any, root_token: str) -> tuple[str, str]:
    """Enable ``auth/sigv4`` and give the root token an access key; returns the pair."""
    from sealbox.core.mounts import MountEntry

    await core.add_mount(
        MountEntry(path="sigv4/", type="sigv4", description="AWS access keys", table="auth")
    )
    response = await core.handle(
        Request(
            operation=Operation.UPDATE,
            path="auth/sigv4/keys/root",
            data={"token": root_token},
            client_token=root_token,
        )
    )
    data = response.data or {}
    return str(data["access_key_id"]), str(data["secret_access_key"])
