"""The flow and theme routes: each handler calls one flow or theme operation.

Served, like the tenant routes, by the composed backend's face (see
:mod:`emulator.resources.tenants.responses`), whose flow methods forward to
:class:`~emulator.resources.flows.models.Flows`. An empty body counts as ``{}``: the SDK's
``flow/list`` sends none.
"""

from __future__ import annotations

from typing import Any, Protocol

from emulator import exceptions as exc
from emulator.fields import opt_str, opt_str_list
from emulator.routing import JsonDict, Query, Route

__all__ = ["ROUTES", "FlowOperations"]


class FlowOperations(Protocol):
    """The flow and theme operations, as :class:`~emulator.resources.flows.models.Flows` has
    them."""

    def list_flows(self, ids: list[str] | None = None) -> JsonDict: ...
    def delete_flows(self, ids: list[str]) -> JsonDict: ...
    def export_flow(self, flow_id: str | None) -> JsonDict: ...
    def import_flow(self, flow_id: str | None, flow: Any, screens: Any) -> JsonDict: ...
    def export_theme(self) -> JsonDict: ...
    def import_theme(self, theme: Any) -> JsonDict: ...


def _delete_flows(flows: FlowOperations, query: Query, body: JsonDict) -> JsonDict:
    ids = opt_str_list(body, "ids")
    if not ids:
        raise exc.missing_field("ids")
    return flows.delete_flows(ids)


ROUTES: list[Route[FlowOperations]] = [
    Route(
        "POST",
        "/v1/mgmt/flow/list",
        "list_flows",
        lambda flows, query, body: flows.list_flows(opt_str_list(body, "ids")),
    ),
    Route("POST", "/v1/mgmt/flow/delete", "delete_flows", _delete_flows),
    Route(
        "POST",
        "/v1/mgmt/flow/export",
        "export_flow",
        lambda flows, query, body: flows.export_flow(opt_str(body, "flowId")),
    ),
    Route(
        "POST",
        "/v1/mgmt/flow/import",
        "import_flow",
        lambda flows, query, body: flows.import_flow(
            opt_str(body, "flowId"), body.get("flow"), body.get("screens")
        ),
    ),
    Route(
        "POST",
        "/v1/mgmt/theme/export",
        "export_theme",
        lambda flows, query, body: flows.export_theme(),
    ),
    Route(
        "POST",
        "/v1/mgmt/theme/import",
        "import_theme",
        lambda flows, query, body: flows.import_theme(body.get("theme")),
    ),
]
"""One route per flow and theme endpoint."""
