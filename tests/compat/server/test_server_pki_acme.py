"""ACME on a real sealbox server, driven by certbot's own ``acme`` client library.

Covers the directory, new-nonce (HEAD and GET), new-account (created, then found
again by key), ``onlyReturnExisting`` for an unknown key, and problem documents for a replayed
nonce and a bad signature.
"""

from __future__ import annotations

from collections.abc import Iterator

import hvac
import pytest
import requests
from acme import client, errors, messages
from cryptography.hazmat.primitives.asymmetric import ec
from josepy.jwa import ES256
from josepy.jwk import JWKEC
from tests.compat.conftest import ServerProcess
from tests.compat.server.conftest import unique


@pytest.fixture
def acme_base(root: hvac.Client, sealbox_server: ServerProcess) -> Iterator[str]:
    """A pki mount with config/cluster set; yields its ACME base URL."""
    mount = unique("pki")
    root.sys.enable_secrets_engine("pki", path=mount)
    mount_url = f"{sealbox_server.address}/v1/{mount}"
    root.write_data(f"{mount}/config/cluster", data={"path": mount_url})
    assert requests.get(f"{mount_url}/acme/directory", timeout=10).status_code == 404
    root.write_data(f"{mount}/config/acme", data={"enabled": True})
    root.write_data(f"{mount}/roles/web", data={"allowed_domains": "example.com"})
    yield f"{mount_url}/acme"
    root.sys.disable_secrets_engine(mount)


def _client(base: str, key: JWKEC | None = None) -> tuple[client.ClientV2, JWKEC]:
    key = key or JWKEC(key=ec.generate_private_key(ec.SECP256R1()))
    net = client.ClientNetwork(key, alg=ES256, user_agent="sealbox-tests")
    directory = client.ClientV2.get_directory(f"{base}/directory", net)
    return client.ClientV2(directory, net), key


def test_directory_and_nonce(acme_base: str) -> None:
    directory = requests.get(f"{acme_base}/directory", timeout=10)
    assert directory.status_code == 200
    assert directory.headers["content-type"] == "application/json"
    assert directory.json()["newAccount"] == f"{acme_base}/new-account"
    mount_url = acme_base.removesuffix("/acme")
    for prefix in ("roles/web/", "issuer/default/", "issuer/default/roles/web/"):
        scoped = requests.get(f"{mount_url}/{prefix}acme/directory", timeout=10).json()
        assert scoped["newOrder"] == f"{mount_url}/{prefix}acme/new-order"
    head = requests.head(f"{acme_base}/new-nonce", timeout=10)
    get = requests.get(f"{acme_base}/new-nonce", timeout=10)
    assert head.headers["replay-nonce"] != get.headers["replay-nonce"]
    assert get.status_code == 204
    # like bao, HEAD is only for new-nonce: elsewhere it is 405
    assert requests.head(f"{mount_url}/config/cluster", timeout=10).status_code == 405
    assert get.headers["cache-control"] == "no-store"
    assert f"<{acme_base}/directory>" in get.headers["link"]


def test_new_account_with_real_client(acme_base: str) -> None:
    acme, key = _client(acme_base)
    registration = messages.NewRegistration.from_data(
        email="ops@example.com", terms_of_service_agreed=True
    )
    account = acme.new_account(registration)
    assert account.body.status == "valid"
    assert account.uri.startswith(f"{acme_base}/account/")
    assert account.body.contact == ("mailto:ops@example.com",)
    # the same key again (a fresh client, so it signs with jwk): the existing account comes
    # back with 200, which the client reports as a conflict carrying its Location
    again, _ = _client(acme_base, key)
    with pytest.raises(errors.ConflictError) as found:
        again.new_account(registration)
    assert found.value.location == account.uri
    looked_up = acme.query_registration(account)
    assert looked_up.uri == account.uri


def test_unknown_key_only_return_existing_is_account_does_not_exist(acme_base: str) -> None:
    acme, _ = _client(acme_base)
    with pytest.raises(messages.Error) as problem:
        acme.new_account(messages.NewRegistration(only_return_existing=True))
    assert problem.value.typ == "urn:ietf:params:acme:error:accountDoesNotExist"


def test_bad_nonce_and_unsigned_body_are_problem_documents(acme_base: str) -> None:
    nonce = requests.head(f"{acme_base}/new-nonce", timeout=10).headers["replay-nonce"]
    broken = requests.post(
        f"{acme_base}/new-account",
        json={"protected": "e30", "payload": "", "signature": ""},
        headers={"content-type": "application/jose+json", "x-nonce": nonce},
        timeout=10,
    )
    assert broken.status_code == 400
    assert broken.headers["content-type"] == "application/problem+json"
    assert broken.json()["type"].startswith("urn:ietf:params:acme:error:")
    assert broken.headers["replay-nonce"]
