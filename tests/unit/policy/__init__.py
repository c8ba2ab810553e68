"""Tests of the policy language and ACL evaluation (sealbox.core.policy)."""
