"""What one method call sees: the door's settings, the parsed URL, query, body and KV client."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sealbox.api.facades.gcp.errors import NotFound
from sealbox.api.facades.gcp.kv import KVClient
from sealbox.api.facades.gcp.names import Parent, SecretName


@dataclass(frozen=True, slots=True)
class DoorConfig:
    """``listener "gcp"`` settings: the KV v2 mount and the one project the door serves."""

    mount: str = "secret/"
    project_id: str = "sealbox"
    project_number: str = "123456789012"
    #: The door's own token for its periodic sweep (dev: the root token), or a file holding it.
    token: str = field(default="", repr=False)
    token_file: str = ""
    #: The ``gcpsa`` auth mount: service-account keys, their logins, the project IAM policy.
    auth_mount: str = "auth/gcpsa/"

    def owns(self, project: str) -> bool:
        return project in (self.project_id, self.project_number)


class Permissions(Protocol):
    """The IAM side of the caller's permissions (``authz.CallPermissions``)."""

    @property
    def known(self) -> bool:
        """Whether the caller's token is one the core knows."""
        ...

    async def held(
        self, secret: SecretName | None, resource: str, asked: Iterable[str]
    ) -> set[str]: ...


@dataclass(slots=True)
class Call:
    """One request, routed: ``parent`` always, ``secret``/``version`` when the URL names them."""

    method: str
    config: DoorConfig
    kv: KVClient
    parent: Parent
    query: dict[str, str]
    body: dict[str, Any]
    secret: SecretName | None = None
    version: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    #: IAM's answer for testIamPermissions (None: ACL alone, as in unit tests).
    iam: Permissions | None = None

    @property
    def project(self) -> str:
        """The project as names render it (the number, as GCP answers)."""
        return self.config.project_number

    def secret_name(self) -> SecretName:
        if self.secret is None:  # routes give every secret method a secret
            raise NotFound("No secret named.")
        return self.secret
