"""Flows and the theme in the data file: ``flows`` (``{"<flowId>": {"flow", "screens"}}``, each
an export) and ``theme`` (the Theme wire object)."""

from __future__ import annotations

from typing import Any

from emulator.records import FileRecord
from emulator.resources.flows.models import Flow, Flows, Screen, Theme

__all__ = ["flows_json", "install_flows", "parse_flows", "parse_theme", "theme_json"]

JsonDict = dict[str, Any]


def flows_json(flows: Flows) -> JsonDict:
    """The data file's ``flows`` object (call holding the project's lock)."""
    return {fid: flow.export() for fid, flow in flows.flows.items()}


def theme_json(flows: Flows) -> JsonDict:
    """The data file's ``theme`` object."""
    return flows.theme.to_dict()


def parse_flows(root: FileRecord) -> dict[str, Flow]:
    """The file's flows by id, checked; raises ValueError naming the first bad part."""
    return {
        fid: _flow(FileRecord(f"flows[{fid!r}]", raw), fid)
        for fid, raw in root.mapping("flows").items()
    }


def parse_theme(root: FileRecord) -> Theme:
    """The file's theme, checked (an object with an integer ``version``)."""
    theme = Theme(FileRecord("theme", root.get("theme")).data)
    FileRecord("theme", theme.data).integer("version")
    return theme


def install_flows(flows: Flows, parsed: dict[str, Flow], theme: Theme) -> None:
    """Hold the parsed flows and theme in place of those held."""
    with flows.context.lock:
        flows.flows = parsed
        flows.theme = theme


def _flow(r: FileRecord, flow_id: str) -> Flow:
    data = FileRecord(f"{r.where}.flow", r.get("flow")).data
    if data.get("id") != flow_id:
        raise ValueError(f"{r.where}.flow.id must be {flow_id!r}")
    FileRecord(f"{r.where}.flow", data).integer("version")
    screens = []
    for i, raw in enumerate(r.items("screens")):
        screen = FileRecord(f"{r.where}.screens[{i}]", raw)
        screen.text("id")
        screen.integer("version")
        screens.append(Screen(screen.data))
    return Flow(data, screens)
