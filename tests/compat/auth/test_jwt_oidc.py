"""JWT and OIDC logins against ``sealbox server`` with real signed tokens and a real HTTPS provider.

JWTs are signed with ``cryptography`` (``jwt_signing.py``); JWKS and discovery come from the
test's own OIDC provider over HTTPS with a throwaway CA (``oidc_provider.py``). The OIDC
authorization-code flow runs end to end, also through ``sealbox login -method=oidc``.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import hvac
import hvac.exceptions
import pytest
import requests
from tests.compat.auth.jwt_signing import new_rsa_key, public_pem, sign_jwt
from tests.compat.auth.oidc_provider import Provider, ProviderServer
from tests.compat.conftest import VENV_BIN, ServerProcess, free_port, make_tls_material

pytestmark = pytest.mark.compat


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Provider, str]]:
    directory = tmp_path_factory.mktemp("oidc")
    ca, cert, key = make_tls_material(directory)
    state = Provider()
    with ProviderServer(state, cert, key):
        yield state, ca.read_text()


def _claims(**extra: object) -> dict[str, object]:
    now = int(time.time())
    return {
        "iss": "https://issuer.example",
        "sub": "svc-1",
        "aud": "api",
        "iat": now,
        "exp": now + 300,
        "team": "alpha",
        "email": "svc@example.com",
        "groups": ["builders"],
        **extra,
    }


def _jwt_mount(root: hvac.Client, unique: str, **config: object) -> str:
    mount = f"jwt-{unique}"
    root.sys.enable_auth_method("jwt", path=mount)
    root.auth.jwt.configure(path=mount, **config)
    root.auth.jwt.create_role(
        "ci",
        user_claim="sub",
        allowed_redirect_uris=[],
        role_type="jwt",
        bound_audiences=["api"],
        bound_claims={"team": ["al*"]},
        bound_claims_type="glob",
        claim_mappings={"email": "email"},
        groups_claim="groups",
        token_policies=["ci"],
        token_ttl="10m",
        path=mount,
    )
    return mount


def test_jwt_login_with_static_keys_and_claim_rules(
    root: hvac.Client, anon: hvac.Client, unique: str
) -> None:
    key = new_rsa_key()
    mount = _jwt_mount(
        root,
        unique,
        jwt_validation_pubkeys=[public_pem(key)],
        bound_issuer="https://issuer.example",
    )
    login = anon.auth.jwt.jwt_login("ci", sign_jwt(key, _claims()), path=mount)["auth"]
    assert login["metadata"] == {"role": "ci", "email": "svc@example.com"}
    assert login["token_policies"] == ["ci", "default"]
    assert login["lease_duration"] == 600
    accessor = root.sys.list_auth_methods()["data"][f"{mount}/"]["accessor"]
    entity = root.secrets.identity.lookup_entity(alias_name="svc-1", alias_mount_accessor=accessor)
    assert entity["data"]["id"] == login["entity_id"]
    cases = {
        "audience claim does not match": _claims(aud="other"),
        "invalid issuer": _claims(iss="https://evil.example"),
        "token is expired": _claims(exp=int(time.time()) - 600),
        'claim "team" does not match': _claims(team="beta"),
    }
    for message, claims in cases.items():
        with pytest.raises(hvac.exceptions.InvalidRequest, match=message):
            anon.auth.jwt.jwt_login("ci", sign_jwt(key, claims), path=mount)
    with pytest.raises(hvac.exceptions.InvalidRequest, match="no known key successfully validated"):
        anon.auth.jwt.jwt_login("ci", sign_jwt(new_rsa_key(), _claims()), path=mount)
    with pytest.raises(hvac.exceptions.InvalidRequest, match="could not be found"):
        anon.auth.jwt.jwt_login("nope", sign_jwt(key, _claims()), path=mount)


def test_jwks_url_follows_key_rotation(
    root: hvac.Client, anon: hvac.Client, unique: str, provider: tuple[Provider, str]
) -> None:
    state, ca = provider
    mount = _jwt_mount(root, unique, jwks_url=state.issuer + "/jwks", jwks_ca_pem=ca)
    kid, key = state.keys[0]
    assert anon.auth.jwt.jwt_login("ci", sign_jwt(key, _claims(), kid=kid), path=mount)["auth"][
        "client_token"
    ]
    state.rotate()
    kid, key = state.keys[0]
    assert anon.auth.jwt.jwt_login("ci", sign_jwt(key, _claims(), kid=kid), path=mount)["auth"][
        "client_token"
    ]
    with pytest.raises(hvac.exceptions.InvalidRequest, match="error checking jwks URL"):
        root.auth.jwt.configure(jwks_url=state.issuer + "/jwks", path=mount)  # CA not trusted


def test_groups_claim_maps_to_external_group_policies(
    root: hvac.Client, anon: hvac.Client, unique: str
) -> None:
    key = new_rsa_key()
    mount = _jwt_mount(root, unique, jwt_validation_pubkeys=[public_pem(key)])
    accessor = root.sys.list_auth_methods()["data"][f"{mount}/"]["accessor"]
    root.sys.create_or_update_policy(
        f"team-builders-{unique}", f'path "secret/data/{unique}/*" {{ capabilities = ["read"] }}'
    )
    root.secrets.kv.v2.create_or_update_secret(f"{unique}/artifact", {"sig": "ok"})
    group = root.secrets.identity.create_or_update_group(
        name=f"team-builders-{unique}", group_type="external", policies=[f"team-builders-{unique}"]
    )
    root.secrets.identity.create_or_update_group_alias(
        name="builders", mount_accessor=accessor, canonical_id=group["data"]["id"]
    )
    client = hvac.Client(url=anon.url)
    login = client.auth.jwt.jwt_login("ci", sign_jwt(key, _claims(iss="x")), path=mount)["auth"]
    assert login["identity_policies"] == [f"team-builders-{unique}"]
    assert client.secrets.kv.v2.read_secret_version(
        f"{unique}/artifact", raise_on_deleted_version=True
    )["data"]["data"] == {"sig": "ok"}
    # a later login without the group drops the membership, and with it the policy
    client.auth.jwt.jwt_login("ci", sign_jwt(key, _claims(iss="x", groups=["other"])), path=mount)
    with pytest.raises(hvac.exceptions.Forbidden):
        client.secrets.kv.v2.read_secret_version(
            f"{unique}/artifact", raise_on_deleted_version=True
        )


def _oidc_mount(
    root: hvac.Client, unique: str, provider: tuple[Provider, str], redirect: str
) -> str:
    state, ca = provider
    mount = f"oidc-{unique}"
    root.sys.enable_auth_method("oidc", path=mount)
    root.auth.jwt.configure(
        oidc_discovery_url=state.issuer,
        oidc_discovery_ca_pem=ca,
        oidc_client_id=state.client_id,
        oidc_client_secret=state.client_secret,
        default_role="web",
        path=mount,
    )
    root.auth.jwt.create_role(
        "web",
        user_claim="email",
        allowed_redirect_uris=[redirect],
        role_type="oidc",
        groups_claim="groups",
        token_policies=["web"],
        path=mount,
    )
    return mount


def test_oidc_authorization_code_flow_over_the_api(
    root: hvac.Client,
    unique: str,
    provider: tuple[Provider, str],
    sealbox_server: ServerProcess,
    tmp_path: Path,
) -> None:
    state, ca = provider
    redirect = "http://localhost:8250/oidc/callback"
    mount = _oidc_mount(root, unique, provider, redirect)
    base = f"{sealbox_server.address}/v1/auth/{mount}/oidc"
    with pytest.raises(hvac.exceptions.InvalidRequest, match="unauthorized redirect_uri"):
        root.auth.jwt.oidc_authorization_url_request("web", "http://evil.example/cb", path=mount)
    url = requests.post(
        f"{base}/auth_url",
        json={"role": "web", "redirect_uri": redirect, "client_nonce": "n1"},
        timeout=10,
    ).json()["data"]["auth_url"]
    assert url.startswith(state.issuer + "/authorize?")
    ca_file = tmp_path / "ca.pem"
    ca_file.write_text(ca)
    back = requests.get(url, allow_redirects=False, verify=str(ca_file), timeout=10)
    assert back.status_code == 302
    query = dict(p.split("=", 1) for p in back.headers["Location"].split("?", 1)[1].split("&"))
    wrong = requests.get(f"{base}/callback", params={**query, "client_nonce": "other"}, timeout=10)
    assert wrong.status_code == 400
    assert (
        requests.get(
            f"{base}/callback", params={**query, "client_nonce": "n1"}, timeout=10
        ).status_code
        == 400
    )  # state spent
    url = requests.post(
        f"{base}/auth_url", json={"role": "web", "redirect_uri": redirect}, timeout=10
    ).json()["data"]["auth_url"]
    query = _follow_to_callback(url, ca_file)
    answer = requests.get(f"{base}/callback", params=query, timeout=10).json()["auth"]
    assert answer["metadata"] == {"role": "web"}
    assert answer["token_policies"] == ["default", "web"]
    # max_age: the provider must say when the user authenticated, and recently enough
    root.write(f"auth/{mount}/role/web", max_age="10m")
    url = requests.post(
        f"{base}/auth_url", json={"role": "web", "redirect_uri": redirect}, timeout=10
    ).json()["data"]["auth_url"]
    assert "max_age=600" in url
    query = _follow_to_callback(url, ca_file)
    stale = requests.get(f"{base}/callback", params=query, timeout=10)
    assert stale.status_code == 400
    assert "auth_time" in stale.json()["errors"][0]
    state.user["auth_time"] = int(time.time())
    try:
        url = requests.post(
            f"{base}/auth_url", json={"role": "web", "redirect_uri": redirect}, timeout=10
        ).json()["data"]["auth_url"]
        fresh = requests.get(
            f"{base}/callback", params=_follow_to_callback(url, ca_file), timeout=10
        )
        assert fresh.status_code == 200
    finally:
        del state.user["auth_time"]


def _follow_to_callback(url: str, ca_file: Path) -> dict[str, str]:
    """Consent at the provider; the query it sends back to the redirect URI."""
    back = requests.get(url, allow_redirects=False, verify=str(ca_file), timeout=10)
    return dict(p.split("=", 1) for p in back.headers["Location"].split("?", 1)[1].split("&"))


def test_sealbox_login_method_oidc(
    root: hvac.Client,
    unique: str,
    provider: tuple[Provider, str],
    sealbox_server: ServerProcess,
    tmp_path: Path,
) -> None:
    _, ca = provider
    port = free_port()
    mount = _oidc_mount(root, unique, provider, f"http://localhost:{port}/oidc/callback")
    (tmp_path / "ca.pem").write_text(ca)
    env = {**os.environ, "VAULT_ADDR": sealbox_server.address, "HOME": str(tmp_path)}
    env.pop("VAULT_TOKEN", None)
    args = [
        str(VENV_BIN / "sealbox"),
        "login",
        "-method=oidc",
        f"-path={mount}",
        f"port={port}",
        "skip_browser=true",
    ]
    cli = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert cli.stderr is not None
        lines: list[str] = []
        while not any(line.strip().startswith("https://") for line in lines):
            line = cli.stderr.readline()
            assert line, "the CLI exited before printing the URL"
            lines.append(line)
        url = next(line.strip() for line in lines if line.strip().startswith("https://"))
        # the "browser": consent at the provider, then follow its redirect to the CLI
        done = requests.get(url, verify=str(tmp_path / "ca.pem"), timeout=30)
        assert done.status_code == 200
        out, err = cli.communicate(timeout=60)
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.wait()
    assert cli.returncode == 0, err
    assert "Success! You are now authenticated." in out
    token = (tmp_path / ".sealbox-token").read_text().strip()
    lookup = hvac.Client(url=sealbox_server.address, token=token).auth.token.lookup_self()["data"]
    assert lookup["policies"] == ["default", "web"]
    assert lookup["display_name"] == f"{mount}-ada@example.com"
