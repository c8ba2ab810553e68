"""KV v1, KV v2 and cubbyhole through hvac's own secrets-engine APIs (adapter for the few
calls hvac lacks: JSON merge PATCH and subkeys)."""

from __future__ import annotations

from typing import Any

import hvac
import pytest
import requests
from hvac import exceptions
from tests.compat.server.conftest import unique

pytestmark = [
    pytest.mark.compat,
    # hvac's own patch() and read_secret() call read_secret_version without the argument
    pytest.mark.filterwarnings("ignore:The raise_on_deleted_version:DeprecationWarning"),
]

_VERSION_KEYS = {"created_time", "custom_metadata", "deletion_time", "destroyed", "version"}


@pytest.fixture
def kv2(root: hvac.Client) -> str:
    mount = unique("kv2")
    root.sys.enable_secrets_engine("kv", path=mount, options={"version": "2"})
    return mount


@pytest.fixture
def kv1(root: hvac.Client) -> str:
    mount = unique("kv1")
    root.sys.enable_secrets_engine("kv", path=mount, options={"version": "1"})
    return mount


def _read(root: hvac.Client, mount: str, path: str, version: int | None = None) -> dict[str, Any]:
    response: dict[str, Any] = root.secrets.kv.v2.read_secret_version(
        path, version=version, mount_point=mount, raise_on_deleted_version=True
    )
    return response


# ---- kv v1 -------------------------------------------------------------------------------


def test_kv1_write_read_list_delete(root: hvac.Client, kv1: str) -> None:
    kv = root.secrets.kv.v1
    kv.create_or_update_secret("app/db", {"user": "u", "password": "p"}, mount_point=kv1)
    read = kv.read_secret("app/db", mount_point=kv1)
    assert read["data"] == {"user": "u", "password": "p"}
    assert read["lease_duration"] == 2764800
    kv.create_or_update_secret("app/db", {"user": "only"}, mount_point=kv1)
    assert kv.read_secret("app/db", mount_point=kv1)["data"] == {"user": "only"}
    kv.create_or_update_secret("app/sub/x", {"a": "b"}, mount_point=kv1)
    assert kv.list_secrets("app", mount_point=kv1)["data"]["keys"] == ["db", "sub/"]
    kv.delete_secret("app/db", mount_point=kv1)
    with pytest.raises(exceptions.InvalidPath):
        kv.read_secret("app/db", mount_point=kv1)


def test_kv1_ttl_key_sets_lease_duration(root: hvac.Client, kv1: str) -> None:
    root.secrets.kv.v1.create_or_update_secret("t", {"ttl": "1h", "v": "x"}, mount_point=kv1)
    assert root.secrets.kv.v1.read_secret("t", mount_point=kv1)["lease_duration"] == 3600


def test_kv1_empty_list_is_404(root: hvac.Client, kv1: str) -> None:
    with pytest.raises(exceptions.InvalidPath):
        root.secrets.kv.v1.list_secrets("nothing", mount_point=kv1)


def test_kv1_non_string_values_round_trip(root: hvac.Client, kv1: str) -> None:
    value = {"n": 1, "f": 1.5, "b": True, "l": [1, "a"], "m": {"x": None}}
    root.secrets.kv.v1.create_or_update_secret("types", value, mount_point=kv1)
    assert root.secrets.kv.v1.read_secret("types", mount_point=kv1)["data"] == value


# ---- kv v2 -------------------------------------------------------------------------------


def test_kv2_config(root: hvac.Client, kv2: str) -> None:
    initial = root.secrets.kv.v2.read_configuration(mount_point=kv2)["data"]
    assert initial["max_versions"] == 0
    assert initial["cas_required"] is False
    assert initial["delete_version_after"] == "0s"
    root.secrets.kv.v2.configure(
        max_versions=5, cas_required=True, delete_version_after="1h", mount_point=kv2
    )
    config = root.secrets.kv.v2.read_configuration(mount_point=kv2)["data"]
    assert (config["max_versions"], config["cas_required"]) == (5, True)
    assert config["delete_version_after"] == "1h0m0s"


def test_kv2_write_read_versions(root: hvac.Client, kv2: str) -> None:
    kv = root.secrets.kv.v2
    first = kv.create_or_update_secret("app", secret={"v": "1"}, mount_point=kv2)["data"]
    assert set(first) == _VERSION_KEYS
    assert first["version"] == 1
    assert first["deletion_time"] == ""
    kv.create_or_update_secret("app", secret={"v": "2"}, mount_point=kv2)
    latest = _read(root, kv2, "app")["data"]
    assert latest["data"] == {"v": "2"}
    assert set(latest["metadata"]) == _VERSION_KEYS
    assert latest["metadata"]["version"] == 2
    assert _read(root, kv2, "app", version=1)["data"]["data"] == {"v": "1"}
    with pytest.raises(exceptions.InvalidPath):
        _read(root, kv2, "app", version=9)
    with pytest.raises(exceptions.InvalidPath):
        _read(root, kv2, "never-written")


def test_kv2_cas(root: hvac.Client, kv2: str) -> None:
    kv = root.secrets.kv.v2
    kv.create_or_update_secret("c", secret={"v": "1"}, cas=0, mount_point=kv2)
    with pytest.raises(exceptions.InvalidRequest, match="check-and-set"):
        kv.create_or_update_secret("c", secret={"v": "x"}, cas=0, mount_point=kv2)
    with pytest.raises(exceptions.InvalidRequest, match="check-and-set"):
        kv.create_or_update_secret("c", secret={"v": "x"}, cas=5, mount_point=kv2)
    assert (
        kv.create_or_update_secret("c", secret={"v": "2"}, cas=1, mount_point=kv2)["data"][
            "version"
        ]
        == 2
    )


def test_kv2_cas_required(root: hvac.Client, kv2: str) -> None:
    kv = root.secrets.kv.v2
    kv.configure(cas_required=True, mount_point=kv2)
    with pytest.raises(exceptions.InvalidRequest, match="check-and-set parameter required"):
        kv.create_or_update_secret("r", secret={"v": "1"}, mount_point=kv2)
    kv.create_or_update_secret("r", secret={"v": "1"}, cas=0, mount_point=kv2)
    kv.configure(cas_required=False, mount_point=kv2)
    kv.update_metadata("m", cas_required=True, mount_point=kv2)
    with pytest.raises(exceptions.InvalidRequest):
        kv.create_or_update_secret("m", secret={"v": "1"}, mount_point=kv2)


def test_kv2_hvac_patch(root: hvac.Client, kv2: str) -> None:
    kv = root.secrets.kv.v2
    kv.create_or_update_secret("p", secret={"a": "1", "b": "2"}, mount_point=kv2)
    kv.patch("p", secret={"b": "3", "c": "4"}, mount_point=kv2)
    assert _read(root, kv2, "p")["data"]["data"] == {"a": "1", "b": "3", "c": "4"}
    with pytest.raises(exceptions.InvalidPath):
        kv.patch("missing", secret={"a": "1"}, mount_point=kv2)


def test_kv2_merge_patch(root: hvac.Client, kv2: str) -> None:
    root.secrets.kv.v2.create_or_update_secret(
        "mp", secret={"a": "1", "nested": {"x": 1, "y": 2}}, mount_point=kv2
    )
    url = f"{root.url}/v1/{kv2}/data/mp"
    headers = {"X-Vault-Token": root.token}
    wrong = requests.patch(url, json={"data": {"a": "2"}}, headers=headers, timeout=10)
    assert wrong.status_code == 415
    response = requests.patch(
        url,
        data='{"data": {"a": null, "nested": {"y": 3}, "new": "n"}}',
        headers={**headers, "Content-Type": "application/merge-patch+json"},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.json()["data"]["version"] == 2
    assert _read(root, kv2, "mp")["data"]["data"] == {"nested": {"x": 1, "y": 3}, "new": "n"}
    missing = requests.patch(
        f"{root.url}/v1/{kv2}/data/nope",
        data='{"data": {"a": "1"}}',
        headers={**headers, "Content-Type": "application/merge-patch+json"},
        timeout=10,
    )
    assert missing.status_code == 404


def test_kv2_delete_undelete_destroy(root: hvac.Client, kv2: str) -> None:
    kv = root.secrets.kv.v2
    for value in ("1", "2", "3"):
        kv.create_or_update_secret("d", secret={"v": value}, mount_point=kv2)
    kv.delete_latest_version_of_secret("d", mount_point=kv2)
    deleted = kv.read_secret_version("d", mount_point=kv2, raise_on_deleted_version=False)
    assert deleted["data"]["data"] is None
    assert deleted["data"]["metadata"]["deletion_time"] != ""
    with pytest.raises(exceptions.InvalidPath):
        _read(root, kv2, "d")
    kv.undelete_secret_versions("d", versions=[3], mount_point=kv2)
    assert _read(root, kv2, "d")["data"]["data"] == {"v": "3"}
    kv.delete_secret_versions("d", versions=[1], mount_point=kv2)
    with pytest.raises(exceptions.InvalidPath):
        _read(root, kv2, "d", version=1)
    kv.destroy_secret_versions("d", versions=[1, 2], mount_point=kv2)
    # a destroyed version is a 404 whose envelope still carries the metadata
    with pytest.raises(exceptions.InvalidPath) as destroyed:
        _read(root, kv2, "d", version=2)
    assert destroyed.value.json["data"]["metadata"]["destroyed"] is True
    assert destroyed.value.json["data"]["data"] is None
    kv.undelete_secret_versions("d", versions=[2], mount_point=kv2)
    with pytest.raises(exceptions.InvalidPath):
        _read(root, kv2, "d", version=2)
    versions = kv.read_secret_metadata("d", mount_point=kv2)["data"]["versions"]
    assert versions["1"]["destroyed"] is True
    assert versions["3"]["destroyed"] is False


def test_kv2_metadata(root: hvac.Client, kv2: str) -> None:
    kv = root.secrets.kv.v2
    kv.create_or_update_secret("meta", secret={"v": "1"}, mount_point=kv2)
    kv.update_metadata(
        "meta",
        max_versions=2,
        delete_version_after="720h",
        custom_metadata={"owner": "team-a"},
        mount_point=kv2,
    )
    for value in ("2", "3"):
        kv.create_or_update_secret("meta", secret={"v": value}, mount_point=kv2)
    meta = kv.read_secret_metadata("meta", mount_point=kv2)["data"]
    for key in (
        "cas_required",
        "created_time",
        "current_version",
        "custom_metadata",
        "delete_version_after",
        "max_versions",
        "oldest_version",
        "updated_time",
        "versions",
    ):
        assert key in meta
    assert meta["current_version"] == 3
    assert meta["max_versions"] == 2
    assert meta["oldest_version"] == 2
    assert sorted(meta["versions"]) == ["2", "3"]
    assert meta["delete_version_after"] == "720h0m0s"
    assert meta["custom_metadata"] == {"owner": "team-a"}
    latest = _read(root, kv2, "meta")["data"]["metadata"]
    assert latest["custom_metadata"] == {"owner": "team-a"}
    assert latest["deletion_time"] != ""
    kv.delete_metadata_and_all_versions("meta", mount_point=kv2)
    with pytest.raises(exceptions.InvalidPath):
        kv.read_secret_metadata("meta", mount_point=kv2)
    with pytest.raises(exceptions.InvalidPath):
        _read(root, kv2, "meta", version=3)


def test_kv2_metadata_without_data(root: hvac.Client, kv2: str) -> None:
    kv = root.secrets.kv.v2
    kv.update_metadata("pre", max_versions=3, mount_point=kv2)
    meta = kv.read_secret_metadata("pre", mount_point=kv2)["data"]
    assert (meta["current_version"], meta["versions"]) == (0, {})


def test_kv2_list(root: hvac.Client, kv2: str) -> None:
    kv = root.secrets.kv.v2
    for path in ("team/a", "team/b/c", "other"):
        kv.create_or_update_secret(path, secret={"v": "1"}, mount_point=kv2)
    assert kv.list_secrets("", mount_point=kv2)["data"]["keys"] == ["other", "team/"]
    assert kv.list_secrets("team", mount_point=kv2)["data"]["keys"] == ["a", "b/"]
    with pytest.raises(exceptions.InvalidPath):
        kv.list_secrets("none", mount_point=kv2)


def test_kv2_subkeys(root: hvac.Client, kv2: str) -> None:
    root.secrets.kv.v2.create_or_update_secret(
        "sk", secret={"a": "1", "b": {"c": {"d": "2"}}}, mount_point=kv2
    )
    full = root.adapter.get(f"/v1/{kv2}/subkeys/sk")["data"]
    assert full["subkeys"] == {"a": None, "b": {"c": {"d": None}}}
    assert set(full["metadata"]) == _VERSION_KEYS
    shallow = root.adapter.get(f"/v1/{kv2}/subkeys/sk", params={"depth": 1})["data"]
    assert shallow["subkeys"] == {"a": None, "b": None}


def test_kv2_default_mount_secret(root: hvac.Client) -> None:
    path = unique("guide")
    root.secrets.kv.v2.create_or_update_secret(
        f"myapp/{path}", secret={"username": "app_user", "password": "s3cr3t-p@ssw0rd"}
    )
    read = root.secrets.kv.v2.read_secret(f"myapp/{path}")
    assert read["data"]["data"]["username"] == "app_user"


def test_kv2_max_versions_from_config(root: hvac.Client, kv2: str) -> None:
    kv = root.secrets.kv.v2
    kv.configure(max_versions=2, mount_point=kv2)
    for value in ("1", "2", "3"):
        kv.create_or_update_secret("mv", secret={"v": value}, mount_point=kv2)
    assert sorted(kv.read_secret_metadata("mv", mount_point=kv2)["data"]["versions"]) == ["2", "3"]


# ---- cubbyhole ---------------------------------------------------------------------------


def test_cubbyhole_is_private_per_token(root: hvac.Client) -> None:
    first = hvac.Client(url=root.url, token=root.auth.token.create()["auth"]["client_token"])
    second = hvac.Client(url=root.url, token=root.auth.token.create()["auth"]["client_token"])
    first.write("cubbyhole/note", secret="mine")
    assert first.read("cubbyhole/note")["data"] == {"secret": "mine"}
    assert second.read("cubbyhole/note") is None
    assert first.list("cubbyhole")["data"]["keys"] == ["note"]
    first.delete("cubbyhole/note")
    assert first.read("cubbyhole/note") is None


def test_cubbyhole_dies_with_its_token(root: hvac.Client) -> None:
    token = root.auth.token.create()["auth"]["client_token"]
    user = hvac.Client(url=root.url, token=token)
    user.write("cubbyhole/gone", v="1")
    root.auth.token.revoke(token)
    again = hvac.Client(
        url=root.url, token=root.auth.token.create(id=token)["auth"]["client_token"]
    )
    assert again.read("cubbyhole/gone") is None


def test_cubbyhole_cannot_be_mounted_or_disabled(root: hvac.Client) -> None:
    with pytest.raises(exceptions.InvalidRequest):
        root.sys.enable_secrets_engine("cubbyhole", path=unique("cub"))
    with pytest.raises(exceptions.InvalidRequest):
        root.sys.disable_secrets_engine("cubbyhole")
