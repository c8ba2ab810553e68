"""Which PKI paths need no token: Vault's list, with "+" standing for one segment."""

from __future__ import annotations

import pytest

from sealbox.core.pipeline import _matches
from sealbox.engines.pki import PKIEngine

OPEN = PKIEngine.unauthenticated_paths


@pytest.mark.parametrize(
    "path",
    [
        "ca",
        "ca/pem",
        "ca_chain",
        "crl",
        "crl/pem",
        "cert/ca",
        "cert/1a:2b",
        "ocsp",
        "ocsp/MEIwQDA",
        "issuer/default/pem",
        "issuer/0f5e-id/der",
        "issuer/x/json",
        "issuer/x/crl",
        "issuer/x/crl/pem",
        "issuer/x/crl/der",
    ],
)
def test_unauthenticated(path: str) -> None:
    assert _matches(OPEN, path)


@pytest.mark.parametrize(
    "path",
    [
        "certs/",
        "issuer/x",
        "issuer/x/issue/web",
        "issuer/x/pem/extra",
        "issuer/pem",
        "roles/web",
        "issue/web",
        "revoke",
        "root/generate/internal",
        "crl/rotate",
        "config/urls",
        "tidy",
    ],
)
def test_authenticated(path: str) -> None:
    assert not _matches(OPEN, path)


def test_root_paths_need_sudo() -> None:
    assert _matches(PKIEngine.root_paths, "root")
    assert not _matches(PKIEngine.root_paths, "root/generate/internal")
