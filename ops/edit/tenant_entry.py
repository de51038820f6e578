"""A restored tenant written into its YAML entry: the fewest keys, in the file's own forms.

`restore_entry` edits a tenant's entry (a round-trip tree, see `ops.edit.yaml_edit`) so that the
configuration loads the tenant as a backup holds it (a full `TenantSpec` dict), and `new_entry`
makes an entry from nothing the same way:

- a key whose written value already gives the wanted value is left as it is written;
- a key is not written when the ``defaults:`` block (merged as the loader merges it: mappings key
  by key) or the model's default already gives the wanted value, and a written key that is no
  longer needed is removed;
- ``null`` is written only where a default must be overridden by "unset";
- a string keeps its ``${name}`` references where its written form still expands to the wanted
  value, and a new string gets a reference where the file writes that variable the same way
  (``acme.${domainSuffix}`` in the file makes ``initech.dev.example.com`` into
  ``initech.${domainSuffix}``); a literal ``${`` is written ``$${``;
- a new list or mapping takes the flow or block style, and a new string the quotes, that the same
  key has in the file's other entries.

Values are compared as the configuration loader reads them (PyYAML, variables substituted), and
the loader has the last word: restore loads the written file and checks the tenant.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from config.reporting import Reporter
from config.validate import ENTRY_ONLY_KEYS, check_document
from config.variables import substitute, substitute_text
from model import SessionSettings, TenantSpec
from model.tenant import MANAGEMENT_KEYS
from ops.edit.yaml_edit import is_flow, plain_or_quoted, quote_of, styled


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Final = _Absent()
"""A key that is not there (not the same as a key set to null)."""

_REFERENCE = re.compile(r"\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}")
_TENANT_KEYS: Final = tuple(TenantSpec.model_fields)
_SETTINGS_KEYS: Final = tuple(SessionSettings.model_fields)
_ITEM: Final = "[]"
"""Path step for the items of a list, in `FileForms` paths."""
Context = tuple[str | None, str | None]
"""The characters right before and after a ``${name}`` in a string; None at either end."""


def model_defaults(model: type[BaseModel]) -> dict[str, Any]:
    return {
        name: info.get_default(call_default_factory=True)
        for name, info in model.model_fields.items()
    }


_TENANT_DEFAULTS: Final = model_defaults(TenantSpec)
_SETTINGS_DEFAULTS: Final = model_defaults(SessionSettings)


@dataclass(frozen=True)
class FileForms:
    """What restore needs to know of the file to write an entry as the file writes them."""

    defaults: Mapping[str, Any] = field(default_factory=dict)
    """The ``defaults:`` block as the loader merges it into every tenant (substituted)."""
    variables: Mapping[str, str] = field(default_factory=dict)
    references: Mapping[str, frozenset[Context]] = field(default_factory=dict)
    """Each variable the file refers to, and the contexts it is written in."""
    flow: Mapping[tuple[str, ...], bool] = field(default_factory=dict)
    """Per key path in a tenant entry: whether its list or mapping is written in flow style."""
    quotes: Mapping[tuple[str, ...], str | None] = field(default_factory=dict)
    """Per key path in a tenant entry (``[]`` for a list's items): how its strings are quoted."""

    def flow_for(self, path: tuple[str, ...]) -> bool:
        return self.flow.get(path, False)

    def quote_for(self, path: tuple[str, ...]) -> str | None:
        return self.quotes.get(path)

    def text(self, value: str, path: tuple[str, ...], quote: str | None = None) -> str:
        """`value` as a new scalar: references put back, literal ``${`` escaped, quoted."""
        return plain_or_quoted(self.written_form(value), quote or self.quote_for(path))

    def written_form(self, value: str) -> str:
        """The text to write so that substitution gives `value` back, with references where
        the file writes them in the same context."""
        escaped = value.replace("${", "$${")
        parts: list[str | tuple[str]] = [value]
        for name, expansion in sorted(self.variables.items(), key=lambda kv: -len(kv[1])):
            contexts = self.references.get(name)
            if expansion and contexts:
                parts = _refer(parts, name, expansion, contexts)
        candidate = "".join(
            part.replace("${", "$${") if isinstance(part, str) else "${" + part[0] + "}"
            for part in parts
        )
        if substitute_text(candidate, self.variables) == (value, None):
            return candidate
        return escaped


def _refer(
    parts: list[str | tuple[str]], name: str, expansion: str, contexts: frozenset[Context]
) -> list[str | tuple[str]]:
    """`parts` with each occurrence of `expansion` in a seen context replaced by ``(name,)``."""
    result: list[str | tuple[str]] = []
    for index, part in enumerate(parts):
        if not isinstance(part, str):
            result.append(part)
            continue
        start = search = 0
        while (found := part.find(expansion, search)) >= 0:
            end = found + len(expansion)
            before = part[found - 1] if found else ("}" if index > 0 else None)
            after = part[end] if end < len(part) else ("$" if index < len(parts) - 1 else None)
            if (before, after) not in contexts:
                search = found + 1
                continue
            if found > start:
                result.append(part[start:found])
            result.append((name,))
            start = search = end
        if start < len(part) or not part:
            result.append(part[start:])
    return result


def file_forms(raw: Any, entries: list[Any], variables: Mapping[str, str], path: Path) -> FileForms:
    """The forms of a configuration file: `raw` as PyYAML reads it (not substituted), `entries`
    the tenant entries as the round-trip loader reads them."""
    flow: dict[tuple[str, ...], bool] = {}
    quotes: dict[tuple[str, ...], str | None] = {}
    for entry in entries:
        for where, value in _walk(entry, ()):
            if isinstance(value, CommentedMap | CommentedSeq):
                flow.setdefault(where, is_flow(value))
            elif isinstance(value, str):
                quotes.setdefault(where, quote_of(value))
    return FileForms(
        defaults=effective_defaults(raw, variables, path),
        variables=dict(variables),
        references=_references(raw),
        flow=flow,
        quotes=quotes,
    )


def effective_defaults(raw: Any, variables: Mapping[str, str], path: Path) -> dict[str, Any]:
    """The ``defaults:`` of `raw` as the loader merges them into a tenant (substituted)."""
    defaults = raw.get("defaults") if isinstance(raw, Mapping) else None
    probe, _ = substitute({"defaults": defaults, "tenants": [{}]}, variables)
    merged = check_document(Reporter(path, probe, {}), probe).tenants
    return merged[0].defaults if merged else {}


def _walk(value: Any, where: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every value in a tenant entry and its path (custom attribute names as ``*``)."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            step = "*" if where == ("customAttributes",) else str(key)
            yield (*where, step), item
            yield from _walk(item, (*where, step))
    elif isinstance(value, list):
        for item in value:
            yield (*where, _ITEM), item
            yield from _walk(item, (*where, _ITEM))


def _references(raw: Any) -> dict[str, frozenset[Context]]:
    found: dict[str, set[Context]] = {}

    def visit(value: Any) -> None:
        if isinstance(value, Mapping):
            for item in value.values():
                visit(item)
        elif isinstance(value, list):
            for item in value:
                visit(item)
        elif isinstance(value, str) and "${" in value:
            for match in _REFERENCE.finditer(value):
                if match.group(1) is None:
                    continue
                before = value[match.start() - 1] if match.start() else None
                after = value[match.end()] if match.end() < len(value) else None
                found.setdefault(match.group(1), set()).add((before, after))

    visit(raw)
    return {name: frozenset(contexts) for name, contexts in found.items()}


def new_entry(spec: Mapping[str, Any], forms: FileForms) -> CommentedMap:
    """A tenant entry for `spec`, with ``adopt: true`` (the tenant may exist in Descope)."""
    entry = CommentedMap()
    entry["id"] = forms.text(str(spec["id"]), ("id",))
    restore_entry(entry, {"id": spec["id"]}, spec, forms)
    if forms.defaults.get("adopt") is not True:
        entry["adopt"] = True
    return entry


def restore_entry(
    entry: CommentedMap, written: Mapping[str, Any], spec: Mapping[str, Any], forms: FileForms
) -> None:
    """Edit `entry` so that it loads as `spec`; `written` is what the entry holds now, as the
    loader reads it (variables substituted). Its id, management keys and the keys that are not
    tenant fields (`ENTRY_ONLY_KEYS`: the tenant's own roles) are left alone."""
    for key in [k for k in entry if k not in _TENANT_KEYS and k not in ENTRY_ONLY_KEYS]:
        del entry[key]  # not a tenant key: the configuration would refuse the entry
    level = _Level((), forms.defaults, _TENANT_DEFAULTS, _TENANT_KEYS)
    keys = [k for k in _TENANT_KEYS if k != "id" and k not in MANAGEMENT_KEYS]
    _edit(entry, written, spec, keys=keys, level=level, forms=forms)


@dataclass(frozen=True)
class _Level:
    """A mapping being edited: the tenant entry, or its customAttributes or settings."""

    path: tuple[str, ...]
    defaults: Mapping[str, Any]
    """What the defaults block gives each key at this level."""
    fallbacks: Mapping[str, Any]
    """What the model gives a key that neither the entry nor the defaults set."""
    order: tuple[str, ...]
    """The order keys are written in (a key not in it goes last)."""


def _edit(
    node: CommentedMap,
    written: Mapping[str, Any],
    wanted: Mapping[str, Any],
    *,
    keys: list[str],
    level: _Level,
    forms: FileForms,
) -> None:
    for key in keys:
        want = wanted.get(key, ABSENT)
        have = written.get(key, ABSENT)
        default = level.defaults.get(key, level.fallbacks.get(key, ABSENT))
        where = (*level.path, "*" if level.path == ("customAttributes",) else key)
        if not level.path and key in ("customAttributes", "settings") and isinstance(want, dict):
            _edit_merged(node, key, have, want, default=default, forms=forms)
            continue
        if have is not ABSENT and same(have, want):
            continue  # as written
        if same(default, want) or want is ABSENT:
            if key in node:
                del node[key]
            continue
        put_in_order(node, key, value_node(want, node.get(key), where, forms), level.order)


def _edit_merged(
    node: CommentedMap,
    key: str,
    have: Any,
    want: dict[str, Any],
    *,
    default: Any,
    forms: FileForms,
) -> None:
    """A mapping the defaults merge into key by key: customAttributes or settings."""
    settings = key == "settings"
    current = node.get(key)
    in_place = isinstance(have, dict) and isinstance(current, CommentedMap)
    sub = current if in_place else styled(CommentedMap(), forms.flow_for((key,)))
    sub_written: Mapping[str, Any] = have if in_place else {}
    if settings:
        for unknown in [k for k in sub if k not in _SETTINGS_KEYS]:
            del sub[unknown]  # the configuration would refuse it
    was_empty = in_place and not sub
    keys = (
        list(_SETTINGS_KEYS) if settings else [*sub_written, *sorted(set(want) - set(sub_written))]
    )
    level = _Level(
        (key,),
        default if isinstance(default, dict) else {},
        _SETTINGS_DEFAULTS if settings else {},
        _SETTINGS_KEYS if settings else tuple(keys),
    )
    _edit(sub, sub_written, want, keys=keys, level=level, forms=forms)
    # An empty `settings:` still says "managed" unless the defaults have settings; an empty
    # customAttributes says nothing.
    needed = bool(sub) or (settings and not isinstance(default, dict))
    if in_place:
        if not sub and not needed and not was_empty:
            del node[key]
    elif needed:
        put_in_order(node, key, sub, _TENANT_KEYS)
    elif key in node:
        del node[key]


def put_in_order(node: CommentedMap, key: str, value: Any, order: tuple[str, ...]) -> None:
    """Set `key`, where it is if written, else after the keys that come before it in `order`."""
    if key in node:
        node[key] = value
        return
    rank = order.index(key) if key in order else len(order)
    position = 0
    for index, existing in enumerate(node):
        if (order.index(existing) if existing in order else len(order)) < rank:
            position = index + 1
    node.insert(position, key, value)


def value_node(want: Any, old: Any, where: tuple[str, ...], forms: FileForms) -> Any:
    """`want` as a value for the tree, reusing what `old` (the node written there) can give."""
    if isinstance(want, str):
        if isinstance(old, str) and substitute_text(str(old), forms.variables) == (want, None):
            return old
        if "\n" in want:  # a certificate: a literal block, as written by hand
            return LiteralScalarString(forms.written_form(want))
        return forms.text(want, where, quote_of(old) if isinstance(old, str) else None)
    if isinstance(want, list):
        old_items = list(old) if isinstance(old, list) else []
        quote = next((quote_of(i) for i in old_items if isinstance(i, str)), None)
        flow = is_flow(old) if isinstance(old, CommentedSeq) else forms.flow_for(where)
        items = CommentedSeq()
        for item in want:
            match = next((o for o in old_items if _written_as(o, item, forms)), ABSENT)
            if match is not ABSENT:
                old_items.remove(match)
                items.append(match)
            elif isinstance(item, str):
                items.append(forms.text(item, (*where, _ITEM), quote))
            else:
                items.append(value_node(item, None, (*where, _ITEM), forms))
        return styled(items, flow)
    if isinstance(want, dict):
        mapping = styled(CommentedMap(), forms.flow_for(where))
        for key, item in want.items():
            mapping[key] = value_node(item, None, (*where, key), forms)
        return mapping
    return want


def _written_as(old: Any, want: Any, forms: FileForms) -> bool:
    if isinstance(old, str) and isinstance(want, str):
        return substitute_text(str(old), forms.variables) == (want, None)
    return same(old, want)


def same(a: Any, b: Any) -> bool:
    """Equal as the configuration means it: true is not 1, 3.0 is 3, ABSENT only equals itself."""
    if a is ABSENT or b is ABSENT:
        return a is b
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return set(a) == set(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and bool(a == b)
