"""Secret ARNs and names: ``arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 chars>``.

The random suffix makes a re-created secret a different resource. A ``SecretId`` is a name, a
full ARN or a partial ARN (without the suffix). Names follow AWS's rules (1-512 of letters,
digits and ``/_+=.@-``) and, because a name is a KV v2 key path, may not start or end with
``/``, contain ``//`` or be a ``.``/``..`` segment (sealbox's one narrowing of AWS's rules).
"""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass

from sealbox.api.facades.aws.errors import InvalidParameter

_NAME = re.compile(r"[A-Za-z0-9/_+=.@-]{1,512}")
_SUFFIX_CHARS = string.ascii_letters + string.digits
_PREFIX = "arn:aws:secretsmanager:"


def new_suffix() -> str:
    return "".join(secrets.choice(_SUFFIX_CHARS) for _ in range(6))


def secret_arn(region: str, account: str, name: str, suffix: str) -> str:
    return f"{_PREFIX}{region}:{account}:secret:{name}-{suffix}"


def check_name(name: str) -> None:
    """Raise InvalidParameterException for a name AWS (or the KV key space) refuses."""
    if not _NAME.fullmatch(name):
        raise InvalidParameter(
            "Invalid name. Must be a valid name containing alphanumeric characters, "
            "or any of the following: -/_+=.@!"
        )
    parts = name.split("/")
    if name.startswith("/") or name.endswith("/") or "" in parts or {".", ".."} & set(parts):
        raise InvalidParameter(
            "Invalid name. sealbox stores secrets as KV v2 paths: a name may not start or end "
            "with '/', contain '//' or a '.' or '..' segment."
        )


@dataclass(frozen=True, slots=True)
class SecretRef:
    """What a SecretId names: candidate KV keys, and the suffix an ARN demands."""

    name: str
    suffix: str = ""  # non-empty for a full ARN
    region: str = ""
    account: str = ""

    def candidates(self) -> list[tuple[str, str]]:
        """(name, required suffix) pairs to try, most specific first."""
        if self.suffix:
            return [(self.name, self.suffix), (f"{self.name}-{self.suffix}", "")]
        return [(self.name, "")]


def parse_secret_id(secret_id: str) -> SecretRef:
    """A name, a full ARN or a partial ARN."""
    if not secret_id.startswith(_PREFIX):
        return SecretRef(secret_id)
    parts = secret_id.split(":", 6)
    if len(parts) != 7 or parts[5] != "secret" or not parts[6]:
        raise InvalidParameter("You provided an invalid ARN for the secret.")
    region, account, resource = parts[3], parts[4], parts[6]
    base, dash, suffix = resource.rpartition("-")
    if dash and len(suffix) == 6 and base:
        return SecretRef(base, suffix, region, account)
    return SecretRef(resource, "", region, account)
