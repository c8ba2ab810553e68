"""The AWS Secrets Manager door: AWS JSON 1.1 with SigV4 and IAM onto KV v2 mounts.

``app.AwsAPI`` answers one HTTP request; everything it does to secrets goes through
``Core.handle`` as Vault requests on one KV v2 mount, so ACLs and the audit log apply and the
secrets are the same ones ``sealbox kv`` reads.
"""
