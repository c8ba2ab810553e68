"""Typed synchronous HTTP client for sealbox's (Vault's) API; used by the CLI, agent and tests.

::

    ClientError(status, errors)        a reply with status >= 400
    ClientConnectionError              the server could not be reached
"""

from __future__ import annotations

from sealbox.client._client import Client, ClientConnectionError, ClientError, JSONDict
from sealbox.client._config import (
    DEFAULT_ADDRESS,
    ClientConfig,
    env_value,
    erase_token_file,
    parse_bool,
    read_token_file,
    token_file_path,
    write_token_file,
)

__all__ = [
    "DEFAULT_ADDRESS",
    "Client",
    "ClientConfig",
    "ClientConnectionError",
    "ClientError",
    "JSONDict",
    "env_value",
    "erase_token_file",
    "parse_bool",
    "read_token_file",
    "token_file_path",
    "write_token_file",
]
