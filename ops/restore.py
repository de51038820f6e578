"""`restore`: put tenants, flows and the theme from a backup back INTO CODE; ``pulumi up`` applies
them.

SOURCE is any of:

- a provider snapshot (``descope-config-snapshot/1``, written before a delete or overwrite)
  of a tenant, a flow or the theme;
- a full backup (``descope-config-backup/1``, from `ops backup`);
- a ``pulumi stack export`` file (``{"version": 3, "deployment": {"resources": [...]}}``):
  the recorded outputs of ``pulumi-python:dynamic/descope:Tenant``, ``...:Flow`` and
  ``...:Theme`` resources.

Each chosen tenant is written into the stack's tenants YAML as a fully expanded entry (every
value written out, so ``defaults:`` cannot change it), replacing the entry with that id or
appended; other entries are kept. Its ``adopt``/``protect``/``cascadeDelete`` are kept; a new
entry gets ``adopt: true``. Each chosen flow is written to its flow file (normalised, sorted,
the stack's ``${variables}`` written back: the form `export` writes), and an entry is added to
``flows:`` when missing. The theme (``--theme``, or ``--all``) is written to the configuration's
theme file as ``{"theme": {...}}`` (the same way); a ``theme:`` entry is added when missing, its
file beside the flow files. What the code already holds (a tenant that loads as the backup holds
it, a file whose normalised content, the stack's variables substituted, is the backup's) is left
as it is and reported ``unchanged``: an unchanged restore changes no file. The result is
validated with the configuration loader (and rolled back if it does not validate).
Then ``pulumi preview`` shows what the restore will change in Descope, and ``pulumi up`` does it.

Local edits are never overwritten silently: a target file with uncommitted changes in git is
refused, and outside git a target entry or flow file that exists with other content is
refused; ``--force`` overrides both. When an entry changes, the YAML file is rewritten as a
whole, so its comments other than the header are not kept: review the change with ``git diff``.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from config import ConfigurationErrors
from config.variables import substitute
from model import normalise_flow_export, normalise_theme
from model.flow import unwrap_theme_export
from model.tenant import MANAGEMENT_KEYS, RESOURCE_OPTION_KEYS
from ops.backup import BACKUP_FORMAT
from ops.convert import (
    entry_for_yaml,
    flow_text,
    spec_from_descope,
    spec_from_outputs,
    theme_text,
    yaml_text,
)
from ops.errors import OpsError
from ops.export import THEME_FILE
from ops.files import read_json, write_atomic
from ops.stack import StackSettings, load_stack_configuration
from providers.backups import FORMAT as SNAPSHOT_FORMAT
from providers.backups import SnapshotFormatError, read_snapshot

TENANT_TYPE = "pulumi-python:dynamic/descope:Tenant"
FLOW_TYPE = "pulumi-python:dynamic/descope:Flow"
THEME_TYPE = "pulumi-python:dynamic/descope:Theme"
_SECRET_SIG = "4dabf18193072939515e22adb298388d"
"""The key Pulumi marks a secret value with in a stack export."""


@dataclass
class Source:
    """What a backup file holds, in the configuration's terms."""

    path: Path
    kind: str
    tenants: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Tenant id -> full `TenantSpec` dict."""
    flows: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Flow id -> flow export."""
    theme: dict[str, Any] | None = None
    """The theme object (the inside of a theme export), when the source holds one."""


def _bad_source(path: Path, why: str) -> OpsError:
    return OpsError(
        f"{path} {why}. Give a provider snapshot ({SNAPSHOT_FORMAT}), a full backup "
        f"({BACKUP_FORMAT}, from `python -m ops backup`) or a `pulumi stack export` file."
    )


def _tenant_from_wire(path: Path, item: Any) -> dict[str, Any]:
    if not isinstance(item, Mapping) or not isinstance(item.get("tenant"), Mapping):
        raise _bad_source(path, 'holds a tenant that is not {"tenant": {...}, "settings": {...}}')
    settings = item.get("settings")
    try:
        return spec_from_descope(
            item["tenant"], settings if isinstance(settings, Mapping) else None
        )
    except (ValueError, KeyError) as exc:
        raise _bad_source(path, f"holds a tenant that is not valid ({exc})") from None


def _theme(path: Path, content: Any) -> dict[str, Any]:
    theme = unwrap_theme_export(content)
    if not isinstance(theme, Mapping):
        raise _bad_source(path, "holds a theme that is not a JSON object")
    return dict(theme)


def _flow_id(path: Path, export: Any) -> str:
    flow = export.get("flow") if isinstance(export, Mapping) else None
    if not isinstance(flow, Mapping) or not flow.get("id"):
        raise _bad_source(path, 'holds a flow that is not a flow export {"flow": {"id": ...}}')
    return str(flow["id"])


def _from_stack_export(path: Path, data: Mapping[str, Any]) -> Source:
    source = Source(path, "pulumi stack export")
    deployment = data.get("deployment")
    resources = deployment.get("resources") if isinstance(deployment, Mapping) else None
    if not isinstance(resources, list):
        raise _bad_source(path, "has no deployment.resources list")
    for resource in resources:
        if not isinstance(resource, Mapping):
            continue
        outputs = resource.get("outputs")
        kind = resource.get("type")
        if kind not in (TENANT_TYPE, FLOW_TYPE, THEME_TYPE) or not isinstance(outputs, Mapping):
            continue
        secret = [k for k, v in outputs.items() if isinstance(v, Mapping) and _SECRET_SIG in v]
        wanted = {"content"} if kind != TENANT_TYPE else set(outputs) - {"__provider"}
        if set(secret) & wanted:
            raise OpsError(
                f"{path}: resource {resource.get('urn')} has encrypted outputs "
                f"({', '.join(sorted(secret))}). Export the state again with "
                "`pulumi stack export --show-secrets --file <file>` and restore from that file."
            )
        if kind == TENANT_TYPE:
            try:
                spec = spec_from_outputs(outputs)
            except ValueError as exc:
                raise _bad_source(
                    path, f"holds tenant outputs that are not valid ({exc})"
                ) from None
            source.tenants[str(spec["id"])] = spec
        elif kind == THEME_TYPE:
            if "content" in outputs:
                source.theme = _theme(path, outputs["content"])
        else:
            content = outputs.get("content")
            flow_id = str(outputs.get("flowId") or _flow_id(path, content))
            if not isinstance(content, Mapping):
                raise _bad_source(path, f'holds flow "{flow_id}" without its content')
            source.flows[flow_id] = dict(content)
    return source


def read_source(path: Path) -> Source:
    """Read SOURCE, whichever of the three kinds it is; `OpsError` if it is none of them."""
    data = read_json(path, "The restore source")
    if not isinstance(data, Mapping):
        raise _bad_source(path, "is not a JSON object")
    if data.get("format") == SNAPSHOT_FORMAT:
        try:
            snapshot = read_snapshot(path)
        except SnapshotFormatError as exc:
            raise _bad_source(path, f"is a damaged snapshot ({exc})") from None
        source = Source(path, f"{snapshot.kind} snapshot ({snapshot.reason})")
        if snapshot.kind == "tenant":
            source.tenants[snapshot.id] = _tenant_from_wire(path, snapshot.content)
        elif snapshot.kind == "flow":
            source.flows[_flow_id(path, snapshot.content)] = dict(snapshot.content)
        else:
            source.theme = _theme(path, snapshot.content)
        return source
    if data.get("format") == BACKUP_FORMAT:
        source = Source(path, "full backup")
        for item in data.get("tenants") or []:
            spec = _tenant_from_wire(path, item)
            source.tenants[str(spec["id"])] = spec
        for export in data.get("flows") or []:
            source.flows[_flow_id(path, export)] = dict(export)
        if data.get("theme") is not None:
            source.theme = _theme(path, data["theme"])
        return source
    if "deployment" in data:
        return _from_stack_export(path, data)
    raise _bad_source(path, "is not a file restore can read")


def _choose(source: Source, kind: str, wanted: list[str], everything: bool) -> list[str]:
    held = source.tenants if kind == "tenant" else source.flows
    if everything:
        return sorted(held)
    unknown = [item for item in wanted if item not in held]
    if unknown:
        listing = ", ".join(sorted(held)) or "none"
        raise OpsError(
            f"{kind.capitalize()} {', '.join(repr(u) for u in unknown)} is not in "
            f"{source.path} ({source.kind}; it holds {kind}s: {listing}). Check the --{kind} id."
        )
    return list(dict.fromkeys(wanted))


def git_dirty(path: Path) -> bool | None:
    """Whether `path` has uncommitted changes (or is untracked); None outside a git work tree."""
    folder = path.parent if path.parent.is_dir() else Path.cwd()
    try:
        inside = subprocess.run(
            ["git", "rev-parse", "--is-inside-work-tree"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
        if inside.returncode != 0 or inside.stdout.strip() != "true":
            return None
        status = subprocess.run(
            ["git", "status", "--porcelain", "--", path.name],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    if status.returncode != 0:
        return None
    return bool(status.stdout.strip())


@dataclass
class _Plan:
    yaml_path: Path
    yaml_before: str | None
    yaml_after: str
    files: dict[Path, str]
    """Flow and theme files whose content changes -> new text."""
    conflicts: list[tuple[Path, str]]
    """Targets that exist with other content: (file, what)."""
    outcomes: list[str] = field(default_factory=list)
    """One line per chosen item: ``tenant acme: unchanged``, ``theme: restored -> <file>``."""

    @property
    def yaml_changes(self) -> bool:
        return self.yaml_before != self.yaml_after

    @property
    def targets(self) -> list[Path]:
        """The files the restore writes."""
        return [*([self.yaml_path] if self.yaml_changes else []), *self.files]


def _load_raw(path: Path) -> tuple[dict[str, Any], str | None, str]:
    """The YAML document as written (variables unsubstituted), its text and its header."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {"tenants": []}, None, ""
    except OSError as exc:
        raise OpsError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise OpsError(f"{path} is not valid YAML ({exc}); fix it before restoring.") from None
    if data is None:
        data = {"tenants": []}
    if not isinstance(data, dict) or not isinstance(data.get("tenants", []), list):
        raise OpsError(f"{path} is not a configuration file (a mapping with a tenants list).")
    header = "".join(line for line in text.splitlines(keepends=True)[: _header_length(text)])
    return data, text, header


def _header_length(text: str) -> int:
    count = 0
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        count += 1
    return count


def _comparable(spec: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in spec.items() if k not in MANAGEMENT_KEYS}


def _effective_tenants(stack: StackSettings) -> dict[str, dict[str, Any]]:
    """Each tenant as the configuration now loads it (defaults merged); {} if it does not load."""
    try:
        configuration = load_stack_configuration(stack)
    except ConfigurationErrors:
        return {}
    return {
        t.id: _comparable(t.model_dump(mode="json", exclude=set(RESOURCE_OPTION_KEYS)))
        for t in configuration.tenants
    }


def _file_json(path: Path, variables: Mapping[str, str]) -> Any:
    """A flow or theme file's JSON with `variables` substituted, or None if it is unusable."""
    try:
        data, problems = substitute(json.loads(path.read_text(encoding="utf-8")), variables)
    except (OSError, ValueError, RecursionError):
        return None
    return None if problems else data


def _flow_file_content(path: Path, variables: Mapping[str, str]) -> dict[str, Any] | None:
    """The normalised export in a flow file, as the stack loads it, or None if it holds none."""
    try:
        return normalise_flow_export(_file_json(path, variables))
    except (KeyError, TypeError, AttributeError):
        return None


def _theme_file_content(path: Path, variables: Mapping[str, str]) -> dict[str, Any] | None:
    """The normalised theme in a theme file ``{"theme": {...}}``, as the stack loads it, or None
    if it holds none."""
    data = _file_json(path, variables)
    if not isinstance(data, Mapping) or set(data) != {"theme"}:
        return None
    return normalise_theme(data["theme"]) if isinstance(data["theme"], Mapping) else None


def _target(stack: StackSettings, file: str) -> Path:
    path = Path(file)
    return path if path.is_absolute() else stack.files_base / path


def _theme_entry(doc: dict[str, Any], flow_entries: list[Any], yaml_path: Path) -> bool:
    """Make sure `doc` has a ``theme:`` entry naming a file; True when one was added."""
    if "theme" in doc:
        entry = doc["theme"]
        if not isinstance(entry, Mapping) or not isinstance(entry.get("file"), str):
            raise OpsError(
                f"The theme: entry in {yaml_path} is not `theme: {{file: <theme file>}}`; fix "
                "it (`python -m ops validate` shows the problem), then restore again."
            )
        return False
    flow_files = {str(e.get("file")) for e in flow_entries if isinstance(e, Mapping)}
    doc["theme"] = {"file": THEME_FILE if THEME_FILE not in flow_files else "project-theme.json"}
    return True


@dataclass
class _Draft:
    """The plan being made: the YAML document as parsed, and what changes."""

    stack: StackSettings
    source: Source
    doc: dict[str, Any]
    changed: bool
    """Whether the YAML document changed."""
    files: dict[Path, str] = field(default_factory=dict)
    conflicts: list[tuple[Path, str]] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)


def _plan_tenants(draft: _Draft, tenants: list[str], yaml_exists: bool) -> None:
    yaml_path = draft.stack.tenants_file
    entries: list[Any] = list(draft.doc.get("tenants") or [])
    keep_nulls = bool(draft.doc.get("defaults"))
    effective = _effective_tenants(draft.stack) if yaml_exists else {}
    for tenant_id in tenants:
        spec = draft.source.tenants[tenant_id]
        index = next(
            (i for i, e in enumerate(entries) if isinstance(e, dict) and e.get("id") == tenant_id),
            None,
        )
        if index is not None and effective.get(tenant_id) == _comparable(spec):
            draft.outcomes.append(f"tenant {tenant_id}: unchanged")
            continue
        old = entries[index] if index is not None else None
        management = (
            {k: old.get(k) for k in MANAGEMENT_KEYS} if isinstance(old, dict) else {"adopt": True}
        )
        entry = entry_for_yaml(spec, management=management, keep_nulls=keep_nulls)
        if index is None:
            entries.append(entry)
        else:
            if old != entry:
                draft.conflicts.append((yaml_path, f'tenant "{tenant_id}" in {yaml_path}'))
            entries[index] = entry
        draft.changed = True
        draft.outcomes.append(f"tenant {tenant_id}: restored -> {yaml_path}")
    draft.doc["tenants"] = entries


def _plan_flows(draft: _Draft, flows: list[str]) -> None:
    flow_entries: list[Any] = list(draft.doc.get("flows") or [])
    for flow_id in flows:
        existing = next(
            (e for e in flow_entries if isinstance(e, dict) and e.get("id") == flow_id), None
        )
        if existing is None or not isinstance(existing.get("file"), str):
            existing = {"id": flow_id, "file": f"{flow_id}.json"}
            flow_entries.append(existing)
            draft.changed = True
        target = _target(draft.stack, existing["file"])
        wanted = normalise_flow_export(draft.source.flows[flow_id])
        if target.exists() and _flow_file_content(target, draft.stack.variables) == wanted:
            draft.outcomes.append(f"flow {flow_id}: unchanged")
            continue
        if target.exists():
            draft.conflicts.append((target, f'flow "{flow_id}" in {target}'))
        draft.files[target] = flow_text(wanted, draft.stack.variables)
        draft.outcomes.append(f"flow {flow_id}: restored -> {target}")
    if flow_entries:
        draft.doc["flows"] = flow_entries


def _plan_theme(draft: _Draft) -> None:
    if draft.source.theme is None:
        draft.outcomes.append("theme: not in this backup")
        return
    yaml_path = draft.stack.tenants_file
    flow_entries = list(draft.doc.get("flows") or [])
    draft.changed = _theme_entry(draft.doc, flow_entries, yaml_path) or draft.changed
    target = _target(draft.stack, draft.doc["theme"]["file"])
    wanted = normalise_theme(draft.source.theme)
    if target.exists() and _theme_file_content(target, draft.stack.variables) == wanted:
        draft.outcomes.append("theme: unchanged")
        return
    if target.exists():
        draft.conflicts.append((target, f"the theme in {target}"))
    draft.files[target] = theme_text(wanted, draft.stack.variables)
    draft.outcomes.append(f"theme: restored -> {target}")


def _plan(
    stack: StackSettings,
    source: Source,
    tenants: list[str],
    flows: list[str],
    *,
    theme: bool = False,
) -> _Plan:
    doc, before, header = _load_raw(stack.tenants_file)
    draft = _Draft(stack, source, doc, changed=before is None)
    _plan_tenants(draft, tenants, yaml_exists=before is not None)
    _plan_flows(draft, flows)
    if theme:
        _plan_theme(draft)
    after = before if before is not None and not draft.changed else _render(doc, header)
    return _Plan(stack.tenants_file, before, after, draft.files, draft.conflicts, draft.outcomes)


def _render(doc: dict[str, Any], header: str) -> str:
    ordered: dict[str, Any] = {
        k: doc[k] for k in ("defaults", "tenants", "flows", "theme") if k in doc
    }
    ordered.update({k: v for k, v in doc.items() if k not in ordered})
    return yaml_text(ordered, header)


def _refuse_local_edits(plan: _Plan) -> None:
    states = {path: git_dirty(path) for path in plan.targets if path.exists()}
    dirty = [str(p) for p, state in states.items() if state]
    if dirty:
        raise OpsError(
            f"Not restoring: {', '.join(dirty)} has uncommitted changes that the restore would "
            "overwrite. Commit or stash them first (`git status`), or pass --force."
        )
    outside_git = [what for path, what in plan.conflicts if states.get(path) is None]
    if outside_git:
        raise OpsError(
            f"Not restoring: {'; '.join(outside_git)} exists with other content, and it is not "
            "in git, so the change could not be undone. Pass --force to overwrite it."
        )


def _write(plan: _Plan) -> list[Path]:
    written: list[Path] = []
    if plan.yaml_changes:
        written.append(write_atomic(plan.yaml_path, plan.yaml_after))
    written.extend(write_atomic(path, text) for path, text in plan.files.items())
    return written


def _roll_back(plan: _Plan, previous: dict[Path, str | None]) -> None:
    for path, text in previous.items():
        if text is None:
            path.unlink(missing_ok=True)
        else:
            write_atomic(path, text)


def _check_effective(stack: StackSettings, source: Source, tenants: list[str]) -> None:
    load_stack_configuration(stack)  # raises ConfigurationErrors with every problem
    loaded = _effective_tenants(stack)
    for tenant_id in tenants:
        if loaded.get(tenant_id) != _comparable(source.tenants[tenant_id]):
            raise OpsError(
                f'After writing, tenant "{tenant_id}" in {stack.tenants_file} does not load as '
                "the backup holds it (the file's defaults: merge into it, for example "
                "customAttributes). Nothing was changed. Move the defaults into the entries, "
                "then restore again."
            )


def restore(
    stack: StackSettings,
    source: Source,
    *,
    tenants: list[str],
    flows: list[str],
    theme: bool = False,
    force: bool,
) -> tuple[list[Path], list[str]]:
    """Write the chosen tenants, flows and theme into code.

    Returns the files changed and one line per chosen item saying what became of it.
    """
    plan = _plan(stack, source, tenants, flows, theme=theme)
    if not force:
        _refuse_local_edits(plan)
    previous: dict[Path, str | None] = {
        path: path.read_text(encoding="utf-8") if path.exists() else None for path in plan.files
    }
    previous[plan.yaml_path] = plan.yaml_before
    written = _write(plan)
    try:
        _check_effective(stack, source, tenants)
    except ConfigurationErrors as exc:
        _roll_back(plan, previous)
        raise OpsError(
            f"The restored configuration does not validate, so it was put back as it was:\n{exc}"
        ) from None
    except OpsError:
        _roll_back(plan, previous)
        raise
    return written, plan.outcomes


def _holdings(source: Source) -> str:
    return (
        f"It holds tenants: {', '.join(sorted(source.tenants)) or 'none'}; "
        f"flows: {', '.join(sorted(source.flows)) or 'none'}; "
        f"theme: {'yes' if source.theme is not None else 'no'}."
    )


def run(
    stack: StackSettings,
    source_path: Path,
    *,
    tenants: list[str],
    flows: list[str],
    theme: bool = False,
    everything: bool,
    force: bool,
) -> int:
    source = read_source(source_path)
    if not (tenants or flows or theme or everything):
        raise OpsError(
            f"Say what to restore from {source_path}: --tenant ID and/or --flow ID (each may be "
            f"repeated), --theme, or --all. {_holdings(source)}"
        )
    if theme and source.theme is None:
        raise OpsError(
            f"The theme is not in {source_path} ({source.kind}). {_holdings(source)} "
            "Choose a full backup, a theme snapshot or a stack export that holds it."
        )
    chosen_tenants = _choose(source, "tenant", tenants, everything)
    chosen_flows = _choose(source, "flow", flows, everything)
    written, outcomes = restore(
        stack,
        source,
        tenants=chosen_tenants,
        flows=chosen_flows,
        theme=theme or everything,
        force=force,
    )
    print(f"Restored from {source_path} ({source.kind}) into the code of stack {stack.name}:")
    for line in outcomes:
        print(f"  {line}")
    if written:
        print("Files changed: " + ", ".join(str(p) for p in written))
    else:
        print("The code already held this content; no file changed.")
        return 0
    print(
        f"Next: review with `git diff`, then `pulumi preview --stack {stack.name}` shows what "
        f"the restore changes in Descope, and `pulumi up --stack {stack.name}` applies it."
    )
    return 0
