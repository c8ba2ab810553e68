"""Differential test: userpass, AppRole and identity answers against a real ``bao server -dev``.

Same requests to both servers; status codes, key sets, value types and (where asked) values and
error texts must agree. Each case mounts its own auth paths so it cannot see another's state.
"""

from __future__ import annotations

import pytest
from tests.compat.differential.diff_harness import NO_TOKEN, Step, Target, report, run_steps, step

pytestmark = pytest.mark.compat

U = "auth/diff-up"
USERPASS_STEPS: list[Step] = [
    step("POST", "sys/auth/diff-up", {"type": "userpass"}),
    step("LIST", f"{U}/users"),
    step("POST", f"{U}/users/alice", {"password": "pw-1", "token_policies": "p1,p2"}),
    step("GET", f"{U}/users/alice", values=True),
    step("POST", f"{U}/users/bob", {"password": "pw-2", "policies": "a", "ttl": "10m"}),
    step("GET", f"{U}/users/bob", values=True),
    step("POST", f"{U}/users/bob", {"policies": "a", "token_policies": "b"}),
    step("LIST", f"{U}/users", values=True),
    step("POST", f"{U}/users/carol", {"token_policies": "x"}, exact_errors=True),
    step(
        "POST",
        f"{U}/login/alice",
        {"password": "pw-1"},
        token=NO_TOKEN,
        values=True,
        save={"t": "auth.client_token"},
    ),
    step("GET", "auth/token/lookup-self", token="{t}", values=True),
    step("POST", "auth/token/renew-self", {"increment": "1h"}, token="{t}", values=True),
    step("POST", f"{U}/login/alice", {"password": "wrong"}, token=NO_TOKEN, exact_errors=True),
    step("POST", f"{U}/login/nobody", {"password": "x"}, token=NO_TOKEN, exact_errors=True),
    step("POST", f"{U}/login/alice", {}, token=NO_TOKEN),
    step("POST", f"{U}/users/alice/password", {"password": "pw-3"}),
    step("POST", f"{U}/users/nobody/password", {"password": "x"}),
    step("POST", f"{U}/users/alice/policies", {"token_policies": "p3"}),
    step("GET", f"{U}/users/alice", values=True),
    step("POST", "auth/token/renew-self", {}, token="{t}", exact_errors=True),
    step(
        "POST",
        "sys/auth/diff-up/tune",
        {"user_lockout_config": {"lockout_threshold": "3", "lockout_duration": "10m"}},
    ),
    step("GET", "sys/auth/diff-up/tune", values=True),
    step(
        "POST",
        "sys/auth/diff-up/tune",
        {"user_lockout_config": {"lockout_threshold": "x"}},
        exact_errors=True,
    ),
    step("DELETE", f"{U}/users/alice"),
    step("GET", f"{U}/users/alice"),
    step("DELETE", "sys/auth/diff-up"),
]

A = "auth/diff-ar"
APPROLE_STEPS: list[Step] = [
    step("POST", "sys/auth/diff-ar", {"type": "approle"}),
    step("LIST", f"{A}/role"),
    step(
        "POST",
        f"{A}/role/web",
        {
            "token_policies": "web",
            "secret_id_ttl": "10m",
            "token_ttl": "20m",
            "secret_id_num_uses": 3,
        },
    ),
    step("GET", f"{A}/role/web", values=True),
    step("LIST", f"{A}/role", values=True),
    step("POST", f"{A}/role/loose", {"bind_secret_id": False}, exact_errors=True),
    step("GET", f"{A}/role/web/role-id", save={"rid": "data.role_id"}),
    step(
        "POST",
        f"{A}/role/web/secret-id",
        {"metadata": '{"team": "blue"}'},
        values=True,
        save={"sid": "data.secret_id", "acc": "data.secret_id_accessor"},
    ),
    step("POST", f"{A}/role/web/secret-id", {"num_uses": 9}, exact_errors=True),
    step("POST", f"{A}/role/web/secret-id", {"metadata": "not json"}),
    step("LIST", f"{A}/role/web/secret-id"),
    step("POST", f"{A}/role/web/secret-id/lookup", {"secret_id": "{sid}"}, values=True),
    step("POST", f"{A}/role/web/secret-id/lookup", {"secret_id": "missing"}),
    step(
        "POST",
        f"{A}/role/web/secret-id-accessor/lookup",
        {"secret_id_accessor": "{acc}"},
        values=True,
    ),
    step(
        "POST",
        f"{A}/login",
        {"role_id": "{rid}", "secret_id": "{sid}"},
        token=NO_TOKEN,
        values=True,
        save={"t": "auth.client_token"},
    ),
    step("GET", "auth/token/lookup-self", token="{t}", values=True),
    step("POST", "auth/token/renew-self", {}, token="{t}", values=True),
    step(
        "POST",
        f"{A}/login",
        {"role_id": "{rid}", "secret_id": "bad"},
        token=NO_TOKEN,
        exact_errors=True,
    ),
    step(
        "POST",
        f"{A}/login",
        {"role_id": "bad", "secret_id": "{sid}"},
        token=NO_TOKEN,
        exact_errors=True,
    ),
    step("POST", f"{A}/login", {"role_id": "{rid}"}, token=NO_TOKEN, exact_errors=True),
    step("POST", f"{A}/login", {}, token=NO_TOKEN, exact_errors=True),
    step("GET", f"{A}/role/web/secret-id-ttl", values=True),
    step("POST", f"{A}/role/web/secret-id-ttl", {"secret_id_ttl": "5m"}),
    step("GET", f"{A}/role/web/secret-id-ttl", values=True),
    step("POST", f"{A}/role/web/role-id", {"role_id": "custom-role-id"}),
    step("GET", f"{A}/role/web/role-id", values=True),
    step("POST", f"{A}/role/web/custom-secret-id", {"secret_id": "my-secret"}, values=True),
    step(
        "POST",
        f"{A}/login",
        {"role_id": "custom-role-id", "secret_id": "my-secret"},
        token=NO_TOKEN,
    ),
    step(
        "POST",
        f"{A}/role/web/secret-id-accessor/destroy",
        {"secret_id_accessor": "{acc}"},
    ),
    step("POST", f"{A}/role/web/secret-id/destroy", {"secret_id": "my-secret"}),
    step("POST", f"{A}/tidy/secret-id", {}),
    step("DELETE", f"{A}/role/web"),
    step("GET", f"{A}/role/web"),
    step("POST", "auth/token/renew-self", {}, token="{t}"),
    step("DELETE", "sys/auth/diff-ar"),
]

ID = "identity"
IDENTITY_STEPS: list[Step] = [
    step("POST", "sys/auth/diff-id", {"type": "userpass"}),
    step("GET", "sys/auth", save={"acc": "data.diff-id/.accessor"}, status_only=True),
    step(
        "POST",
        f"{ID}/entity",
        {"name": "diff-e1", "policies": "ep", "metadata": {"k": "v"}},
        values=True,
        save={"e1": "data.id"},
    ),
    step("POST", f"{ID}/entity", {"name": "diff-e1", "policies": "ep2"}),
    step("GET", f"{ID}/entity/name/diff-e1", values=True),
    step("GET", f"{ID}/entity/id/{{e1}}", values=True),
    step("POST", f"{ID}/entity/id/{{e1}}", {"disabled": False}),
    step("GET", f"{ID}/entity/name/missing"),
    step(
        "POST",
        f"{ID}/entity-alias",
        {"name": "alice", "canonical_id": "{e1}", "mount_accessor": "{acc}"},
        save={"a1": "data.id"},
    ),
    step("GET", f"{ID}/entity-alias/id/{{a1}}"),
    step(
        "POST",
        f"{ID}/entity-alias",
        {"name": "alice", "canonical_id": "{e1}", "mount_accessor": "{acc}"},
    ),
    step(
        "POST",
        f"{ID}/entity-alias",
        {"name": "x", "canonical_id": "{e1}", "mount_accessor": "nope"},
    ),
    step(
        "POST",
        f"{ID}/group",
        {"name": "diff-g1", "policies": "gp", "member_entity_ids": ["{e1}"]},
        values=True,
        save={"g1": "data.id"},
    ),
    step(
        "POST",
        f"{ID}/group",
        {"name": "diff-g2", "policies": "gp2", "member_group_ids": ["{g1}"]},
        save={"g2": "data.id"},
    ),
    step("GET", f"{ID}/group/id/{{g1}}", values=True),
    step("GET", f"{ID}/group/name/diff-g2", values=True),
    step("GET", f"{ID}/entity/id/{{e1}}"),
    step("POST", f"{ID}/group", {"name": "diff-ext", "type": "external"}, save={"gx": "data.id"}),
    step(
        "POST",
        f"{ID}/group-alias",
        {"name": "ldap-admins", "mount_accessor": "{acc}", "canonical_id": "{gx}"},
        save={"ga": "data.id"},
    ),
    step("GET", f"{ID}/group-alias/id/{{ga}}"),
    step("POST", f"{ID}/group/id/{{gx}}", {"member_entity_ids": ["{e1}"]}),
    step("POST", f"{ID}/lookup/entity", {"name": "diff-e1"}),
    step("POST", f"{ID}/lookup/entity", {"alias_name": "alice", "alias_mount_accessor": "{acc}"}),
    step("POST", f"{ID}/lookup/entity", {"name": "nobody"}),
    step("POST", f"{ID}/lookup/group", {"name": "diff-g1"}),
    step("POST", "sys/policies/acl/gp", {"policy": 'path "secret/*" { capabilities = ["read"] }'}),
    step("POST", "auth/diff-id/users/alice", {"password": "pw", "token_policies": "tp"}),
    step(
        "POST",
        "auth/diff-id/login/alice",
        {"password": "pw"},
        token=NO_TOKEN,
        values=True,
        save={"t": "auth.client_token"},
    ),
    step("GET", "auth/token/lookup-self", token="{t}", values=True),
    step("POST", f"{ID}/entity", {"name": "diff-e2"}, save={"e2": "data.id"}),
    step(
        "POST",
        f"{ID}/entity-alias",
        {"name": "e2-alias", "canonical_id": "{e2}", "mount_accessor": "{acc}"},
    ),
    step("POST", f"{ID}/entity/merge", {"from_entity_ids": ["{e1}"], "to_entity_id": "{e2}"}),
    step(
        "POST",
        f"{ID}/entity/merge",
        {"from_entity_ids": ["nope"], "to_entity_id": "{e2}"},
        exact_errors=True,
    ),
    step(
        "POST",
        f"{ID}/entity/merge",
        {"from_entity_ids": ["{e2}"], "to_entity_id": "{e2}"},
        exact_errors=True,
    ),
    step("POST", f"{ID}/entity/merge", {"to_entity_id": "{e2}"}, exact_errors=True),
    step("DELETE", f"{ID}/entity/id/{{e2}}"),
    step("POST", f"{ID}/entity", {"name": "diff-e3"}, save={"e3": "data.id"}),
    step("POST", f"{ID}/entity/merge", {"from_entity_ids": ["{e3}"], "to_entity_id": "{e1}"}),
    step("GET", f"{ID}/entity/id/{{e3}}"),
    step("POST", "auth/token/roles/diff-svc", {"allowed_entity_aliases": "svc-*", "orphan": True}),
    step("POST", "auth/token/create/diff-svc", {"entity_alias": "svc-1"}),
    step("POST", "auth/token/create/diff-svc", {"entity_alias": "other"}, exact_errors=True),
    step("POST", "auth/token/create", {"entity_alias": "svc-1"}, exact_errors=True),
    step("DELETE", "auth/token/roles/diff-svc"),
    step("DELETE", f"{ID}/group/id/{{g2}}"),
    step("DELETE", f"{ID}/entity-alias/id/{{a1}}"),
    step("DELETE", f"{ID}/entity/id/{{e1}}"),
    step("GET", f"{ID}/entity/id/{{e1}}"),
    step("DELETE", f"{ID}/group/id/{{g1}}"),
    step("DELETE", f"{ID}/group/id/{{gx}}"),
    step("DELETE", "sys/auth/diff-id"),
]


@pytest.mark.parametrize(
    "steps",
    [USERPASS_STEPS, APPROLE_STEPS, IDENTITY_STEPS],
    ids=["userpass", "approle", "identity"],
)
def test_auth_methods_match_openbao(pair: tuple[Target, Target], steps: list[Step]) -> None:
    problems, _ = run_steps(*pair, steps)
    assert not problems, report(problems)
