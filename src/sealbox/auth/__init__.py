"""Auth methods: framework backends mounted under ``auth/`` that turn credentials into tokens.

Mirrors OpenBao's internal/builtin/credential/* (and the token store's own ``auth/token/``).
"""

from __future__ import annotations
