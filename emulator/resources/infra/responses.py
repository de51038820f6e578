"""The project configuration routes (``/v1/mgmt/infra``, entity ``project``): GET and PUT."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from emulator.routing import JsonDict, Route, query_value

__all__ = ["INFRA_PATH", "ROUTES", "InfraOperations"]

INFRA_PATH = "/v1/mgmt/infra"


class InfraOperations(Protocol):
    """The operations, as :class:`~emulator.resources.infra.models.ProjectConfiguration` has
    them."""

    def load(self, entity: str | None, entity_id: str | None) -> JsonDict: ...
    def update(self, body: Mapping[str, Any]) -> JsonDict: ...


ROUTES: list[Route[InfraOperations]] = [
    Route(
        "GET",
        INFRA_PATH,
        "load_infra",
        lambda infra, query, body: infra.load(
            query_value(query, "entity"), query_value(query, "id")
        ),
    ),
    Route("PUT", INFRA_PATH, "update_infra", lambda infra, query, body: infra.update(body)),
]
"""One route per method."""
