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
        "acme/directory",
        "acme/new-order",
        "acme/order/0f5e-id/finalize",
        "roles/web/acme/account/0f5e-id/orders",
        "issuer/x/roles/web/acme/challenge/0f5e-id/http-01",
        "issuer/x/acme/revoke-cert",
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
        "config/acme",
        "eab/",
        "acme/new-eab",
        "roles/web/acme/new-eab",
        "issuer/x/roles/web/acme/new-eab",
        "acme/order/0f5e-id/finalize/extra",
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

    from tests.unit.engines.pki_helpers import make_pki

    from sealbox.framework.openapi import _template

    templates = [_template(p.pattern) for p in make_pki().paths]
    assert all(re.fullmatch(r"[\w/{}.-]+", t) for t in templates), templates
    assert len(set(templates)) == len(templates)
    assert "issuer/{issuer_ref}/issue/{role}" in templates


def test_every_route_and_operation_answers_without_a_server_error() -> None:
    """Each declared route, each of its operations, with an empty body: never a 5xx."""
    from tests.unit.engines.harness import call
    from tests.unit.engines.pki_helpers import make_pki, with_role, with_root

    from sealbox.framework.openapi import _template

    engine = make_pki()
    root = with_root(engine)
    with_role(engine)
    values = {
        "{name}": "web",
        "{role}": "web",
        "{issuer_ref}": "default",
        "{key_ref}": "default",
        "{serial}": root["serial_number"],
        "{exported}": "internal",
        "{fmt}": "pem",
        "{req}": "AAAA",
    }
    seen = 0
    for route in list(engine.paths):
        path = _template(route.pattern)
        for placeholder, value in values.items():
            path = path.replace(placeholder, value)
        for operation in route.operations:
            outcome = call(engine, operation, path, {})
            assert outcome.status < 500, (operation, path, outcome.errors)
            seen += 1
    assert seen > 45


def test_plus_segments_with_a_trailing_star() -> None:
    patterns = ("issuer/+/acme/*",)
    assert _matches(patterns, "issuer/a/acme/new-order")
    assert _matches(patterns, "issuer/a/acme/")
    assert not _matches(patterns, "issuer/a/acme")
    assert not _matches(patterns, "issuer/a/b/acme/x")
    assert _matches(("kv/+/data*",), "kv/a/data/b/c")
    assert _matches(("kv/+/data*",), "kv/a/database")
    assert not _matches(("kv/+/data*",), "kv/a/dat")
