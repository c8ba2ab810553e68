"""Leases: what the expiration manager stores and schedules (see ``core/expiration.py``)."""
