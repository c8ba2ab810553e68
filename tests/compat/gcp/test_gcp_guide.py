"""The guide's gcloud commands and Python function, verbatim but for the endpoint and token.

Each step is checked through gcloud's own output and, where the one-secret model matters,
through the Vault API of the same server (``sealbox kv get`` reads the same KV v2 versions).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.compat.gcp.conftest import Door, Gcloud

pytestmark = [pytest.mark.compat, pytest.mark.slow]


def test_guide_gcloud_flow(door: Door, gcloud: Gcloud, name: str) -> None:
    created = gcloud(
        "secrets",
        "create",
        name,
        "--data-file=-",
        "--replication-policy=user-managed",
        "--locations=asia-southeast1",
        "--labels=env=production,app=myapp",
        stdin="s3cr3t-value",
    )
    assert created.returncode == 0, created.stderr
    assert f"Created version [1] of the secret [{name}]" in created.stderr
    added = gcloud("secrets", "versions", "add", name, "--data-file=-", stdin="new-s3cr3t-value")
    assert added.returncode == 0, added.stderr
    latest = gcloud("secrets", "versions", "access", "latest", f"--secret={name}")
    assert (latest.returncode, latest.stdout) == (0, "new-s3cr3t-value")
    first = gcloud("secrets", "versions", "access", "1", f"--secret={name}")
    assert (first.returncode, first.stdout) == (0, "s3cr3t-value")
    missing = gcloud("secrets", "versions", "access", "3", f"--secret={name}")
    assert missing.returncode == 1
    assert "NOT_FOUND" in missing.stderr
    bound = gcloud(
        "secrets",
        "add-iam-policy-binding",
        name,
        "--member=serviceAccount:app@my-project.iam.gserviceaccount.com",
        "--role=roles/secretmanager.secretAccessor",
        "--format=json",
    )
    assert bound.returncode == 0, bound.stderr
    policy = json.loads(bound.stdout)
    assert policy["bindings"] == [
        {
            "members": ["serviceAccount:app@my-project.iam.gserviceaccount.com"],
            "role": "roles/secretmanager.secretAccessor",
        }
    ]
    shown = gcloud("secrets", "get-iam-policy", name, "--format=json")
    assert json.loads(shown.stdout)["bindings"] == policy["bindings"]
    disabled = gcloud("secrets", "versions", "disable", "1", f"--secret={name}")
    assert disabled.returncode == 0, disabled.stderr
    refused = gcloud("secrets", "versions", "access", "1", f"--secret={name}")
    assert refused.returncode == 1
    assert "FAILED_PRECONDITION" in refused.stderr
    assert "DISABLED" in refused.stderr

    # The same secret through the Vault door: two KV v2 versions, the newest one current.
    kv = door.vault("GET", f"secret/data/{name}").json()["data"]
    assert kv["data"] == {"SecretString": "new-s3cr3t-value"}
    assert kv["metadata"]["version"] == 2
    described = json.loads(gcloud("secrets", "describe", name, "--format=json").stdout)
    assert described["labels"] == {"env": "production", "app": "myapp"}
    assert described["replication"] == {
        "userManaged": {"replicas": [{"location": "asia-southeast1"}]}
    }


def access_secret_version(client: Any, project_id: str, secret_id: str, version: str) -> str:
    """The guide's function, with only the client's construction changed."""
    name = f"projects/{project_id}/secrets/{secret_id}/versions/{version}"
    response = client.access_secret_version(request={"name": name})
    return str(response.payload.data.decode("UTF-8"))


def test_guide_python_function(door: Door, client: Any, gcloud: Gcloud, name: str) -> None:
    made = gcloud(
        "secrets",
        "create",
        name,
        "--data-file=-",
        "--replication-policy=automatic",
        stdin="from-gcloud",
    )
    assert made.returncode == 0, made.stderr
    sm = client()
    assert access_secret_version(sm, door.project, name, "latest") == "from-gcloud"
    assert access_secret_version(sm, door.project, name, "1") == "from-gcloud"


def test_vault_written_secret_reads_through_gcp(door: Door, gcloud: Gcloud, name: str) -> None:
    """A secret written with the Vault API is a GCP secret whose versions are ENABLED."""
    assert door.vault("POST", f"secret/data/{name}", {"data": {"user": "app", "pw": "x1"}}).ok
    out = gcloud("secrets", "versions", "access", "latest", f"--secret={name}")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"user": "app", "pw": "x1"}
    listed = gcloud("secrets", "versions", "list", name, "--format=json")
    assert [v["state"] for v in json.loads(listed.stdout)] == ["ENABLED"]


def test_regional_secrets_with_gcloud(door: Door, gcloud: Gcloud, name: str) -> None:
    made = gcloud(
        "secrets", "create", name, "--location=us-central1", "--data-file=-", stdin="regional"
    )
    assert made.returncode == 0, made.stderr
    read = gcloud(
        "secrets", "versions", "access", "latest", f"--secret={name}", "--location=us-central1"
    )
    assert (read.returncode, read.stdout) == (0, "regional"), read.stderr
    listed = gcloud("secrets", "list", "--location=us-central1", "--format=value(name)")
    assert name in listed.stdout.split()
    # Regional secrets are not global ones, and live under their own KV prefix.
    assert name not in gcloud("secrets", "list", "--format=value(name)").stdout.split()
    kv = door.vault("GET", f"secret/data/locations/us-central1/{name}").json()["data"]
    assert kv["data"] == {"SecretString": "regional"}


def test_secret_values_stay_out_of_errors_and_logs(door: Door, gcloud: Gcloud, name: str) -> None:
    canary = f"canary-{name}-value"
    made = gcloud("secrets", "create", name, "--data-file=-", stdin=canary)
    assert made.returncode == 0, made.stderr
    assert gcloud("secrets", "versions", "disable", "1", f"--secret={name}").returncode == 0
    refused = gcloud("secrets", "versions", "access", "1", f"--secret={name}")
    assert refused.returncode == 1
    dup = gcloud("secrets", "create", name, "--data-file=-", stdin=canary)
    assert dup.returncode == 1
    for output in (refused.stdout, refused.stderr, dup.stdout, dup.stderr):
        assert canary not in output
    assert canary not in door.log.read_text()


def test_gcloud_update_destroy_delete(door: Door, gcloud: Gcloud, name: str) -> None:
    assert gcloud("secrets", "create", name, "--labels=env=dev").returncode == 0
    for value in ("one", "two"):
        out = gcloud("secrets", "versions", "add", name, "--data-file=-", stdin=value)
        assert out.returncode == 0, out.stderr
    updated = gcloud("secrets", "update", name, "--update-labels=team=payments")
    assert updated.returncode == 0, updated.stderr
    labels = json.loads(gcloud("secrets", "describe", name, "--format=json").stdout)["labels"]
    assert labels == {"env": "dev", "team": "payments"}
    destroyed = gcloud("secrets", "versions", "destroy", "1", f"--secret={name}", "--quiet")
    assert destroyed.returncode == 0, destroyed.stderr
    listed = json.loads(gcloud("secrets", "versions", "list", name, "--format=json").stdout)
    assert [(v["name"].rsplit("/", 1)[1], v["state"]) for v in listed] == [
        ("2", "ENABLED"),
        ("1", "DESTROYED"),
    ]
    assert "destroyTime" in listed[1]
    again = gcloud("secrets", "versions", "enable", "1", f"--secret={name}")
    assert again.returncode == 1
    assert "FAILED_PRECONDITION" in again.stderr
    filtered = gcloud(
        "secrets", "list", f"--filter=name:{name} AND labels.team=payments", "--format=value(name)"
    )
    assert filtered.stdout.split() == [name]
    deleted = gcloud("secrets", "delete", name, "--quiet")
    assert deleted.returncode == 0, deleted.stderr
    gone = gcloud("secrets", "describe", name)
    assert gone.returncode == 1
    assert "NOT_FOUND" in gone.stderr
    assert door.vault("GET", f"secret/metadata/{name}").status_code == 404
