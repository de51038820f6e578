"""Flows and the theme as Descope exports them: validation, normalisation and content hashing.

A flow export is ``{"flow": {...}, "screens": [...]}``. Normalisation removes what Descope
changes on every import, sorts screens by id and smooths over what Pulumi's wire format does to
JSON (integral floats, dropped nulls), so that the same content always has the same hash.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from model.problems import Problem

FLOW_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"
FLOW_VOLATILE_KEYS = frozenset({"version", "etag", "modifiedTime"})
"""Keys of `flow` that Descope rewrites on every import."""
SCREEN_VOLATILE_KEYS = frozenset({"version"})
"""Keys of each screen that Descope rewrites on every import."""
SCREEN_DERIVED_KEYS = frozenset({"flowId"})
"""Keys of each screen that Descope sets from the import request (the flow's id)."""
THEME_VOLATILE_KEYS = frozenset({"version"})
"""Keys of the theme that Descope rewrites on every import (version rises by one)."""


def _clean(value: Any) -> Any:
    """JSON as Pulumi hands it back: no None-valued keys, integral floats as ints."""
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def normalise_flow_export(export: Mapping[str, Any]) -> dict[str, Any]:
    """The deployable content of a flow export, free of volatile fields, screens sorted by id.

    Idempotent. The input must already be valid (see `flow_export_problems`).
    """
    flow = {k: v for k, v in _clean(export["flow"]).items() if k not in FLOW_VOLATILE_KEYS}
    screens = [
        {
            k: v
            for k, v in screen.items()
            if k not in SCREEN_VOLATILE_KEYS and k not in SCREEN_DERIVED_KEYS
        }
        for screen in _clean(export.get("screens") or [])
    ]
    screens.sort(key=lambda screen: str(screen.get("id", "")))
    return {"flow": flow, "screens": screens}


def normalise_theme(theme: Mapping[str, Any]) -> dict[str, Any]:
    """The deployable content of a theme, without its version. Idempotent."""
    return {k: v for k, v in _clean(theme).items() if k not in THEME_VOLATILE_KEYS}


def unwrap_theme_export(data: Any) -> Any:
    """The theme object inside a theme export ``{"theme": {...}}``; anything else as given."""
    if isinstance(data, Mapping) and set(data) == {"theme"} and isinstance(data["theme"], Mapping):
        return data["theme"]
    return data


def theme_problems(data: Any) -> list[Problem]:
    """Every reason `data` is not a Descope theme object (the inside of a theme export), or []."""
    if not isinstance(data, Mapping):
        return [
            Problem(
                (),
                'is not a theme: expected a JSON object such as {"cssTemplate": {...}}, the '
                '"theme" object of Descope\'s theme export.',
            )
        ]
    if set(data) == {"theme"}:
        return [
            Problem(
                ("theme",),
                'is the whole theme export: pass the object under "theme" instead.',
            )
        ]
    problems: list[Problem] = []
    if "cssTemplate" not in data:
        problems.append(
            Problem(
                ("cssTemplate",),
                "is missing: every exported theme has a cssTemplate. Export the theme again "
                "from Descope.",
            )
        )
    elif not isinstance(data["cssTemplate"], Mapping):
        problems.append(Problem(("cssTemplate",), "must be an object."))
    return problems


def canonical_json(value: Any) -> str:
    """One text for one content: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(normalised: Mapping[str, Any]) -> str:
    """``sha256:<hex>`` of the canonical JSON of already-normalised content."""
    digest = hashlib.sha256(canonical_json(normalised).encode("utf-8")).hexdigest()
    return f"sha256:{digest}"


def flow_export_problems(data: Any, expected_id: str | None = None) -> list[Problem]:
    """Every reason `data` is not a Descope flow export (for flow `expected_id`), or []."""
    if not isinstance(data, Mapping):
        return [
            Problem(
                (),
                'is not a flow export: expected a JSON object {"flow": {...}, "screens": [...]} '
                "as Descope's flow export returns it.",
            )
        ]
    problems: list[Problem] = []
    flow = data.get("flow")
    if not isinstance(flow, Mapping):
        problems.append(
            Problem(
                ("flow",),
                'is missing or not an object: a flow export holds the flow under "flow". '
                "Export the flow again from Descope.",
            )
        )
    else:
        flow_id = flow.get("id")
        if not isinstance(flow_id, str) or not flow_id:
            problems.append(Problem(("flow", "id"), "is missing: every exported flow has an id."))
        elif not re.fullmatch(FLOW_ID_PATTERN, flow_id):
            problems.append(
                Problem(
                    ("flow", "id"),
                    f'"{flow_id}" is not a valid flow id: use letters, digits, ".", "-" or "_".',
                )
            )
        elif expected_id is not None and flow_id != expected_id:
            problems.append(
                Problem(
                    ("flow", "id"),
                    f'is "{flow_id}" but the configuration declares this file as flow '
                    f"\"{expected_id}\". Make the entry's id and the file's flow.id the same.",
                )
            )
    unknown = sorted(set(data) - {"flow", "screens"})
    if unknown:
        problems.append(
            Problem(
                (),
                f"has unexpected top-level keys {', '.join(unknown)}: a flow export holds only "
                '"flow" and "screens".',
            )
        )
    screens = data.get("screens", [])
    if not isinstance(screens, list):
        problems.append(Problem(("screens",), "must be a list of screens."))
        return problems
    seen: set[str] = set()
    for index, screen in enumerate(screens):
        screen_id = screen.get("id") if isinstance(screen, Mapping) else None
        if not isinstance(screen_id, str) or not screen_id:
            problems.append(Problem(("screens", index), "is not a screen object with an id."))
        elif screen_id in seen:
            problems.append(
                Problem(("screens", index), f'repeats screen id "{screen_id}"; ids must be unique.')
            )
        else:
            seen.add(screen_id)
    return problems
