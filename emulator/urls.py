"""The route table, built from every resource's route list: (method, path) → handler name.

Each resource of :mod:`emulator.resources` lists its routes in its ``responses`` module;
:data:`MOUNTS` says which model serves each list. A known path with the wrong method answers
500 E010009, as Descope does; an unknown path answers 404.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from emulator import exceptions as exc
from emulator.backend import DescopeBackend
from emulator.resources.access_keys import responses as access_keys
from emulator.resources.flows import responses as flows
from emulator.resources.infra import responses as infra
from emulator.resources.license import responses as license_
from emulator.resources.roles import responses as roles
from emulator.resources.settings import responses as settings
from emulator.resources.sso import responses as sso
from emulator.resources.tenants import responses as tenants
from emulator.routing import JsonDict, Query, Route

__all__ = ["LICENSE_PATH", "MOUNTS", "ROUTES", "Handler", "Mount", "resolve"]

LICENSE_PATH = license_.LICENSE_PATH
M = TypeVar("M")
Handler = Callable[[DescopeBackend, Query, JsonDict], JsonDict]


@dataclass(frozen=True)
class Mount(Generic[M]):
    """A resource's routes and the model of the backend that serves them."""

    serve: Callable[[DescopeBackend], M]
    routes: Sequence[Route[M]]

    def handlers(self) -> dict[str, Handler]:
        """Each route's handler, taking the backend and passing its model on."""
        return {route.name: self._bound(route) for route in self.routes}

    def _bound(self, route: Route[M]) -> Handler:
        def handler(backend: DescopeBackend, query: Query, body: JsonDict) -> JsonDict:
            return route.handler(self.serve(backend), query, body)

        return handler


def _backend(backend: DescopeBackend) -> DescopeBackend:
    return backend


MOUNTS: tuple[Mount[Any], ...] = (
    Mount(lambda b: b.license, license_.ROUTES),
    Mount(lambda b: b.sso, sso.ROUTES),
    Mount(lambda b: b.access_keys, access_keys.ROUTES),
    Mount(_backend, tenants.ROUTES),  # the backend's face, which tests replace: see the module
    Mount(_backend, settings.ROUTES),
    Mount(lambda b: b.authz, roles.ROUTES),
    Mount(_backend, flows.ROUTES),
    Mount(lambda b: b.infra, infra.ROUTES),
)
"""Every resource's routes, in the order of the table."""

ROUTES: dict[tuple[str, str], str] = {
    (route.method, route.path): route.name for mount in MOUNTS for route in mount.routes
}

_PATHS = frozenset(path for _, path in ROUTES)


def resolve(method: str, path: str) -> str:
    """The handler name for a request; raises the error Descope would answer otherwise."""
    name = ROUTES.get((method.upper(), path))
    if name is not None:
        return name
    if path in _PATHS:
        raise exc.unknown_server_error()
    raise exc.route_not_found(method.upper(), path)
