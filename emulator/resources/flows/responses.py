"""The flow and theme routes: each handler calls one :class:`Flows` operation.

An empty body counts as ``{}``: the SDK's ``flow/list`` sends none.
"""

from __future__ import annotations

from emulator import exceptions as exc
from emulator.fields import opt_str, opt_str_list
from emulator.resources.flows.models import Flows
from emulator.routing import JsonDict, Query, Route

__all__ = ["ROUTES"]


def _delete_flows(flows: Flows, query: Query, body: JsonDict) -> JsonDict:
    ids = opt_str_list(body, "ids")
    if not ids:
        raise exc.missing_field("ids")
    return flows.delete_flows(ids)


ROUTES: list[Route[Flows]] = [
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
