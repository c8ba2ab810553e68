"""Longest-prefix routing from request paths to mounted backends.

Mirrors OpenBao's router.go: mount paths end in ``/``; a request path ``secret/data/x`` goes to
the mount ``secret/`` with the mount-relative path ``data/x``. A request for the mount itself
without the trailing slash (``secret``) also matches. Lookups are a dict probe per path prefix
(at most as many probes as the path has segments), cheaper than scanning every mount.
"""

from __future__ import annotations

from dataclasses import dataclass

from sealbox.core.mounts import MountEntry
from sealbox.framework import Backend


@dataclass(slots=True)
class Route:
    """A mounted backend and the mount it serves."""

    entry: MountEntry
    backend: Backend
    mount_path: str  # "secret/" or "auth/userpass/"


class Router:
    """The table of mounted backends."""

    def __init__(self) -> None:
        self._routes: dict[str, Route] = {}

    def mount(self, mount_path: str, entry: MountEntry, backend: Backend) -> None:
        """Add a backend at ``mount_path`` (ending in ``/``)."""
        self._routes[mount_path] = Route(entry, backend, mount_path)

    def unmount(self, mount_path: str) -> Route | None:
        """Remove and return the route at ``mount_path``."""
        return self._routes.pop(mount_path, None)

    def get(self, mount_path: str) -> Route | None:
        """The route mounted exactly at ``mount_path``."""
        return self._routes.get(mount_path)

    def match(self, path: str) -> tuple[Route, str] | None:
        """The longest mount prefixing ``path`` and the mount-relative remainder."""
        routes = self._routes
        candidate = path if path.endswith("/") else path + "/"
        index = len(candidate)
        while index > 0:
            prefix = candidate[:index]
            route = routes.get(prefix)
            if route is not None:
                return route, path[len(prefix) :] if len(path) >= len(prefix) else ""
            index = candidate.rfind("/", 0, index - 1) + 1
        return None

    def routes(self) -> list[Route]:
        """Every route, sorted by mount path."""
        return [self._routes[key] for key in sorted(self._routes)]

    def conflicts(self, mount_path: str) -> bool:
        """Whether ``mount_path`` overlaps an existing mount (either prefixes the other)."""
        return any(
            existing.startswith(mount_path) or mount_path.startswith(existing)
            for existing in self._routes
        )
