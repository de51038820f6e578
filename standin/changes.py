"""An engine run printed as the pulumi CLI prints one: each resource's step, the fields that
change (old → new), the reason for a replace, and a summary line.

::

      ~  Tenant  tenant-acme    update
           name: "Acme" → "Acme Corp"
           settings.sessionTokenExpiration: 10 → 20
      +- SSO     sso-acme       replace (a change of ssoId replaces it)
           ssoId: "okta" → "entra"
    Resources: 1 to update, 1 to replace, 14 unchanged

The fields are the resource's inputs before and after the step (`standin.results.Step`'s `olds`
and `news`): nested keys as dotted paths, lists as whole values, long values shortened (not
with `full`, which is ``--diff``: values in full, and a created resource's inputs too). A
secret is shown as ``[secret]``: an input the program registered as a Pulumi secret (the OIDC
client secret), and anything under a key whose name says ``secret``. The engine's own keys
(``__provider``, the pickled provider) are never shown.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from standin.results import Result, Step

__all__ = ["FieldChange", "field_changes", "render", "summary"]

SECRET = "[secret]"
SHORT = 60
"""Values longer than this (as JSON) are shortened unless shown in full."""
_ABSENT = object()


@dataclass(frozen=True)
class _Look:
    sign: str
    label: str
    planned: str
    done: str


_LOOKS: dict[str, _Look] = {
    "create": _Look("+", "create", "to create", "created"),
    "update": _Look("~", "update", "to update", "updated"),
    "replace": _Look("+-", "replace", "to replace", "replaced"),
    "delete": _Look("-", "delete", "to delete", "deleted"),
    "retain": _Look("-", "delete (kept in Descope: retainOnDelete)", "to forget", "forgotten"),
    "drift": _Look("~", "differs in Descope", "differ in Descope", "differ in Descope"),
    "gone": _Look("-", "gone from Descope", "gone from Descope", "gone from Descope"),
    "same": _Look(" ", "same", "unchanged", "unchanged"),
    "read": _Look(" ", "same", "unchanged", "unchanged"),
}


@dataclass(frozen=True)
class FieldChange:
    """One input that differs: its dotted path, and its value before and after (`_ABSENT`
    where the key is missing on that side)."""

    path: str
    old: Any
    new: Any


def _leaves(value: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, item in value.items():
        if not prefix and str(key).startswith("__"):
            continue
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(item, Mapping) and item:
            yield from _leaves(item, path)
        else:
            yield path, item


def field_changes(
    olds: Mapping[str, Any], news: Mapping[str, Any], *, every_key: bool = False
) -> list[FieldChange]:
    """The inputs that differ between `olds` and `news`, by dotted path, in path order.

    Only the top-level keys both sides have are compared, unless `every_key`: a provider's
    side inputs (what Check adds, such as a tenant's attribute definitions) are not read back
    by a refresh, and their absence there is no change. An empty mapping on one side and keys
    under the same path on the other are listed by those keys alone."""
    if not every_key:
        shared = olds.keys() & news.keys()
        olds = {k: v for k, v in olds.items() if k in shared}
        news = {k: v for k, v in news.items() if k in shared}
    before, after = dict(_leaves(olds)), dict(_leaves(news))
    paths = before.keys() | after.keys()
    return [
        FieldChange(path, before.get(path, _ABSENT), after.get(path, _ABSENT))
        for path in sorted(paths)
        if before.get(path, _ABSENT) != after.get(path, _ABSENT)
        and not any(other.startswith(f"{path}.") for other in paths)
    ]


def is_secret(path: str, secrets: frozenset[str]) -> bool:
    """Whether the input at `path` is shown masked (see the module docstring)."""
    parts = path.split(".")
    if any("secret" in part.lower() for part in parts):
        return True
    return any(".".join(parts[: n + 1]) in secrets for n in range(len(parts)))


def _whole(value: Any) -> Any:
    """`value` with whole floats as integers (gRPC's Struct carries every number as a float)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {k: _whole(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole(v) for v in value]
    return value


def _shown(value: Any, *, secret: bool, full: bool) -> str:
    if value is _ABSENT:
        return "(none)"
    if secret and value not in (None, ""):
        return SECRET
    text = json.dumps(_whole(value), ensure_ascii=False, sort_keys=True, default=str)
    return text if full or len(text) <= SHORT else text[: SHORT - 1] + "…"


def _field_lines(step: Step, full: bool) -> list[str]:
    if step.op in ("update", "replace", "drift") and step.olds is not None and step.news:
        changes = field_changes(step.olds, step.news)
    elif step.op == "create" and full and step.news:
        changes = field_changes({}, step.news, every_key=True)
    else:
        return []
    lines = []
    for change in changes:
        secret = is_secret(change.path, step.secrets)
        old = _shown(change.old, secret=secret, full=full)
        new = _shown(change.new, secret=secret, full=full)
        lines.append(
            f"{change.path}: {new}" if step.op == "create" else f"{change.path}: {old} → {new}"
        )
    return lines


def _what(step: Step) -> str:
    if step.error:
        return f"{_LOOKS[step.op].label} failed"
    if step.op == "replace" and step.replaces:
        return f"replace (a change of {', '.join(step.replaces)} replaces it)"
    return _LOOKS[step.op].label


def render(result: Result, *, planned: bool, show_same: bool = False, full: bool = False) -> str:
    """The run's steps, then its summary (`summary`). `planned`: a preview (``to create``);
    `show_same`: list unchanged resources too (``= same``); `full`: ``--diff``."""
    rows: list[tuple[Step, str, str, str, str]] = []
    for step in result.steps:
        if step.op in ("same", "read") and not (show_same or step.error):
            continue
        sign = "=" if step.op in ("same", "read") else _LOOKS[step.op].sign
        kind = step.type.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
        rows.append((step, sign, kind, step.name, _what(step)))
    kind_width = max((len(row[2]) for row in rows), default=0)
    name_width = max((len(row[3]) for row in rows), default=0)
    lines = []
    for step, sign, kind, name, what in rows:
        lines.append(f"  {sign:<2} {kind:<{kind_width}}  {name:<{name_width}}  {what}")
        lines.extend(f"       {line}" for line in _field_lines(step, full))
    lines.append(summary(result, planned=planned))
    return "\n".join(lines)


def summary(result: Result, *, planned: bool) -> str:
    """``Resources: 2 to update, 1 to create, 14 unchanged`` (or ``2 updated, ...`` after the
    run); failed steps are counted apart."""
    order = [*_LOOKS, "failed"]
    counts: dict[str, int] = {}
    for step in sorted(result.steps, key=lambda s: order.index("failed" if s.error else s.op)):
        look = _LOOKS[step.op]
        key = "failed" if step.error else look.planned if planned else look.done
        counts[key] = counts.get(key, 0) + 1
    return "Resources: " + (", ".join(f"{n} {what}" for what, n in counts.items()) or "none")
