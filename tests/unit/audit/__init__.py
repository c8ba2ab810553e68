"""Unit tests for the audit broker, the entry formatter and the file device."""
