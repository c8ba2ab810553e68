"""The GCP Secret Manager door: Secret Manager REST v1 onto KV v2 mounts through the core.

``names`` parses resource names, ``errors`` renders ``google.rpc.Status``, ``kv`` is the door's
only way to secrets (``Core.handle``), ``model`` reads GCP's view out of a key's additive
metadata, ``ops_*`` are the methods, ``routes`` maps URLs onto them and ``app`` serves HTTP.
"""
