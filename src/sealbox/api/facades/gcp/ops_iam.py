"""getIamPolicy, setIamPolicy and testIamPermissions on a secret.

The policy (version, bindings, etag) is recorded on the secret's key, read-modify-write with
etags as gcloud's add-iam-policy-binding does it (a stale etag is ABORTED, nothing written).
It is enforced by ``authz.py`` together with the project's policy and the caller's sealbox ACL
(a union). testIamPermissions answers which of the asked permissions the caller holds either
way: by its token's capabilities on the KV mount (``sys/capabilities-self``; ``kv.py`` lists
them per method) or by IAM bindings of its members.
"""

from __future__ import annotations

from typing import Any

from sealbox.api.facades.gcp.context import Call
from sealbox.api.facades.gcp.errors import Aborted, InvalidArgument
from sealbox.api.facades.gcp.ops_secrets import load
from sealbox.auth.gcpsa.etags import EMPTY_ETAG, fresh_etag

_MEMBER_PREFIXES = (
    "user:",
    "serviceAccount:",
    "group:",
    "domain:",
    "principal://",
    "principalSet://",
)
_MEMBERS = ("allUsers", "allAuthenticatedUsers")

#: permission -> (capability, KV route under the mount, per secret unless it ends in "/")
PERMISSIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "secretmanager.secrets.get": (("read", "extra/"),),
    "secretmanager.secrets.getIamPolicy": (("read", "extra/"),),
    "secretmanager.versions.get": (("read", "extra/"),),
    "secretmanager.versions.list": (("read", "extra/"),),
    "secretmanager.versions.access": (("read", "extra/"),),
    "secretmanager.secrets.update": (("update", "extra/"),),
    "secretmanager.secrets.setIamPolicy": (("update", "extra/"),),
    "secretmanager.versions.add": (("update", "extra/"),),
    "secretmanager.versions.enable": (("update", "extra/"),),
    "secretmanager.versions.disable": (("update", "extra/"),),
    "secretmanager.versions.destroy": (("update", "extra/"), ("update", "destroy/")),
    "secretmanager.secrets.delete": (("delete", "metadata/"),),
}


def _policy_json(gcp: dict[str, Any]) -> dict[str, Any]:
    policy = dict(gcp.get("iam") or {})
    if not policy.get("bindings"):
        return {"etag": policy.get("etag", EMPTY_ETAG)}
    return {
        "version": policy.get("version", 1),
        "bindings": policy["bindings"],
        "etag": policy["etag"],
    }


def _bindings(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidArgument("policy.bindings must be a list.")
    out = []
    for binding in value:
        role = binding.get("role") if isinstance(binding, dict) else None
        members = binding.get("members") if isinstance(binding, dict) else None
        if not isinstance(role, str) or not role.startswith("roles/"):
            raise InvalidArgument("Every binding needs a role like roles/secretmanager.viewer.")
        if not isinstance(members, list) or not all(
            isinstance(m, str) and (m.startswith(_MEMBER_PREFIXES) or m in _MEMBERS)
            for m in members
        ):
            raise InvalidArgument(f"Invalid members in the binding of [{role}].")
        kept: dict[str, Any] = {"role": role, "members": sorted(set(members))}
        if isinstance(binding.get("condition"), dict):
            kept["condition"] = binding["condition"]
        if kept["members"]:
            out.append(kept)
    return out


async def get_iam_policy(call: Call) -> dict[str, Any]:
    """GET (or POST) /v1/{name}:getIamPolicy."""
    view = await load(call, call.secret_name())
    return _policy_json(view.gcp)


def policy_bindings(policy: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
    """The version and validated bindings of a policy a caller sets."""
    bindings = _bindings(policy.get("bindings"))
    version = policy.get("version", 1)
    if version not in (0, 1, 3):
        raise InvalidArgument("policy.version must be 1 or 3.")
    if any("condition" in b for b in bindings) and version != 3:
        raise InvalidArgument("Conditional bindings need policy version 3.")
    return int(version or 1), bindings


async def set_iam_policy(call: Call) -> dict[str, Any]:
    """POST /v1/{name}:setIamPolicy {policy}."""
    name = call.secret_name()
    policy = call.body.get("policy")
    if not isinstance(policy, dict):
        raise InvalidArgument("policy is required.")
    version, bindings = policy_bindings(policy)

    async def change() -> tuple[str, dict[str, Any]]:
        view = await load(call, name)
        current = _policy_json(view.gcp)["etag"]
        given = policy.get("etag")
        if given and given != current:
            raise Aborted(
                "There were concurrent policy changes. Please retry the whole read-modify-write "
                "with exponential backoff."
            )
        gcp = dict(view.gcp)
        etag = fresh_etag()
        gcp["iam"] = {"version": version, "bindings": bindings, "etag": etag}
        return name.key, {"key_extra": view.with_gcp(gcp), "expect_version": view.kv_version}

    view = await call.kv.mutate(change)
    return _policy_json(view.gcp)


async def test_iam_permissions(call: Call) -> dict[str, Any]:
    """POST /v1/{name}:testIamPermissions {permissions}: the subset the caller holds."""
    name = call.secret_name()
    asked = call.body.get("permissions") or []
    if not isinstance(asked, list) or not all(isinstance(p, str) for p in asked):
        raise InvalidArgument("permissions must be a list of strings.")
    resource = name.render(call.project)
    by_iam = await call.iam.held(name, resource, asked) if call.iam is not None else set()
    rest = [p for p in asked if p not in by_iam]
    paths = {route + name.key for p in rest for _, route in PERMISSIONS.get(p, ())}
    held = await call.kv.capabilities(sorted(paths)) if paths else {}
    granted = [
        p
        for p in asked
        if p in by_iam
        or (
            p in PERMISSIONS
            and all(
                cap in held.get(route + name.key, ()) or "root" in held.get(route + name.key, ())
                for cap, route in PERMISSIONS[p]
            )
        )
    ]
    return {"permissions": granted} if granted else {}
