"""The token store through hvac: create with every option, lookups, renewals, revocations,
roles, accessors, and refusal of expired and used-up tokens."""

from __future__ import annotations

import time

import hvac
import pytest
from hvac import exceptions
from tests.compat.server.conftest import TokenFor, unique

pytestmark = pytest.mark.compat

_AUTH_KEYS = {
    "client_token",
    "accessor",
    "policies",
    "token_policies",
    "metadata",
    "lease_duration",
    "renewable",
    "entity_id",
    "token_type",
    "orphan",
    "num_uses",
}
_LOOKUP_KEYS = {
    "accessor",
    "creation_time",
    "creation_ttl",
    "display_name",
    "entity_id",
    "expire_time",
    "explicit_max_ttl",
    "id",
    "issue_time",
    "meta",
    "num_uses",
    "orphan",
    "path",
    "policies",
    "renewable",
    "ttl",
    "type",
}


def _as(root: hvac.Client, token: str) -> hvac.Client:
    return hvac.Client(url=root.url, token=token)


def _wait_refused(client: hvac.Client) -> None:
    """Poll until the server refuses the client's token (it expires or is used up)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            client.auth.token.lookup_self()
        except exceptions.Forbidden:
            return
        time.sleep(0.2)
    pytest.fail("token was never refused")


def test_create_with_all_options(root: hvac.Client) -> None:
    auth = root.auth.token.create(
        policies=["default", "extra"],
        meta={"team": "blue"},
        ttl="1h",
        explicit_max_ttl="2h",
        display_name="ci-runner",
        num_uses=5,
        renewable=True,
    )["auth"]
    assert set(auth) >= _AUTH_KEYS
    assert len(auth["client_token"]) == 28
    assert auth["client_token"].startswith("hvs.")
    assert auth["policies"] == ["default", "extra"]
    assert auth["token_policies"] == ["default", "extra"]
    assert auth["metadata"] == {"team": "blue"}
    assert auth["lease_duration"] == 3600
    assert auth["renewable"] is True
    assert auth["token_type"] == "service"
    assert auth["orphan"] is False
    assert auth["num_uses"] == 5
    data = root.auth.token.lookup(auth["client_token"])["data"]
    assert set(data) >= _LOOKUP_KEYS
    assert data["display_name"] == "token-ci-runner"
    assert data["explicit_max_ttl"] == 7200
    assert data["creation_ttl"] == 3600
    assert data["meta"] == {"team": "blue"}
    assert data["path"] == "auth/token/create"
    assert data["accessor"] == auth["accessor"]
    assert data["num_uses"] == 5


def test_create_without_default_policy_and_orphan(root: hvac.Client) -> None:
    auth = root.auth.token.create(policies=["p1"], no_default_policy=True, no_parent=True)["auth"]
    assert auth["policies"] == ["p1"]
    assert auth["orphan"] is True
    orphan = root.auth.token.create_orphan(policies=["p2"])["auth"]
    assert orphan["orphan"] is True
    assert orphan["policies"] == ["default", "p2"]


def test_create_with_period_and_not_renewable(root: hvac.Client) -> None:
    periodic = root.auth.token.create(period="30m", policies=["default"])["auth"]
    assert periodic["lease_duration"] == 1800
    assert root.auth.token.lookup(periodic["client_token"])["data"]["period"] == 1800
    fixed = root.auth.token.create(renewable=False, ttl="10m")["auth"]
    assert fixed["renewable"] is False
    with pytest.raises(exceptions.InvalidRequest):
        root.auth.token.renew(fixed["client_token"])


def test_create_with_explicit_id(root: hvac.Client) -> None:
    wanted = unique("my-token")
    auth = root.auth.token.create(id=wanted, policies=["default"])["auth"]
    assert auth["client_token"] == wanted
    assert _as(root, wanted).auth.token.lookup_self()["data"]["id"] == wanted


_CREATOR = 'path "auth/token/create" { capabilities = ["create", "update"] }'


def _creator(root: hvac.Client, *policies: str) -> str:
    """A token allowed to create child tokens, carrying ``policies`` too."""
    name = unique("creator")
    root.sys.create_or_update_policy(name=name, policy=_CREATOR)
    return str(root.auth.token.create(policies=[name, *policies])["auth"]["client_token"])


def test_child_cannot_exceed_parent_policies(root: hvac.Client) -> None:
    parent = _as(root, _creator(root, "a"))
    with pytest.raises(exceptions.InvalidRequest, match="subset of parent"):
        parent.auth.token.create(policies=["b"])
    child = parent.auth.token.create(policies=["a"])["auth"]
    assert child["policies"] == ["a", "default"]


def test_period_and_no_parent_need_sudo(token_for: TokenFor) -> None:
    client = token_for(
        'path "auth/token/create" { capabilities = ["create", "update"] }', default_policy=True
    )
    # compat: OpenBao answers 400 "root or sudo privileges required to ..." here
    with pytest.raises(exceptions.InvalidRequest, match="orphan"):
        client.auth.token.create(policies=["default"], no_parent=True)
    with pytest.raises(exceptions.InvalidRequest, match="periodic"):
        client.auth.token.create(policies=["default"], period="1h")
    assert client.auth.token.create(policies=["default"])["auth"]["client_token"]


def test_lookup_self_and_accessor(root: hvac.Client) -> None:
    auth = root.auth.token.create(policies=["default"], ttl="1h")["auth"]
    user = _as(root, auth["client_token"])
    self_data = user.auth.token.lookup_self()["data"]
    assert self_data["id"] == auth["client_token"]
    assert self_data["policies"] == ["default"]
    assert 0 < self_data["ttl"] <= 3600
    by_accessor = root.auth.token.lookup_accessor(auth["accessor"])["data"]
    assert by_accessor["id"] == ""
    assert by_accessor["accessor"] == auth["accessor"]
    with pytest.raises(exceptions.Forbidden):
        user.auth.token.lookup(root.token)


def test_lookup_of_unknown_token(root: hvac.Client) -> None:
    with pytest.raises((exceptions.Forbidden, exceptions.InvalidRequest)):
        root.auth.token.lookup("hvs.doesnotexistdoesnotexist")
    with pytest.raises(exceptions.InvalidRequest):
        root.auth.token.lookup_accessor("nosuchaccessor")


def test_renew_and_renew_self(root: hvac.Client) -> None:
    auth = root.auth.token.create(policies=["default"], ttl="10m", explicit_max_ttl="1h")["auth"]
    renewed = root.auth.token.renew(auth["client_token"], increment="30m")["auth"]
    assert renewed["lease_duration"] == 1800
    assert renewed["client_token"] == auth["client_token"]
    user = _as(root, auth["client_token"])
    again = user.auth.token.renew_self(increment=7200)["auth"]
    assert 0 < again["lease_duration"] <= 3600  # capped by explicit_max_ttl
    by_accessor = root.auth.token.renew_accessor(auth["accessor"], increment="5m")["auth"]
    assert by_accessor["lease_duration"] <= 300
    assert by_accessor["client_token"] == ""


def test_root_token_is_not_renewable(root: hvac.Client) -> None:
    with pytest.raises(exceptions.InvalidRequest):
        root.auth.token.renew_self()


def test_revoke_takes_children_with_it(root: hvac.Client) -> None:
    parent = _creator(root)
    child = _as(root, parent).auth.token.create()["auth"]["client_token"]
    grandchild = _as(root, child).auth.token.create()["auth"]["client_token"]
    root.auth.token.revoke(parent)
    for token in (parent, child, grandchild):
        with pytest.raises(exceptions.Forbidden):
            _as(root, token).auth.token.lookup_self()


def test_revoke_orphan_keeps_children(root: hvac.Client) -> None:
    parent = _creator(root)
    child = _as(root, parent).auth.token.create(policies=["default"])["auth"]["client_token"]
    root.auth.token.revoke_and_orphan_children(parent)
    with pytest.raises(exceptions.Forbidden):
        _as(root, parent).auth.token.lookup_self()
    data = _as(root, child).auth.token.lookup_self()["data"]
    assert data["orphan"] is True


def test_revoke_orphan_needs_sudo(root: hvac.Client, token_for: TokenFor) -> None:
    client = token_for('path "auth/token/revoke-orphan" { capabilities = ["update"] }')
    victim = root.auth.token.create(policies=["default"])["auth"]["client_token"]
    with pytest.raises(exceptions.InvalidRequest, match="root or sudo"):
        client.auth.token.revoke_and_orphan_children(victim)
    assert root.auth.token.lookup(victim)["data"]["id"] == victim


def test_revoke_self_and_accessor(root: hvac.Client) -> None:
    token = root.auth.token.create(policies=["default"])["auth"]["client_token"]
    user = _as(root, token)
    user.auth.token.revoke_self()
    with pytest.raises(exceptions.Forbidden):
        user.auth.token.lookup_self()
    other = root.auth.token.create(policies=["default"])["auth"]
    root.auth.token.revoke_accessor(other["accessor"])
    with pytest.raises(exceptions.Forbidden):
        _as(root, other["client_token"]).auth.token.lookup_self()


def test_revoke_unknown_token_is_harmless(root: hvac.Client) -> None:
    response = root.auth.token.revoke("hvs.neverissuedneverissued00")
    assert response.status_code == 204


def test_list_accessors_needs_sudo(root: hvac.Client, token_for: TokenFor) -> None:
    auth = root.auth.token.create(policies=["default"])["auth"]
    keys = root.auth.token.list_accessors()["data"]["keys"]
    assert auth["accessor"] in keys
    client = token_for('path "auth/token/accessors" { capabilities = ["list"] }')
    with pytest.raises(exceptions.Forbidden):
        client.auth.token.list_accessors()


def test_token_roles(root: hvac.Client) -> None:
    name = unique("role")
    root.auth.token.create_or_update_role(
        name,
        allowed_policies=["app"],
        orphan=True,
        renewable=False,
        path_suffix="ci-jobs",
        token_explicit_max_ttl=7200,
    )
    role = root.auth.token.read_role(name)["data"]
    assert role["name"] == name
    assert role["allowed_policies"] == ["app"]
    assert role["orphan"] is True
    assert role["renewable"] is False
    assert role["path_suffix"] == "ci-jobs"
    assert role["token_explicit_max_ttl"] == 7200
    assert name in root.auth.token.list_roles()["data"]["keys"]
    auth = root.auth.token.create(role_name=name, policies=["app"])["auth"]
    assert auth["orphan"] is True
    assert auth["renewable"] is False
    data = root.auth.token.lookup(auth["client_token"])["data"]
    assert data["path"] == f"auth/token/create/{name}/ci-jobs"
    assert data["role"] == name
    with pytest.raises(exceptions.InvalidRequest):
        root.auth.token.create(role_name=name, policies=["not-allowed"])
    root.auth.token.delete_role(name)
    with pytest.raises(exceptions.InvalidPath):
        root.auth.token.read_role(name)


def test_role_for_missing_name_is_400(root: hvac.Client) -> None:
    with pytest.raises(exceptions.InvalidRequest):
        root.auth.token.create(role_name=unique("missing"))


def test_used_up_token_is_refused(root: hvac.Client) -> None:
    auth = root.auth.token.create(policies=["default"], num_uses=2)["auth"]
    user = _as(root, auth["client_token"])
    assert user.auth.token.lookup_self()["data"]["num_uses"] == 1
    user.auth.token.lookup_self()
    with pytest.raises(exceptions.Forbidden):
        user.auth.token.lookup_self()


def test_expired_token_is_refused(root: hvac.Client) -> None:
    auth = root.auth.token.create(policies=["default"], ttl="1s")["auth"]
    _wait_refused(_as(root, auth["client_token"]))
    with pytest.raises((exceptions.Forbidden, exceptions.InvalidRequest)):
        root.auth.token.lookup(auth["client_token"])


def test_invalid_and_missing_tokens_are_403(root: hvac.Client) -> None:
    with pytest.raises(exceptions.Forbidden, match="permission denied"):
        _as(root, "hvs.bogusbogusbogusbogusbogus").secrets.kv.v2.list_secrets("")
    with pytest.raises(exceptions.Forbidden):
        hvac.Client(url=root.url, token="").auth.token.lookup_self()
    assert _as(root, "nope").is_authenticated() is False


def test_bearer_header_is_accepted(root: hvac.Client) -> None:
    import requests

    response = requests.get(
        f"{root.url}/v1/auth/token/lookup-self",
        headers={"Authorization": f"Bearer {root.token}"},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.json()["data"]["policies"] == ["root"]


def test_revoke_accessor_without_accessor_is_400(root: hvac.Client) -> None:
    with pytest.raises(exceptions.InvalidRequest, match="missing accessor"):
        root.adapter.post("/v1/auth/token/revoke-accessor", json={})


def test_role_token_num_uses(root: hvac.Client) -> None:
    name = unique("uses")
    root.adapter.post(
        f"/v1/auth/token/roles/{name}", json={"allowed_policies": ["app"], "token_num_uses": 3}
    )
    assert root.auth.token.read_role(name)["data"]["token_num_uses"] == 3
    auth = root.auth.token.create(role_name=name, policies=["app"])["auth"]
    assert auth["num_uses"] == 3
    fewer = root.auth.token.create(role_name=name, policies=["app"], num_uses=2)["auth"]
    assert fewer["num_uses"] == 2
    plain = unique("plain")
    root.auth.token.create_or_update_role(plain, allowed_policies=["app"])
    assert "token_num_uses" not in root.auth.token.read_role(plain)["data"]


def test_role_name_in_create_body_is_ignored(root: hvac.Client) -> None:
    reply = root.adapter.post("/v1/auth/token/create", json={"role_name": unique("no-such")})
    assert reply["auth"]["client_token"]
    assert reply["warnings"] == ["Endpoint ignored these unrecognized parameters: [role_name]"]
