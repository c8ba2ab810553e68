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


def test_openapi_templates_are_clean() -> None:
    """Every route renders as a plain OpenAPI template (no regex left in it)."""
    import re

    from sealbox.core.system.paths_internal import _template
    from tests.unit.engines.pki_helpers import make_pki

    templates = [_template(p.pattern) for p in make_pki().paths]
    assert all(re.fullmatch(r"[\w/{}.-]+", t) for t in templates), templates
    assert len(set(templates)) == len(templates)
    assert "issuer/{issuer_ref}/issue/{role}" in templates
