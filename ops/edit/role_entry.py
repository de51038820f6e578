"""A restored role or permission written into its YAML entry, in the file's own forms.

Roles and permissions are declared in lists of entries (``permissions:``, ``roles:``, and a
tenant entry's ``roles:``), each found by its ``name``. `restore_declaration` edits an entry
(a round-trip tree, see `ops.edit.yaml_edit`) so that it declares what a backup holds;
`new_declaration` makes one from nothing the same way:

- ``name`` and ``previousName`` are left as written (a restore changes what a role is, not
  which role it is);
- ``description`` is written when not empty, and removed when empty (the model's default);
- ``permissions`` are written when the role grants some: left as written when they name the
  same set, else in the list style the file's entries use (``[a, b]`` or one per line).

Strings are written as `ops.edit.tenant_entry.FileForms` writes them (``${name}`` references where
the file writes them, a literal ``${`` as ``$${``). Entries are compared as the loader reads
them (`declared`), and the loader has the last word: restore loads the written file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ops.edit.tenant_entry import FileForms, same
from ops.edit.yaml_edit import is_flow, styled

__all__ = ["declared", "list_style", "new_declaration", "restore_declaration"]


def declared(entry: Any) -> dict[str, Any]:
    """An entry as the configuration means it: name, description, permissions as a set."""
    if not isinstance(entry, Mapping):
        return {}
    granted = entry.get("permissions")
    return {
        "name": entry.get("name"),
        "description": entry.get("description") or "",
        "permissions": sorted(str(p) for p in granted) if isinstance(granted, list) else [],
    }


def list_style(entries: list[Any]) -> bool:
    """Whether the entries write their permissions in flow style (``[a, b]``): as the first
    entry that has a list does; flow style when none has."""
    for entry in entries:
        granted = entry.get("permissions") if isinstance(entry, Mapping) else None
        if isinstance(granted, CommentedSeq):
            return is_flow(granted)
    return True


def restore_declaration(
    entry: CommentedMap,
    written: Mapping[str, Any],
    wanted: Mapping[str, Any],
    forms: FileForms,
    *,
    flow: bool,
) -> None:
    """Edit `entry` so that it declares `wanted` (name, description, permissions); `written` is
    what it declares now, as the loader reads it (variables substituted)."""
    description = str(wanted.get("description") or "")
    if not description:
        entry.pop("description", None)
    elif not same(str(written.get("description") or ""), description) or "description" not in entry:
        _put(entry, "description", forms.text(description, ("description",)))
    granted = sorted(str(p) for p in wanted.get("permissions") or [])
    if not granted:
        entry.pop("permissions", None)
    elif "permissions" not in entry or declared(written)["permissions"] != granted:
        items = CommentedSeq(forms.text(p, ("permissions", "[]")) for p in granted)
        _put(entry, "permissions", styled(items, flow))


def new_declaration(wanted: Mapping[str, Any], forms: FileForms, *, flow: bool) -> CommentedMap:
    """An entry declaring `wanted`."""
    entry = CommentedMap()
    entry["name"] = forms.text(str(wanted["name"]), ("name",))
    restore_declaration(entry, {}, wanted, forms, flow=flow)
    return entry


_ORDER = ("name", "description", "permissions", "previousName")


def _put(entry: CommentedMap, key: str, value: Any) -> None:
    """Set `key` where it is, else after the keys that come before it in `_ORDER`."""
    if key in entry:
        entry[key] = value
        return
    rank = _ORDER.index(key)
    position = 0
    for index, existing in enumerate(entry):
        if existing in _ORDER and _ORDER.index(existing) < rank:
            position = index + 1
    entry.insert(position, key, value)
