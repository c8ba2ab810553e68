"""ACME (RFC 8555) on a PKI mount, following OpenBao's behaviour.

protocol.py (directories, JWS, nonces), paths.py (directory, nonce, accounts, key-change, EAB,
config/acme and config/cluster), paths_orders.py (orders, authorizations, challenges,
finalize, certificate, revoke-cert), validation.py (http-01 and dns-01 in the background),
issue.py (CSR checks and signing), eab.py, orders.py and accounts.py (records).
"""
