"""Flows and the project theme: their entities, wire shapes and management operations (no HTTP).

A flow is kept with every wire field it was imported with (unknown ones pass through) and its
screens; the server owns the volatile fields (``version``, ``etag``, ``modifiedTime``). The theme
is one object per project. Each operation takes the parsed request, returns the dict that goes
on the wire, or raises :class:`~emulator.exceptions.DescopeApiError`.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from emulator import exceptions as exc
from emulator.context import ProjectContext
from emulator.fields import text

__all__ = ["Flow", "Flows", "Screen", "Theme", "default_theme", "new_etag", "with_defaults"]

JsonDict = dict[str, Any]


def new_etag() -> str:
    """An opaque flow etag."""
    return secrets.token_hex(16)


FLOW_DEFAULTS: JsonDict = {
    "id": "",
    "version": 0,
    "name": "",
    "description": "",
    "dsl": {},
    "modifiedTime": "0",
    "etag": "",
    "disabled": False,
    "translate": False,
    "translateConnectorID": "",
    "translateSourceLang": "",
    "translateTargetLangs": [],
    "fingerprint": False,
    "widget": False,
    "sharedInteractions": [],
    "management": False,
    "managementConfig": {},
}
SCREEN_DEFAULTS: JsonDict = {
    "id": "",
    "version": 0,
    "flowId": "",
    "inputs": [],
    "interactions": [],
    "htmlTemplate": {},
    "componentsVersion": "",
}
THEME_DEFAULTS: JsonDict = {
    "id": "",
    "version": 0,
    "cssTemplate": {},
    "componentsVersion": "",
    "codeMode": False,
}


def with_defaults(defaults: JsonDict, data: Mapping[str, Any]) -> JsonDict:
    out = copy.deepcopy(defaults)
    out.update(copy.deepcopy(dict(data)))
    return out


@dataclass
class Screen:
    """A flow screen; ``data`` holds every wire field (unknown ones pass through)."""

    data: JsonDict

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def version(self) -> int:
        return int(self.data["version"])

    def to_dict(self) -> JsonDict:
        return with_defaults(SCREEN_DEFAULTS, self.data)


@dataclass
class Flow:
    """A flow and its screens; ``data`` holds every flow wire field."""

    data: JsonDict
    screens: list[Screen] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def version(self) -> int:
        return int(self.data["version"])

    def to_dict(self) -> JsonDict:
        """The v1 Flow object, every field present."""
        return with_defaults(FLOW_DEFAULTS, self.data)

    def list_item(self) -> JsonDict:
        """A ``flow/list`` entry: the v1 Flow object (Descope's published ``ListFlowsResponse``
        lists ``Flow``s) but its ``dsl``, the flow's body, which a listing does not carry. The
        SDKs' decoders read only ``id``, ``name``, ``description`` and ``disabled``."""
        d = self.to_dict()
        return {k: v for k, v in d.items() if k != "dsl"}

    def export(self) -> JsonDict:
        """``{"flow": ..., "screens": [...]}``."""
        return {"flow": self.to_dict(), "screens": [s.to_dict() for s in self.screens]}


@dataclass
class Theme:
    """The project theme; ``data`` holds every wire field."""

    data: JsonDict

    @property
    def version(self) -> int:
        return int(self.data["version"])

    def to_dict(self) -> JsonDict:
        return with_defaults(THEME_DEFAULTS, self.data)


def default_theme() -> Theme:
    """The theme a fresh project has: version 1, empty templates."""
    return Theme({"id": "", "version": 1, "cssTemplate": {"dark": {}, "light": {}}})


class Flows:
    """The project's flows and theme, and their management operations."""

    def __init__(
        self, context: ProjectContext, *, etag_factory: Callable[[], str] = new_etag
    ) -> None:
        self.context = context
        self.etag_factory = etag_factory
        self.flows: dict[str, Flow] = {}
        self.theme: Theme = default_theme()

    def clear(self) -> None:
        """No flows, the default theme."""
        with self.context.lock:
            self.flows.clear()
            self.theme = default_theme()

    def seed_flow(
        self, flow: Mapping[str, Any], screens: Iterable[Mapping[str, Any]] = ()
    ) -> JsonDict:
        """Store a flow exactly as given (defaults filled in); returns its export shape.

        Unlike :meth:`import_flow` it neither bumps versions nor changes the etag, so tests
        can set up a flow whose volatile fields they know.
        """
        with self.context.lock:
            data = with_defaults(FLOW_DEFAULTS, flow)
            if not data["id"]:
                raise ValueError("a seeded flow needs an id")
            seeded = Flow(
                data,
                [
                    Screen(with_defaults(SCREEN_DEFAULTS, {"flowId": data["id"], **s}))
                    for s in screens
                ],
            )
            self.flows[seeded.id] = seeded
            return seeded.export()

    def seed_theme(self, theme: Mapping[str, Any]) -> JsonDict:
        """Replace the theme exactly as given (defaults filled in)."""
        with self.context.lock:
            self.theme = Theme(with_defaults(THEME_DEFAULTS, theme))
            return self.theme.to_dict()

    def list_flows(self, ids: list[str] | None = None) -> JsonDict:
        """POST /v1/mgmt/flow/list → ``{"flows": [{id, name, description, disabled}], "total"}``.

        ``ids`` None or empty lists every flow, in id order.
        """
        with self.context.lock:
            flows = [f for fid, f in sorted(self.flows.items()) if not ids or fid in ids]
            return {"flows": [f.list_item() for f in flows], "total": len(flows)}

    def delete_flows(self, ids: list[str]) -> JsonDict:
        """POST /v1/mgmt/flow/delete: deletes the flows that exist; unknown ids are ignored."""
        with self.context.lock:
            for fid in ids:
                self.flows.pop(fid, None)
            return {}

    def export_flow(self, flow_id: str | None) -> JsonDict:
        """POST /v1/mgmt/flow/export → ``{"flow", "screens"}``; missing → 500 E103003."""
        with self.context.lock:
            flow = self.flows.get(flow_id or "")
            if flow is None:
                raise exc.flow_not_found()
            return flow.export()

    def import_flow(self, flow_id: str | None, flow: Any, screens: Any) -> JsonDict:
        """POST /v1/mgmt/flow/import: stores the flow and screens, returns them as stored.

        The server owns the volatile fields: ``flow.id`` becomes ``flowId``, ``version``
        goes up by one, ``etag`` changes, ``modifiedTime`` becomes the current Unix time as
        a string; each screen's ``version`` is its previous version plus one and its
        ``flowId`` is set.
        """
        with self.context.lock:
            if not flow_id:
                raise exc.missing_field("flowId")
            if not isinstance(flow, dict):
                raise exc.invalid_argument("The flow field must be an object")
            if screens is None:
                screens = []
            if not isinstance(screens, list) or not all(isinstance(s, dict) for s in screens):
                raise exc.invalid_argument("The screens field must be a list of objects")
            previous = self.flows.get(flow_id)
            old_screens = {s.id: s.version for s in previous.screens} if previous else {}
            data = copy.deepcopy(flow)
            data.update(
                id=flow_id,
                version=(previous.version if previous else 0) + 1,
                etag=self.etag_factory(),
                modifiedTime=str(int(self.context.now())),
            )
            new_screens: list[Screen] = []
            for raw in screens:
                screen_id = text(raw, "id")
                sdata = copy.deepcopy(raw)
                sdata.update(flowId=flow_id, version=old_screens.get(screen_id, 0) + 1)
                new_screens.append(Screen(with_defaults(SCREEN_DEFAULTS, sdata)))
            stored = Flow(with_defaults(FLOW_DEFAULTS, data), new_screens)
            self.flows[flow_id] = stored
            return stored.export()

    def export_theme(self) -> JsonDict:
        """POST /v1/mgmt/theme/export → ``{"theme": ...}``."""
        with self.context.lock:
            return {"theme": self.theme.to_dict()}

    def import_theme(self, theme: Any) -> JsonDict:
        """POST /v1/mgmt/theme/import: replaces the theme; ``version`` = previous + 1."""
        with self.context.lock:
            if not isinstance(theme, dict):
                raise exc.invalid_argument("The theme field must be an object")
            data = copy.deepcopy(theme)
            data["version"] = self.theme.version + 1
            self.theme = Theme(with_defaults(THEME_DEFAULTS, data))
            return {"theme": self.theme.to_dict()}
