"""The checking framework: where each problem of a configuration file is, and whose it is.

`Reporter` collects the problems of one file, turning a path in the document into what a
person needs: the line, the tenant, flow, role or permission it belongs to, and the field.
`MergedTenant` is a tenant entry as written and as checked (merged with ``defaults:``), with
`MergedTenant.origin` saying where a merged value was written.

The checks themselves live beside it: `config.validate` (the document as a whole),
`config.sso` (``sso:`` entries) and `config.access_keys` (``accessKeys:``); they import this
module, and it imports none of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from config.errors import ConfigProblem
from model import Problem, TenantSpec
from model.roles import RoleSpec
from model.text import shown

if TYPE_CHECKING:
    from pathlib import Path

    from config.loader import YamlPath


class Reporter:
    """Collects problems about one file, locating each by its path in the document."""

    def __init__(self, file: Path, data: Any, lines: dict[YamlPath, int]) -> None:
        self.file = file
        self.data = data
        self.lines = lines
        self._problems: list[ConfigProblem] = []
        self._seen: set[ConfigProblem] = set()
        self.settled: set[YamlPath] = set()
        """Paths already reported as unusable (a failed substitution): not reported again."""

    def add(self, path: YamlPath, message: str, *, line: int | None = None) -> None:
        """Record `message` about the value at `path`; `line` defaults to the path's own line."""
        if path in self.settled:
            return
        subject, inner = self._subject(path)
        problem = ConfigProblem(
            file=self.file,
            line=line if line is not None else self.line_of(path),
            subject=subject,
            field=Problem(inner, message).field,
            message=message,
        )
        if problem not in self._seen:
            self._seen.add(problem)
            self._problems.append(problem)

    def line_of(self, path: YamlPath) -> int | None:
        """The line of the value at `path`, or of its nearest written parent."""
        for end in range(len(path), 0, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None

    @property
    def problems(self) -> list[ConfigProblem]:
        """Every problem, in order of line (whole-file problems first), without repeats."""
        return sorted(self._problems, key=lambda p: p.line or 0)

    def _subject(self, path: YamlPath) -> tuple[str, YamlPath]:
        section = path[0] if path else None
        if section in ("tenants", "flows") and len(path) >= 2 and isinstance(path[1], int):
            kind = "tenant" if section == "tenants" else "flow"
            return label(kind, self.data[section][path[1]], path[1]), path[2:]
        if section in ("theme", "defaults"):
            return str(section), path[1:]
        if section == "tenantAttributes" and len(path) >= 2:
            return f'tenant attribute "{shown(str(path[1]))}"', path[2:]
        entries = self.data.get(section) if isinstance(self.data, dict) else None
        if (
            section in ("roles", "permissions")
            and len(path) >= 2
            and isinstance(path[1], int)
            and isinstance(entries, list)
            and path[1] < len(entries)
        ):
            kind = "role" if section == "roles" else "permission"
            return label(kind, entries[path[1]], path[1], key="name"), path[2:]
        return "file", path


def label(kind: str, entry: Any, index: int, *, key: str = "id") -> str:
    """``tenant "acme"``, or ``tenant #3`` when the entry has no usable id (`key`)."""
    entry_id = entry.get(key) if isinstance(entry, dict) else None
    if isinstance(entry_id, str) and entry_id:
        return f'{kind} "{shown(entry_id)}"'
    return f"{kind} #{index + 1}"


@dataclass
class MergedTenant:
    """A tenant as written, and as validated: merged with the defaults."""

    index: int
    written: dict[str, Any]
    """The entry as written, without its ``roles``."""
    defaults: dict[str, Any]
    roles: Any = None
    """The entry's ``roles`` as written; None when it has none."""
    sso: Any = None
    """The entry's ``sso`` as written; None when it has none."""
    access_keys: Any = None
    """The entry's ``accessKeys`` as written; None when it has none."""
    spec: TenantSpec | None = None
    """The merged tenant as a `TenantSpec`, set by `check_document` when it is valid."""
    role_specs: list[RoleSpec] | None = None
    """The tenant's roles, set by `check_document` when they are valid."""

    @cached_property
    def merged(self) -> dict[str, Any]:
        """The tenant's own values over the defaults, mappings merged key by key (once)."""
        return _deep_merge(self.defaults, self.written)

    def origin(self, path: YamlPath) -> YamlPath:
        """Where the value at `path` of the merged tenant was written: the tenant or defaults.

        A value written in neither place (a missing key) belongs to the tenant.
        """
        written: Any = self.written
        default: Any = self.defaults
        for key in path:
            if not isinstance(written, dict) or key in written:
                written = written.get(key) if isinstance(written, dict) else None
                default = default.get(key) if isinstance(default, dict) else None
                continue
            if isinstance(default, dict) and key in default:
                return ("defaults", *path)
            break
        return ("tenants", self.index, *path)


def _deep_merge(base: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    """`own` over `base`: mappings merge key by key, anything else in `own` replaces."""
    result = dict(base)
    for key, value in own.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = _deep_merge(result[key], value)
        else:
            result[key] = value
    return result
