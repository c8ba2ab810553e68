"""Unit tests of the secrets engines (kv v1/v2, cubbyhole)."""
