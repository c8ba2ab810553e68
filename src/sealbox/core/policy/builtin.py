"""The built-in policies: the name of ``root`` and the text of ``default``.

Mirrors the ``DefaultPolicy`` constant of OpenBao's internal/vault/policy/policy_store.go
(read from a real ``bao server -dev`` through ``GET sys/policies/acl/default``): the same
paths and capabilities, comments in our own words. The two identity paths are templated;
they are kept so the text matches OpenBao's, and they grant nothing until sealbox has an
identity store (the ACL skips templated paths).
"""

from __future__ import annotations

ROOT_POLICY_NAME = "root"
DEFAULT_POLICY_NAME = "default"

DEFAULT_POLICY = """
# A token may read its own properties
path "auth/token/lookup-self" {
    capabilities = ["read"]
}

# A token may extend its own lifetime
path "auth/token/renew-self" {
    capabilities = ["update"]
}

# A token may revoke itself
path "auth/token/revoke-self" {
    capabilities = ["update"]
}

# A token may ask what it is allowed to do on a path
path "sys/capabilities-self" {
    capabilities = ["update"]
}

# A token may read the identity entity it belongs to, by id or by name
path "identity/entity/id/{{identity.entity.id}}" {
  capabilities = ["read"]
}
path "identity/entity/name/{{identity.entity.name}}" {
  capabilities = ["read"]
}


# A token may read the ACL that results from all its policies (used by UIs; the
# response format is internal and may change)
path "sys/internal/ui/resultant-acl" {
    capabilities = ["read"]
}

# A token may renew a lease whose id it sends in the request body
path "sys/leases/renew" {
    capabilities = ["update"]
}

# A token may look up a lease whose id it already knows; nothing secret is returned
path "sys/leases/lookup" {
    capabilities = ["update"]
}

# Every token owns a private cubbyhole
path "cubbyhole/*" {
    capabilities = ["create", "read", "update", "delete", "list"]
}

# A token may wrap any data in a response-wrapping token
path "sys/wrapping/wrap" {
    capabilities = ["update"]
}

# A token may see when a wrapping token was created and how long it lives
path "sys/wrapping/lookup" {
    capabilities = ["update"]
}

# A token may unwrap a wrapping token without switching to it first (the
# response-wrapping policy allows the same)
path "sys/wrapping/unwrap" {
    capabilities = ["update"]
}

# Hashing helpers
path "sys/tools/hash" {
    capabilities = ["update"]
}
path "sys/tools/hash/*" {
    capabilities = ["update"]
}

# A token may call the authorization endpoint of OIDC providers
path "identity/oidc/provider/+/authorize" {
    capabilities = ["read", "update"]
}
"""

# compat: the fixed policy of response-wrapping tokens (policy_store.go ResponseWrappingPolicy)
RESPONSE_WRAPPING_POLICY_NAME = "response-wrapping"
RESPONSE_WRAPPING_POLICY = """
path "cubbyhole/response" {
    capabilities = ["create", "read"]
}

path "sys/wrapping/unwrap" {
    capabilities = ["update"]
}
"""
