"""IAM policy etags that survive any client's re-encoding.

An IAM Policy's ``etag`` is a protobuf ``bytes`` field: clients such as gcloud decode the base64
they read and encode it again when they write the policy back, and may pick the URL-safe
alphabet or drop padding. An etag of 9 random bytes whose base64 is letters and digits only
(12 characters, no padding) reads the same under every encoding, so a read-modify-write never
fails its etag check because of the alphabet (a random ``+`` or ``/`` once made gcloud's
remove-iam-policy-binding answer ABORTED).
"""

from __future__ import annotations

import base64
import secrets

EMPTY_ETAG = "ACAB"
"""The etag GCP answers for a policy never written (base64 of 0x00 0x20 0x01)."""


def fresh_etag() -> str:
    """A new random etag: 72 bits, standard and URL-safe base64 alike."""
    while True:
        etag = base64.b64encode(secrets.token_bytes(9)).decode()
        if etag.isalnum():
            return etag
