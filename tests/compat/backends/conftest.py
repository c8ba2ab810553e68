"""Backends driven in-process beside a real ``bao server -dev``: the token backend's fixtures."""

from __future__ import annotations

from tests.unit.tokens.conftest import clock, harness

__all__ = ["clock", "harness"]
