"""The ``vault:v<N>:<base64>`` envelope of ciphertexts and signatures.

Parsing follows keysutil ``DecryptWithFactory`` / ``VerifySignatureWithOptions``: the
template prefix, a decimal version, the template's delimiter, then the payload; each failure
has Vault's message and is a client error (400).
"""

from __future__ import annotations

from sealbox.engines.transit.policy import Policy
from sealbox.errors import InvalidRequest


def split(policy: Policy, value: str, what: str = "ciphertext") -> tuple[int, str]:
    """(version, payload) of a ciphertext (or signature, with ``what="signature"``)."""
    head, tail = policy.template_parts()
    if not value.startswith(head):
        raise InvalidRequest(f"invalid {what}: no prefix")
    rest = value[len(head) :]
    version_text, sep, payload = rest.partition(tail) if tail else (rest, "", "")
    if not sep:
        raise InvalidRequest(f"invalid {what}: wrong number of fields")
    try:
        version = int(version_text)
    except ValueError as err:
        raise InvalidRequest(f"invalid {what}: version number could not be decoded") from err
    if version_text.strip() != version_text or "_" in version_text:
        raise InvalidRequest(f"invalid {what}: version number could not be decoded")
    return version, payload
