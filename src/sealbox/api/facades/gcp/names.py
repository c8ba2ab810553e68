"""Secret Manager resource names: ``projects/{p}[/locations/{l}]/secrets/{s}[/versions/{v}]``.

A name maps onto a KV v2 key of the door's mount: a global secret ``s`` is the key ``s`` (so
``sealbox kv get secret/s`` and the AWS door's secret ``s`` are the same secret), a regional one
is ``locations/{l}/{s}``. Secret IDs cannot contain ``/``, so the two never meet; an AWS or
Vault key with a ``/`` in it is simply not visible as a global GCP secret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sealbox.api.facades.gcp.errors import InvalidArgument

_SECRET_ID = re.compile(r"[A-Za-z0-9_-]{1,255}")
_LOCATION = re.compile(r"[a-z][a-z0-9-]{0,62}")
_PROJECT = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_ALIAS = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,62}")
REGIONAL_PREFIX = "locations/"


@dataclass(frozen=True, slots=True)
class Parent:
    """``projects/{p}`` or ``projects/{p}/locations/{l}``."""

    project: str
    location: str = ""

    def key_prefix(self) -> str:
        """The KV key prefix of this parent's secrets."""
        return f"{REGIONAL_PREFIX}{self.location}/" if self.location else ""

    def render(self, project: str) -> str:
        base = f"projects/{project}"
        return f"{base}/locations/{self.location}" if self.location else base


@dataclass(frozen=True, slots=True)
class SecretName:
    """A secret's name."""

    parent: Parent
    secret: str

    @property
    def key(self) -> str:
        return self.parent.key_prefix() + self.secret

    def render(self, project: str) -> str:
        return f"{self.parent.render(project)}/secrets/{self.secret}"


def check_project(value: str) -> str:
    if not _PROJECT.fullmatch(value):
        raise InvalidArgument(f"Invalid project [{value}].")
    return value


def parent_of(segments: list[str]) -> Parent:
    """``["projects", p]`` or ``["projects", p, "locations", l]``."""
    if len(segments) == 2 and segments[0] == "projects":
        return Parent(check_project(segments[1]))
    if len(segments) == 4 and segments[0] == "projects" and segments[2] == "locations":
        if not _LOCATION.fullmatch(segments[3]):
            raise InvalidArgument(f"Invalid location [{segments[3]}].")
        return Parent(check_project(segments[1]), segments[3])
    raise InvalidArgument("Invalid resource name [" + "/".join(segments) + "].")


def secret_id(value: str) -> str:
    """A valid secret ID, or INVALID_ARGUMENT."""
    if not _SECRET_ID.fullmatch(value):
        raise InvalidArgument(
            "The secret ID must be 1 to 255 characters of letters, digits, '_' and '-'."
        )
    return value


def version_ref(value: str) -> str:
    """``latest``, a decimal version number or an alias, as given."""
    if value == "latest" or (value.isdigit() and int(value) > 0) or _ALIAS.fullmatch(value):
        return value
    raise InvalidArgument(f"Invalid version [{value}].")


def is_alias(value: str) -> bool:
    return value not in ("latest", "NEW") and _ALIAS.fullmatch(value) is not None
