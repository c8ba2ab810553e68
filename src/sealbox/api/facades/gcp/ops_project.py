"""Project-level methods: Cloud Resource Manager's project IAM policy, and Secret Manager's
locations.

The project policy lives at ``auth/<gcpsa>/iam-policy/<project>`` (``authz.py`` evaluates it
with each secret's own); ``projects.getIamPolicy``/``setIamPolicy`` (Resource Manager v1:
``POST /v1/projects/{p}:getIamPolicy``, so ``gcloud projects add-iam-policy-binding`` works with
``CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER`` pointed at the door) read and write it
as the caller, or as the door when IAM grants (roles/owner). ``locations.list``/``get`` answer
the regions regional secrets may name (any valid location ID works in a secret's name; these
are the ones the service lists) to every authenticated caller.
"""

from __future__ import annotations

from typing import Any

from sealbox.api.facades.gcp import iam
from sealbox.api.facades.gcp.context import Call
from sealbox.api.facades.gcp.errors import Aborted, InvalidArgument, NotFound, Unauthenticated
from sealbox.api.facades.gcp.filters import compile_filter
from sealbox.api.facades.gcp.ops_iam import policy_bindings
from sealbox.api.facades.gcp.paging import page
from sealbox.auth.gcpsa.etags import EMPTY_ETAG
from sealbox.errors import CheckAndSetMismatch
from sealbox.logical import Operation

LOCATIONS = {
    "africa-south1": "Johannesburg",
    "asia-east1": "Taiwan",
    "asia-east2": "Hong Kong",
    "asia-northeast1": "Tokyo",
    "asia-south1": "Mumbai",
    "asia-southeast1": "Singapore",
    "australia-southeast1": "Sydney",
    "europe-north1": "Finland",
    "europe-west1": "Belgium",
    "europe-west2": "London",
    "europe-west3": "Frankfurt",
    "europe-west4": "Netherlands",
    "me-central1": "Doha",
    "northamerica-northeast1": "Montréal",
    "southamerica-east1": "São Paulo",
    "us-central1": "Iowa",
    "us-east1": "South Carolina",
    "us-east4": "Northern Virginia",
    "us-west1": "Oregon",
    "us-west2": "Los Angeles",
}
_ACL = {  # permission -> (capability, path relative to the auth mount or, with "kv:", the KV mount)
    "resourcemanager.projects.getIamPolicy": ("read", "iam-policy/"),
    "resourcemanager.projects.setIamPolicy": ("update", "iam-policy/"),
    "secretmanager.secrets.list": ("list", "kv:extra/"),
    "secretmanager.secrets.create": ("create", "kv:extra/"),
}


def _require_caller(call: Call) -> None:
    if call.iam is not None and not call.iam.known:
        raise Unauthenticated("Request had invalid authentication credentials.")


def _policy_path(call: Call) -> str:
    return f"{call.config.auth_mount}iam-policy/{call.config.project_id}"


def _policy_json(stored: dict[str, Any]) -> dict[str, Any]:
    if not stored.get("bindings"):
        return {"etag": stored.get("etag") or EMPTY_ETAG}
    return {
        "version": stored.get("version", 1),
        "bindings": stored["bindings"],
        "etag": stored["etag"],
    }


async def get_project(call: Call) -> dict[str, Any]:
    """GET /v1/projects/{p} (Resource Manager): the one project the door serves."""
    _require_caller(call)
    return {
        "projectNumber": call.config.project_number,
        "projectId": call.config.project_id,
        "name": call.config.project_id,
        "lifecycleState": "ACTIVE",
    }


async def get_iam_policy(call: Call) -> dict[str, Any]:
    """POST /v1/projects/{p}:getIamPolicy (GET accepted too)."""
    try:
        response = await call.kv.core_call(Operation.READ, _policy_path(call), {})
    except NotFound:
        return {"etag": EMPTY_ETAG}
    return _policy_json(dict((response.data or {}).get("policy") or {}))


async def set_iam_policy(call: Call) -> dict[str, Any]:
    """POST /v1/projects/{p}:setIamPolicy {policy}: replace it; a stale etag is ABORTED."""
    policy = call.body.get("policy")
    if not isinstance(policy, dict):
        raise InvalidArgument("policy is required.")
    version, bindings = policy_bindings(policy)
    stored: dict[str, Any] = {"version": version, "bindings": bindings}
    if policy.get("etag"):
        stored["etag"] = policy["etag"]
    try:
        response = await call.kv.core_call(
            Operation.UPDATE, _policy_path(call), {"policy": stored}, raw_errors=True
        )
    except CheckAndSetMismatch as err:
        raise Aborted(
            "There were concurrent policy changes. Please retry the whole read-modify-write "
            "with exponential backoff."
        ) from err
    return _policy_json(dict((response.data or {}).get("policy") or {}))


async def test_iam_permissions(call: Call) -> dict[str, Any]:
    """POST /v1/projects/{p}:testIamPermissions {permissions}: the subset the caller holds."""
    asked = call.body.get("permissions") or []
    if not isinstance(asked, list) or not all(isinstance(p, str) for p in asked):
        raise InvalidArgument("permissions must be a list of strings.")
    resource = f"projects/{call.project}"
    held = await call.iam.held(None, resource, asked) if call.iam is not None else set()
    wanted = {p: _ACL[p] for p in asked if p in _ACL and p not in held}
    if wanted:
        paths = {p: _full(call, route) for p, (_, route) in wanted.items()}
        caps = await call.kv.capabilities_of(sorted(set(paths.values())))
        for permission, (cap, _) in wanted.items():
            have = caps.get(paths[permission], [])
            if cap in have or "root" in have:
                held.add(permission)
    if call.iam is not None and call.iam.known:
        held |= {p for p in asked if p.startswith("secretmanager.locations.")}
    granted = [p for p in asked if p in held and p in iam.ALL_PERMISSIONS]
    return {"permissions": granted} if granted else {}


def _full(call: Call, route: str) -> str:
    if route.startswith("kv:"):
        return call.config.mount + route[3:]
    return f"{call.config.auth_mount}{route}{call.config.project_id}"


def _location(call: Call, location_id: str) -> dict[str, Any]:
    return {
        "name": f"projects/{call.project}/locations/{location_id}",
        "locationId": location_id,
        "displayName": LOCATIONS[location_id],
    }


async def list_locations(call: Call) -> dict[str, Any]:
    """GET /v1/projects/{p}/locations?pageSize=&pageToken=."""
    _require_caller(call)
    items = [_location(call, loc) for loc in sorted(LOCATIONS)]
    text = call.query.get("filter", "").strip()
    if text:
        wanted = compile_filter(text)
        items = [i for i in items if wanted(i)]
    answer = page(items, call.query, "locations")
    answer.pop("totalSize", None)
    return answer


async def get_location(call: Call) -> dict[str, Any]:
    """GET /v1/projects/{p}/locations/{l}."""
    _require_caller(call)
    if call.version not in LOCATIONS:
        raise NotFound(f"Location [projects/{call.project}/locations/{call.version}] not found.")
    return _location(call, call.version)
