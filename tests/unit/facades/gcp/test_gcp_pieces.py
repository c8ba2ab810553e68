"""The GCP door's pure pieces: CRC32C, resource names, the filter language, payload shapes,
versions resolved from a raw record."""

from __future__ import annotations

from typing import Any

import pytest

from sealbox.api.facades.gcp.crc32c import crc32c
from sealbox.api.facades.gcp.errors import InvalidArgument, NotFound, Unimplemented
from sealbox.api.facades.gcp.filters import compile_filter
from sealbox.api.facades.gcp.model import record_expired, resolve_version, view_of
from sealbox.api.facades.gcp.paging import page
from sealbox.api.facades.gcp.payload import decode, encode
from sealbox.api.facades.gcp.routes import route


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"123456789", 0xE3069283),  # the CRC-32C check value (RFC 3720 appendix B.4)
        (b"", 0),
        (b"v", 88400052),  # what gcloud 528 sent for these bytes (reference §3)
        (b"v2-value", 3247991447),
        (bytes(32), 0x8A9136AA),  # RFC 3720 B.4: 32 bytes of zeroes
    ],
    ids=["check", "empty", "gcloud-v", "gcloud-v2", "rfc3720-zeroes"],
)
def test_crc32c_vectors(data: bytes, expected: int) -> None:
    assert crc32c(data) == expected


def test_routes_parse_names_and_verbs() -> None:
    found = route("GET", "/v1/projects/p/secrets/s/versions/latest:access")
    assert (found.method, found.version, found.secret and found.secret.key) == (
        "AccessSecretVersion",
        "latest",
        "s",
    )
    regional = route("POST", "/v1/projects/p/locations/us-central1/secrets/s:addVersion")
    assert regional.secret is not None
    assert regional.secret.key == "locations/us-central1/s"
    with pytest.raises(InvalidArgument):
        route("GET", "/v1/projects/p/secrets/bad.name")
    with pytest.raises(Unimplemented):
        route("PUT", "/v1/projects/p/secrets/s")
    with pytest.raises(NotFound):
        route("GET", "/v1/projects/p/secrets/s/aliases/x")


SECRETS: list[dict[str, Any]] = [
    {
        "name": "projects/1/secrets/APIKEY-production",
        "labels": {"env": "production"},
        "createTime": "2021-01-01T07:00:00.000000000Z",
        "replication": {"userManaged": {"replicas": [{"location": "us-east1"}]}},
    },
    {
        "name": "projects/1/secrets/db-staging",
        "labels": {"env": "staging"},
        "createTime": "2020-06-01T00:00:00.000000000Z",
        "replication": {"automatic": {}},
    },
]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("name:APIKEY*production", ["APIKEY-production"]),
        ("labels.env=production", ["APIKEY-production"]),
        ("create_time<2021-01-01T06:00:00Z", ["db-staging"]),
        ("replication.automatic:*", ["db-staging"]),
        ("replication.user_managed.replicas.location:us-east1", ["APIKEY-production"]),
        ("NOT labels.env=production", ["db-staging"]),
        ("labels.env=production OR labels.env=staging", ["APIKEY-production", "db-staging"]),
        ("name:db AND labels.env=production", []),
        ("staging", ["db-staging"]),
    ],
)
def test_filters(text: str, names: list[str]) -> None:
    wanted = compile_filter(text)
    assert [s["name"].rsplit("/", 1)[1] for s in SECRETS if wanted(s)] == names


def test_filter_syntax_errors() -> None:
    for text in ("OR a", "labels.env=x NOT", 'name:"open'):
        with pytest.raises(InvalidArgument):
            compile_filter(text)


def test_pages_cover_everything_once() -> None:
    items = list(range(7))
    seen: list[int] = []
    query: dict[str, str] = {"pageSize": "3"}
    while True:
        out = page(items, query, "x")
        seen += out["x"]
        if "nextPageToken" not in out:
            break
        query = {"pageSize": "3", "pageToken": out["nextPageToken"]}
    assert seen == items
    assert page([], {}, "x") == {}
    with pytest.raises(InvalidArgument):
        page(items, {"pageToken": "garbage!"}, "x")


@pytest.mark.parametrize(
    ("raw", "data"),
    [
        (b"plain", {"SecretString": "plain"}),
        (b'{"a":1}', {"a": 1}),
        (b'{"a": 1}', {"SecretString": '{"a": 1}'}),
        (b"\xff\x00", {"SecretBinary": "/wA="}),
    ],
)
def test_payload_round_trip(raw: bytes, data: dict[str, object]) -> None:
    assert encode(raw) == data
    assert decode(data, {}) == raw


def test_payload_of_other_doors() -> None:
    assert decode({"user": "u", "pw": "p"}, {}) == b'{"user":"u","pw":"p"}'
    spaced = {"aws": {"enc": "json-spaced"}}
    assert decode({"user": "u"}, spaced) == b'{"user": "u"}'


def _record() -> dict[str, Any]:
    """An ``extra/`` record: live, soft-deleted, destroyed, destroy-marked and scheduled
    versions, an alias, and an alias naming a version KV pruned."""
    gcp = {"versionAliases": {"stable": 2, "gone": 9}}
    versions = {
        "2": {"created_time": 20, "extra": {"gcp": {"state": "ENABLED", "crc": 7}}},
        "3": {"created_time": 30, "deletion_time": 35},
        "4": {"created_time": 40, "destroyed": True},
        "5": {"created_time": 50, "extra": {"gcp": {"state": "DESTROYED", "destroyTime": 55}}},
        "6": {"created_time": 60, "extra": {"gcp": {"state": "DISABLED", "scheduledDestroy": 65}}},
        "10": {"created_time": 100, "extra": {"aws": {"enc": "json-spaced"}}},
    }
    return {
        "key": "s",
        "current_version": 10,
        "created_time": 20,
        "extra": {"gcp": gcp},
        "versions": versions,
    }


@pytest.mark.parametrize("now", [64, 70])
@pytest.mark.parametrize(
    "ref", ["latest", "2", "3", "4", "5", "6", "10", "1", "11", "stable", "gone", "nope"]
)
def test_resolve_version_matches_the_view(ref: str, now: int) -> None:
    """Access builds only the version it names; it must be the one the whole view resolves."""
    record = _record()
    expected = view_of(record, now).resolve(ref)
    assert resolve_version(record, ref, now) == expected
    assert (expected is None) == (ref in ("1", "11", "gone", "nope"))


def test_resolve_version_latest_is_the_highest_number() -> None:
    record = _record()
    latest = resolve_version(record, "latest", 0)
    assert latest is not None
    assert latest.number == 10  # numerically, not "6" > "10"
    assert resolve_version({**record, "versions": {}}, "latest", 0) is None


def test_record_expired_matches_the_view() -> None:
    record = _record()
    for stamp, now in (("2026-12-03T07:37:14Z", 0), ("1970-01-01T00:00:01Z", 2 * 10**9)):
        expiring = {**record, "extra": {"gcp": {"expireTime": stamp}}}
        assert record_expired(expiring, now) == view_of(expiring, now).expired(now)
    assert not record_expired(record, 2 * 10**9)
