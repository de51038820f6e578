"""Descope's entries of tenant attribute definitions as the attribute definition resource's
inputs, and back.

The resource (`providers.attribute_definition`) records a definition as ``name``, ``type``,
``displayName`` and ``options`` (values); Descope's project configuration holds it as an entry
of ``data.attributes.tenant`` with options as ``{"label", "value"}`` and an ``authorization``:

- `comparable`: inputs, outputs or an entry's form as Descope would hold them;
- `held_form`: an entry as inputs;
- `entry`: the entry to write for declared inputs, keeping what the held entry has besides.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

__all__ = ["comparable", "entry", "held_form"]


def comparable(props: Mapping[str, Any]) -> dict[str, Any]:
    """Inputs, outputs or a held entry's form as Descope would hold them."""
    options = props.get("options")
    return {
        "name": str(props.get("name") or ""),
        "type": str(props.get("type") or ""),
        "displayName": str(props.get("displayName") or props.get("name") or ""),
        "options": list(options) if options else None,
    }


def held_form(held: Mapping[str, Any]) -> dict[str, Any]:
    """A ``data.attributes.tenant`` entry as inputs (options by value)."""
    options = [o.get("value") for o in held.get("options") or [] if isinstance(o, dict)]
    return comparable({**held, "options": options})


def entry(props: Mapping[str, Any], held: Mapping[str, Any] | None) -> dict[str, Any]:
    """The entry to write: the held one (its authorization and any other key kept) with the
    declared name, display name, type and options (label = value, as Descope's provider)."""
    form = comparable(props)
    written = {"authorization": {"viewPermissions": []}, **copy.deepcopy(dict(held or {}))}
    written.update(
        name=form["name"],
        displayName=form["displayName"],
        type=form["type"],
        options=[{"label": o, "value": o} for o in form["options"] or []],
    )
    return written
