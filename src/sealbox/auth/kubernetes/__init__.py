"""The ``kubernetes`` auth method (OpenBao's built-in vault-plugin-auth-kubernetes)."""

from __future__ import annotations

from sealbox.auth.kubernetes.backend import KubernetesAuthMethod, kubernetes_factory

__all__ = ["KubernetesAuthMethod", "kubernetes_factory"]
