"""ACME (RFC 8555) on a PKI mount: directory, nonces, JWS-signed account requests.

Scope landed so far: config/acme, config/cluster, directory, new-nonce, new-account (jwk-signed,
ES256/RS256) and account lookup by ``onlyReturnExisting``. Orders, authorizations, http-01,
finalize, revoke-cert, key-change and account deactivation are not built yet.
"""
