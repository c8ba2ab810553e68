"""The doors over HTTP: the Vault-compatible API (and later the AWS and GCP facades)."""
