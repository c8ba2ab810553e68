"""The guide's Kubernetes auth commands with ``sealbox``, and the login rules, over real HTTPS.

The API server is the TokenReview stand-in in ``k8s_api.py`` (a kube-apiserver cannot run
here); service-account JWTs are real RS256 tokens. The sealbox side is a real server process,
configured with the ``sealbox`` CLI exactly as the guide does it and logged into with hvac.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import hvac
import hvac.exceptions
import pytest
from tests.compat.auth.jwt_signing import new_rsa_key, public_pem, sign_jwt
from tests.compat.auth.k8s_api import Cluster, FakeAPIServer
from tests.compat.conftest import VENV_BIN, ServerProcess, make_tls_material

pytestmark = pytest.mark.compat

REVIEWER = "reviewer-jwt-of-the-vault-sa"
_POLICY = 'path "secret/data/myapp/*" { capabilities = ["read"] }\n'


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    c = Cluster(key=new_rsa_key())
    c.accounts[("production", "myapp-sa")] = "uid-myapp"
    c.accounts[("staging", "myapp-sa")] = "uid-staging"
    c.accounts[("production", "other-sa")] = "uid-other"
    c.reviewers.add(REVIEWER)
    c.namespaces.update({"production": {"env": "prod"}, "staging": {"env": "stage", "team": "a"}})
    return c


@pytest.fixture(scope="module")
def api(
    cluster: Cluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[FakeAPIServer, Path]]:
    directory = tmp_path_factory.mktemp("k8s-api")
    ca, cert, key = make_tls_material(directory)
    with FakeAPIServer(cluster, cert, key) as server:
        yield server, ca


def _cli(server: ServerProcess, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "VAULT_ADDR": server.address,
        "VAULT_TOKEN": server.token,
        "HOME": str(home),
    }
    return subprocess.run(
        [str(VENV_BIN / "sealbox"), *args], env=env, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def configured(
    sealbox_server: ServerProcess,
    api: tuple[FakeAPIServer, Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> str:
    """The guide's commands, with the pod's CA and token files made by the test."""
    server, ca = api
    home = tmp_path_factory.mktemp("k8s-cli")
    token_file = home / "token"
    token_file.write_text(REVIEWER)
    steps = [
        ("auth", "enable", "kubernetes"),
        (
            "write",
            "auth/kubernetes/config",
            f"kubernetes_host={server.url}",
            f"kubernetes_ca_cert=@{ca}",
            f"token_reviewer_jwt=@{token_file}",
            "issuer=https://kubernetes.default.svc.cluster.local",
        ),
        (
            "write",
            "auth/kubernetes/role/myapp",
            "bound_service_account_names=myapp-sa",
            "bound_service_account_namespaces=production",
            "policies=myapp-policy",
            "ttl=1h",
        ),
    ]
    policy = home / "myapp-policy.hcl"
    policy.write_text(_POLICY)
    steps.append(("policy", "write", "myapp-policy", str(policy)))
    steps.append(("kv", "put", "secret/myapp/config", "db_password=s3cr3t"))
    steps.append(("kv", "put", "secret/other/config", "x=y"))
    for args in steps:
        done = _cli(sealbox_server, home, *args)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    return "kubernetes"


def _login(
    server: ServerProcess, jwt: str, role: str = "myapp", mount: str = "kubernetes"
) -> hvac.Client:
    client = hvac.Client(url=server.address)
    client.auth.kubernetes.login(role, jwt, mount_point=mount)
    return client


def test_guide_role_token_reads_only_myapp(
    sealbox_server: ServerProcess, cluster: Cluster, configured: str
) -> None:
    jwt = sign_jwt(cluster.key, cluster.claims("production", "myapp-sa"))
    client = _login(sealbox_server, jwt)
    secret = client.secrets.kv.v2.read_secret_version("myapp/config", raise_on_deleted_version=True)
    assert secret["data"]["data"] == {"db_password": "s3cr3t"}
    with pytest.raises(hvac.exceptions.Forbidden):
        client.secrets.kv.v2.read_secret_version("other/config", raise_on_deleted_version=True)
    lookup = client.auth.token.lookup_self()["data"]
    assert lookup["policies"] == ["default", "myapp-policy"]
    assert lookup["meta"] == {
        "role": "myapp",
        "service_account_name": "myapp-sa",
        "service_account_namespace": "production",
        "service_account_secret_name": "",
        "service_account_uid": "uid-myapp",
    }
    assert lookup["display_name"] == "kubernetes-production-myapp-sa"
    assert 3590 <= lookup["ttl"] <= 3600
    # the TokenReview went out with the reviewer's bearer and the JWT's own audience
    last = cluster.reviews[-1]
    assert last["kind"] == "TokenReview"
    assert last["spec"]["token"] == jwt
    assert last["spec"]["audiences"] == ["https://kubernetes.default.svc.cluster.local"]


def test_config_and_role_read_back(sealbox_server: ServerProcess, configured: str) -> None:
    root = hvac.Client(url=sealbox_server.address, token=sealbox_server.token)
    config = root.auth.kubernetes.read_config()
    assert config["token_reviewer_jwt_set"] is True
    assert "token_reviewer_jwt" not in config
    assert config["disable_iss_validation"] is True
    role = root.auth.kubernetes.read_role("myapp")
    assert role["bound_service_account_names"] == ["myapp-sa"]
    assert role["token_policies"] == ["myapp-policy"]
    assert role["token_ttl"] == 3600


@pytest.mark.parametrize(
    ("namespace", "name", "message"),
    [
        ("staging", "myapp-sa", "namespace not authorized"),
        ("production", "other-sa", "service account name not authorized"),
    ],
    ids=["wrong-namespace", "wrong-name"],
)
def test_unbound_accounts_are_refused(
    sealbox_server: ServerProcess,
    cluster: Cluster,
    configured: str,
    namespace: str,
    name: str,
    message: str,
) -> None:
    jwt = sign_jwt(cluster.key, cluster.claims(namespace, name))
    with pytest.raises(hvac.exceptions.Forbidden, match=message):
        _login(sealbox_server, jwt)


def test_tokens_the_api_server_rejects_are_refused(
    sealbox_server: ServerProcess, cluster: Cluster, configured: str
) -> None:
    forged = sign_jwt(new_rsa_key(), cluster.claims("production", "myapp-sa"))
    expired = sign_jwt(cluster.key, cluster.claims("production", "myapp-sa", ttl=-10))
    for jwt in (forged, expired, "not-a-jwt"):
        with pytest.raises(hvac.exceptions.Forbidden):
            _login(sealbox_server, jwt)
    cluster.accounts[("production", "myapp-sa")] = "uid-recreated"
    try:
        stale = sign_jwt(
            cluster.key,
            {
                **cluster.claims("production", "myapp-sa"),
                "kubernetes.io": {
                    "namespace": "production",
                    "serviceaccount": {"name": "myapp-sa", "uid": "uid-myapp"},
                },
            },
        )
        with pytest.raises(hvac.exceptions.Forbidden):
            _login(sealbox_server, stale)
    finally:
        cluster.accounts[("production", "myapp-sa")] = "uid-myapp"


def test_pem_keys_audience_legacy_claims_and_bad_reviewer(
    sealbox_server: ServerProcess, cluster: Cluster, api: tuple[FakeAPIServer, Path], unique: str
) -> None:
    server, ca = api
    root = hvac.Client(url=sealbox_server.address, token=sealbox_server.token)
    mount = f"k8s-{unique}"
    root.sys.enable_auth_method("kubernetes", path=mount)
    root.write(
        f"auth/{mount}/config",
        kubernetes_host=server.url,
        kubernetes_ca_cert=ca.read_text(),
        token_reviewer_jwt=REVIEWER,
        pem_keys=[public_pem(cluster.key)],
    )
    root.write(
        f"auth/{mount}/role/aud",
        bound_service_account_names="*",
        bound_service_account_namespaces="prod*",
        audience="vault",
        alias_name_source="serviceaccount_name",
    )
    ok = sign_jwt(cluster.key, cluster.claims("production", "myapp-sa", aud=["vault"]))
    client = _login(sealbox_server, ok, role="aud", mount=mount)
    assert client.auth.token.lookup_self()["data"]["meta"]["service_account_uid"] == "uid-myapp"
    assert cluster.reviews[-1]["spec"]["audiences"] == ["vault"]
    wrong_aud = sign_jwt(cluster.key, cluster.claims("production", "myapp-sa", aud=["other"]))
    with pytest.raises(hvac.exceptions.Forbidden):
        _login(sealbox_server, wrong_aud, role="aud", mount=mount)
    # pem_keys: a token signed by another key is refused before any TokenReview
    before = len(cluster.reviews)
    forged = sign_jwt(new_rsa_key(), cluster.claims("production", "myapp-sa", aud=["vault"]))
    with pytest.raises(hvac.exceptions.Forbidden):
        _login(sealbox_server, forged, role="aud", mount=mount)
    assert len(cluster.reviews) == before
    # legacy secret-based token layout
    root.write(
        f"auth/{mount}/role/legacy",
        bound_service_account_names="myapp-sa",
        bound_service_account_namespaces="production",
    )
    legacy = sign_jwt(cluster.key, cluster.claims("production", "myapp-sa", legacy=True))
    meta = _login(sealbox_server, legacy, role="legacy", mount=mount).auth.token.lookup_self()[
        "data"
    ]["meta"]
    assert meta["service_account_secret_name"] == "myapp-sa-token-abcde"
    # a reviewer token the API server does not know: 401 there, 403 here
    root.write(
        f"auth/{mount}/config",
        kubernetes_host=server.url,
        kubernetes_ca_cert=ca.read_text(),
        token_reviewer_jwt="unknown",
    )
    with pytest.raises(hvac.exceptions.Forbidden, match="service account unauthorized"):
        _login(sealbox_server, legacy, role="legacy", mount=mount)


def test_config_and_role_errors(root: hvac.Client, unique: str) -> None:
    mount = f"k8s-{unique}"
    root.sys.enable_auth_method("kubernetes", path=mount)
    with pytest.raises(hvac.exceptions.InvalidRequest, match="no host provided"):
        root.write(f"auth/{mount}/config")
    with pytest.raises(hvac.exceptions.InvalidRequest, match="kubernetes_ca_cert must be given"):
        root.write(
            f"auth/{mount}/config", kubernetes_host="https://127.0.0.1:1", disable_local_ca_jwt=True
        )
    with pytest.raises(hvac.exceptions.InvalidRequest, match=r"serviceaccount/ca\.crt"):
        root.write(f"auth/{mount}/config", kubernetes_host="https://127.0.0.1:1")
    with pytest.raises(hvac.exceptions.InvalidRequest, match="can not be empty"):
        root.write(f"auth/{mount}/role/r", bound_service_account_names="a")
    with pytest.raises(hvac.exceptions.InvalidRequest, match='can not mix "\\*" with values'):
        root.write(
            f"auth/{mount}/role/r",
            bound_service_account_names="*,a",
            bound_service_account_namespaces="x",
        )
    with pytest.raises(hvac.exceptions.InvalidRequest, match='invalid role name "nope"'):
        hvac.Client(url=root.url).auth.kubernetes.login("nope", "x", mount_point=mount)


def test_hvac_configure_create_role_and_login(
    sealbox_server: ServerProcess, cluster: Cluster, api: tuple[FakeAPIServer, Path], unique: str
) -> None:
    server, ca = api
    root = hvac.Client(url=sealbox_server.address, token=sealbox_server.token)
    mount = f"k8s-hvac-{unique}"
    root.sys.enable_auth_method("kubernetes", path=mount)
    root.auth.kubernetes.configure(
        server.url,
        kubernetes_ca_cert=ca.read_text(),
        token_reviewer_jwt=REVIEWER,
        disable_local_ca_jwt=True,
        mount_point=mount,
    )
    root.auth.kubernetes.create_role(
        "app",
        bound_service_account_names=["myapp-sa"],
        bound_service_account_namespaces=["production"],
        policies=["p1"],
        ttl="20m",
        mount_point=mount,
    )
    assert root.auth.kubernetes.list_roles(mount_point=mount)["keys"] == ["app"]
    jwt = sign_jwt(cluster.key, cluster.claims("production", "myapp-sa"))
    client = hvac.Client(url=sealbox_server.address)
    login = client.auth.kubernetes.login("app", jwt, mount_point=mount)["auth"]
    assert login["token_policies"] == ["default", "p1"]
    assert login["lease_duration"] == 1200
    assert client.auth.token.renew_self()["auth"]["lease_duration"] == 1200
    root.auth.kubernetes.delete_role("app", mount_point=mount)
    with pytest.raises(hvac.exceptions.InternalServerError, match="does not exist"):
        client.auth.token.renew_self()


def test_namespace_selector_reads_the_namespace_labels(
    sealbox_server: ServerProcess, cluster: Cluster, api: tuple[FakeAPIServer, Path], unique: str
) -> None:
    server, ca = api
    root = hvac.Client(url=sealbox_server.address, token=sealbox_server.token)
    mount = f"k8s-sel-{unique}"
    root.sys.enable_auth_method("kubernetes", path=mount)
    root.write(
        f"auth/{mount}/config",
        kubernetes_host=server.url,
        kubernetes_ca_cert=ca.read_text(),
        token_reviewer_jwt=REVIEWER,
    )
    selector = "matchExpressions:\n  - key: env\n    operator: In\n    values: [stage]\n"
    root.write(
        f"auth/{mount}/role/sel",
        bound_service_account_names="myapp-sa",
        bound_service_account_namespace_selector=selector,
    )
    staging = sign_jwt(cluster.key, cluster.claims("staging", "myapp-sa"))
    assert (
        _login(sealbox_server, staging, role="sel", mount=mount).auth.token.lookup_self()["data"][
            "meta"
        ]["service_account_namespace"]
        == "staging"
    )
    production = sign_jwt(cluster.key, cluster.claims("production", "myapp-sa"))
    with pytest.raises(hvac.exceptions.Forbidden, match="namespace not authorized"):
        _login(sealbox_server, production, role="sel", mount=mount)
    assert (
        root.read(f"auth/{mount}/role/sel")["data"]["bound_service_account_namespace_selector"]
        == selector
    )
    with pytest.raises(
        hvac.exceptions.InvalidRequest, match="invalid bound_service_account_namespace_selector"
    ):
        root.write(
            f"auth/{mount}/role/bad",
            bound_service_account_names="x",
            bound_service_account_namespace_selector="[1, 2]",
        )
