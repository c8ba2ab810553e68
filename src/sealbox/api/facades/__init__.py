"""Doors that translate other vendors' secret-manager protocols onto the one core (AWS, GCP)."""
