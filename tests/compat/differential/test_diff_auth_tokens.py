"""Differential test: Kubernetes and JWT auth and identity tokens against a real ``bao server -dev``.

Same harness as ``test_diff_auth.py``: status codes, key sets, value types and (where asked)
values and error texts must agree. Logins that need a reachable API server are covered by
tests/compat/auth instead; here the config, role and error shapes are compared.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest
from tests.compat.auth.jwt_signing import new_rsa_key, public_pem, sign_jwt
from tests.compat.conftest import make_tls_material
from tests.compat.differential.diff_harness import NO_TOKEN, Step, Target, report, run_steps, step

pytestmark = pytest.mark.compat

K = "auth/diff-k8s"
_CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
KUBERNETES_STEPS: list[Step] = [
    step("POST", "sys/auth/diff-k8s", {"type": "kubernetes"}),
    step("GET", f"{K}/config"),
    step("POST", f"{K}/config", {}, exact_errors=True),
    step("POST", f"{K}/config", {"kubernetes_host": "https://127.0.0.1:1"}, exact_errors=True),
    step(
        "POST",
        f"{K}/config",
        {"kubernetes_host": "https://127.0.0.1:1", "disable_local_ca_jwt": True},
        exact_errors=True,
    ),
    step(
        "POST",
        f"{K}/config",
        {
            "kubernetes_host": "https://127.0.0.1:1",
            "kubernetes_ca_cert": _CA,
            "token_reviewer_jwt": "r",
        },
    ),
    step("GET", f"{K}/config", values=True),
    step("POST", f"{K}/role/r", {}, exact_errors=True),
    step("POST", f"{K}/role/r", {"bound_service_account_names": "a"}, exact_errors=True),
    step(
        "POST",
        f"{K}/role/r",
        {"bound_service_account_names": "*,a", "bound_service_account_namespaces": "x"},
        exact_errors=True,
    ),
    step(
        "POST",
        f"{K}/role/myapp",
        {
            "bound_service_account_names": "myapp-sa",
            "bound_service_account_namespaces": "production",
            "policies": "myapp-policy",
            "ttl": "1h",
        },
    ),
    step("GET", f"{K}/role/myapp", values=True),
    step(
        "POST",
        f"{K}/role/aud",
        {
            "bound_service_account_names": "*",
            "bound_service_account_namespaces": "*",
            "audience": "vault",
            "token_policies": "p",
        },
    ),
    step("GET", f"{K}/role/aud", values=True),
    step(
        "POST",
        f"{K}/role/sel",
        {
            "bound_service_account_names": "a",
            "bound_service_account_namespace_selector": '{"matchLabels": {"env": "prod"}}',
        },
    ),
    step("GET", f"{K}/role/sel", values=True),
    step(
        "POST",
        f"{K}/role/bad",
        {"bound_service_account_names": "a", "bound_service_account_namespace_selector": "[1]"},
    ),
    step("LIST", f"{K}/role", values=True),
    step("POST", f"{K}/login", {}, token=NO_TOKEN, exact_errors=True),
    step("POST", f"{K}/login", {"role": "myapp"}, token=NO_TOKEN, exact_errors=True),
    step("POST", f"{K}/login", {"role": "nope", "jwt": "x"}, token=NO_TOKEN, exact_errors=True),
    step(
        "POST", f"{K}/login", {"role": "myapp", "jwt": "x.y.z"}, token=NO_TOKEN, exact_errors=True
    ),
    step("DELETE", f"{K}/role/myapp"),
    step("GET", f"{K}/role/myapp"),
    step("DELETE", "sys/auth/diff-k8s"),
]

J = "auth/diff-jwt"
_JWT_KEY = new_rsa_key()
_NOW = int(time.time())
_GOOD = {
    "iss": "https://iss",
    "sub": "u1",
    "aud": "a",
    "exp": _NOW + 3600,
    "iat": _NOW,
    "nbf": _NOW,
    "grp": "xyz",
    "groups": ["g1"],
    "email": "u@x",
}
JWT_STEPS: list[Step] = [
    step("POST", "sys/auth/diff-jwt", {"type": "jwt"}),
    step("GET", f"{J}/config"),
    step("POST", f"{J}/login", {"role": "x", "jwt": "a.b.c"}, token=NO_TOKEN, exact_errors=True),
    step("POST", f"{J}/config", {"jwt_validation_pubkeys": ["garbage"]}, exact_errors=True),
    step(
        "POST",
        f"{J}/config",
        {"jwt_validation_pubkeys": [public_pem(_JWT_KEY)], "jwks_url": "https://x"},
        exact_errors=True,
    ),
    step(
        "POST",
        f"{J}/config",
        {"jwt_validation_pubkeys": [public_pem(_JWT_KEY)], "bound_issuer": "https://iss"},
    ),
    step("GET", f"{J}/config", values=True),
    step("POST", f"{J}/role/r", {"role_type": "jwt", "user_claim": "sub"}, exact_errors=True),
    step("POST", f"{J}/role/x", {"role_type": "jwt", "bound_audiences": "a"}, exact_errors=True),
    step(
        "POST",
        f"{J}/role/y",
        {"role_type": "bogus", "user_claim": "sub", "bound_audiences": "a"},
        exact_errors=True,
    ),
    step("POST", f"{J}/role/o", {"user_claim": "sub"}, exact_errors=True),
    step(
        "POST",
        f"{J}/role/o",
        {"user_claim": "sub", "allowed_redirect_uris": "http://localhost:8250/oidc/callback"},
    ),
    step("GET", f"{J}/role/o", values=True),
    step(
        "POST",
        f"{J}/role/r",
        {
            "role_type": "jwt",
            "user_claim": "sub",
            "bound_audiences": "a",
            "bound_claims": {"grp": ["x*"]},
            "bound_claims_type": "glob",
            "groups_claim": "groups",
            "claim_mappings": {"email": "mail"},
        },
    ),
    step("GET", f"{J}/role/r", values=True),
    step("LIST", f"{J}/role", values=True),
    step(
        "POST",
        f"{J}/login",
        {"role": "r", "jwt": sign_jwt(_JWT_KEY, _GOOD)},
        token=NO_TOKEN,
        values=True,
    ),
    step(
        "POST",
        f"{J}/login",
        {"role": "r", "jwt": sign_jwt(_JWT_KEY, {**_GOOD, "aud": "b"})},
        token=NO_TOKEN,
        exact_errors=True,
    ),
    step(
        "POST",
        f"{J}/login",
        {"role": "r", "jwt": sign_jwt(_JWT_KEY, {**_GOOD, "iss": "bad"})},
        token=NO_TOKEN,
        exact_errors=True,
    ),
    step(
        "POST",
        f"{J}/login",
        {"role": "r", "jwt": sign_jwt(_JWT_KEY, {**_GOOD, "exp": _NOW - 1000})},
        token=NO_TOKEN,
        exact_errors=True,
    ),
    step(
        "POST",
        f"{J}/login",
        {"role": "r", "jwt": sign_jwt(_JWT_KEY, {**_GOOD, "grp": "no"})},
        token=NO_TOKEN,
        exact_errors=True,
    ),
    step(
        "POST",
        f"{J}/login",
        {"role": "r", "jwt": sign_jwt(new_rsa_key(), _GOOD)},
        token=NO_TOKEN,
        exact_errors=True,
    ),
    step("POST", f"{J}/login", {"role": "r", "jwt": "garbage"}, token=NO_TOKEN, exact_errors=True),
    step(
        "POST",
        f"{J}/login",
        {"role": "o", "jwt": sign_jwt(_JWT_KEY, _GOOD)},
        token=NO_TOKEN,
        exact_errors=True,
    ),
    step(
        "POST",
        f"{J}/login",
        {"role": "zz", "jwt": sign_jwt(_JWT_KEY, _GOOD)},
        token=NO_TOKEN,
        exact_errors=True,
    ),
    step(
        "POST", f"{J}/login", {"jwt": sign_jwt(_JWT_KEY, _GOOD)}, token=NO_TOKEN, exact_errors=True
    ),
    step(
        "POST",
        f"{J}/oidc/auth_url",
        {"role": "o", "redirect_uri": "http://localhost:8250/oidc/callback"},
        token=NO_TOKEN,
        exact_errors=True,
    ),
    step(
        "GET",
        f"{J}/oidc/callback",
        query={"state": "x", "code": "y"},
        token=NO_TOKEN,
        exact_errors=True,
    ),
    step("DELETE", f"{J}/role/r"),
    step("GET", f"{J}/role/r"),
    step("DELETE", "sys/auth/diff-jwt"),
]

OIDC = "identity/oidc"
OIDC_STEPS: list[Step] = [
    step("POST", f"{OIDC}/config", {"issuer": "https://sealbox.example:8200"}, values=True),
    step("GET", f"{OIDC}/config", values=True),
    step(
        "POST",
        f"{OIDC}/key/diffk",
        {"rotation_period": "12h", "verification_ttl": "24h", "allowed_client_ids": "*"},
    ),
    step("GET", f"{OIDC}/key/diffk", values=True),
    step("POST", f"{OIDC}/role/diffr", {"key": "missing"}, exact_errors=True),
    step(
        "POST",
        f"{OIDC}/role/diffr",
        {"key": "diffk", "ttl": "30m", "template": '{"team": {{identity.entity.metadata.team}} }'},
    ),
    step("GET", f"{OIDC}/role/diffr"),
    step("GET", f"{OIDC}/token/diffr", exact_errors=True),
    step("POST", "sys/auth/diff-oidc", {"type": "userpass"}),
    step(
        "POST",
        "sys/policies/acl/diff-oidc",
        {"policy": 'path "identity/oidc/token/*" { capabilities = ["read"] }'},
    ),
    step("POST", "auth/diff-oidc/users/a", {"password": "x", "token_policies": "diff-oidc"}),
    step(
        "POST",
        "auth/diff-oidc/login/a",
        {"password": "x"},
        token=NO_TOKEN,
        save={"t": "auth.client_token"},
    ),
    step("GET", f"{OIDC}/token/diffr", token="{t}", save={"idt": "data.token"}),
    step("POST", f"{OIDC}/introspect", {"token": "{idt}"}, values=True),
    step("POST", f"{OIDC}/introspect", {"token": "bad"}, values=True),
    step("GET", f"{OIDC}/.well-known/openid-configuration", token=NO_TOKEN, values=True),
    step("GET", f"{OIDC}/.well-known/keys", token=NO_TOKEN),
    step("POST", f"{OIDC}/key/diffk/rotate", {}),
    step("DELETE", f"{OIDC}/key/diffk", exact_errors=True),
    step("DELETE", f"{OIDC}/role/diffr"),
    step("DELETE", f"{OIDC}/key/diffk"),
    step("POST", f"{OIDC}/config", {"issuer": ""}),
    step("DELETE", "sys/auth/diff-oidc"),
]

C = "auth/diff-cert"


def _ca_pem() -> str:
    """A CA certificate made with openssl (what an operator would paste in)."""
    with tempfile.TemporaryDirectory() as tmp:
        ca, _, _ = make_tls_material(Path(tmp))
        return ca.read_text()


_CA_PEM = _ca_pem()
CERT_STEPS: list[Step] = [
    step("POST", "sys/auth/diff-cert", {"type": "cert"}),
    step("LIST", f"{C}/certs"),
    step("POST", f"{C}/certs/bad", {"certificate": "garbage"}, exact_errors=True),
    step("POST", f"{C}/certs/none", {}, exact_errors=True),
    step(
        "POST",
        f"{C}/certs/web",
        {
            "certificate": _CA_PEM,
            "allowed_common_names": "app-*",
            "token_policies": "web",
            "token_ttl": "30m",
        },
    ),
    step("GET", f"{C}/certs/web", values=True),
    step("LIST", f"{C}/certs", values=True),
    step("POST", f"{C}/login", {}, token=NO_TOKEN, exact_errors=True),
    step("DELETE", f"{C}/certs/web"),
    step("GET", f"{C}/certs/web"),
    step("DELETE", "sys/auth/diff-cert"),
]


@pytest.mark.parametrize(
    "steps",
    [KUBERNETES_STEPS, JWT_STEPS, OIDC_STEPS, CERT_STEPS],
    ids=["kubernetes", "jwt", "identity-oidc", "cert"],
)
def test_auth_methods_match_openbao(pair: tuple[Target, Target], steps: list[Step]) -> None:
    problems, _ = run_steps(*pair, steps)
    assert not problems, report(problems)
