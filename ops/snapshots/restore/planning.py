"""Restore, planning: the edits a restore makes to the tenants YAML and the flow and theme
files, worked out in memory (`plan_restore`) before any file is touched (see
`ops.snapshots.restore`).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from config import ConfigurationErrors
from config.loader import InputError, parse_yaml
from config.sso import keep_secret_references, secret_reference_paths
from config.variables import substitute
from model import normalise_flow_export, normalise_theme
from model.filenames import OutsideFolder, file_name_problems, path_inside
from model.sso import TenantSSO
from model.tenant import MANAGEMENT_KEYS, RESOURCE_OPTION_KEYS
from model.text import shown
from ops.edit.role_entry import declared, list_style, new_declaration, restore_declaration
from ops.edit.tenant_entry import FileForms, file_forms, new_entry, restore_entry
from ops.edit.yaml_edit import YamlEditError, YamlEditor, plain_or_quoted
from ops.errors import OpsError, ids_not_file_names, outside_folder
from ops.inspect.export import THEME_FILE
from ops.progress import Progress
from ops.project.convert import flow_text, theme_text
from ops.project.sso import (
    ExportedSSO,
    restore_sso,
    sso_from_inputs,
    sso_with_configurations,
)
from ops.snapshots.restore.sources import Source
from ops.stack import StackSettings, load_stack_configuration


@dataclass
class Plan:
    yaml_path: Path
    yaml_before: str | None
    yaml_after: str
    files: dict[Path, str]
    """Flow and theme files whose content changes -> new text."""
    conflicts: list[tuple[Path, str]]
    """Targets that exist with other content: (file, what)."""
    outcomes: list[str] = field(default_factory=list)
    """One line per chosen item: ``tenant acme: unchanged``, ``theme: restored -> <file>``."""
    tenants: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Each restored tenant as the configuration must load it afterwards."""
    sso: dict[str, TenantSSO | None] = field(default_factory=dict)
    """Each restored tenant's SSO as the configuration must load it (None: no ``sso:``)."""
    secrets: list[str] = field(default_factory=list)
    """Stack secrets a restored client secret names that the stack does not set."""

    @property
    def yaml_changes(self) -> bool:
        return self.yaml_before != self.yaml_after

    @property
    def targets(self) -> list[Path]:
        """The files the restore writes."""
        return [*([self.yaml_path] if self.yaml_changes else []), *self.files]


@dataclass
class _Document:
    """The tenants YAML: its text, its values as the loader reads them, and an editor on it."""

    path: Path
    text: str | None
    """None when the file does not exist yet."""
    raw: dict[str, Any]
    """The document as the configuration loader reads it, variables not substituted."""
    editor: YamlEditor


def _read_document(path: Path) -> _Document:
    try:
        text: str | None = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = None
    except OSError as exc:
        raise OpsError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    try:
        data = parse_yaml(text).data if text is not None else None
        editor = YamlEditor(text or "")
    except (InputError, YamlEditError) as exc:
        why = exc.message if isinstance(exc, InputError) else str(exc)
        raise OpsError(
            f"{path} {why.rstrip('.')}; fix it before restoring (`python -m ops validate` shows "
            "the problem)."
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict) or not isinstance(data.get("tenants") or [], list):
        raise OpsError(f"{path} is not a configuration file (a mapping with a tenants list).")
    if text is None:
        editor.set_key("tenants", CommentedSeq())
    return _Document(path, text, data, editor)


def comparable(spec: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in spec.items() if k not in MANAGEMENT_KEYS}


def loaded_tenants(
    stack: StackSettings, secrets_to_set: Collection[str] = ()
) -> tuple[dict[str, dict[str, Any]], dict[str, TenantSSO]]:
    """Each tenant as the configuration now loads it (defaults merged), and each tenant's SSO;
    both empty if it does not load."""
    try:
        configuration = load_stack_configuration(stack, secrets_to_set=secrets_to_set)
    except ConfigurationErrors:
        return {}, {}
    tenants = {
        t.id: comparable(t.model_dump(mode="json", exclude=set(RESOURCE_OPTION_KEYS)))
        for t in configuration.tenants
    }
    return tenants, dict(configuration.tenant_sso)


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


def _target(draft: _Draft, what: str, file: str) -> Path:
    """Where the file of `what` goes: `file` in the stack's flows folder, refused (`OpsError`)
    when it leads outside that folder (`model.filenames.path_inside`)."""
    try:
        return path_inside(draft.stack.files_base, file)
    except OutsideFolder as exc:
        raise outside_folder(
            what,
            draft.stack.files_base / file,
            draft.stack.files_base,
            str(exc),
            f"Nothing was restored. Give {what} a file: inside that folder in "
            f"{draft.document.path}, then restore again.",
        ) from None


def _new_flow_files(draft: _Draft, flows: list[str]) -> None:
    """Refuse (`OpsError`, naming each flow) when a chosen flow the configuration does not list
    has an id that makes no plain file name (``<id>.json``), or one that is the file of another
    flow or of the theme on a case-insensitive file system."""
    listed = {
        str(e.get("id")): str(e.get("file"))
        for e in draft.flow_entries
        if isinstance(e, Mapping) and isinstance(e.get("file"), str)
    }
    new = {f'flow "{shown(f)}"': f"{f}.json" for f in flows if f not in listed}
    beside = {f'flow "{shown(f)}"': file for f, file in listed.items()}
    theme = draft.document.raw.get("theme")
    if isinstance(theme, Mapping) and isinstance(theme.get("file"), str):
        beside["the theme"] = theme["file"]
    problems = file_name_problems(new, beside=beside)
    if problems:
        raise ids_not_file_names(
            f"{draft.source.path} ({draft.source.kind})",
            problems,
            outcome="nothing was restored",
            fix="Leave these flows out: name each of the others with --flow instead of --all.",
        )


def _theme_file(draft: _Draft) -> str:
    """The theme file the configuration names; a ``theme:`` entry is added when missing."""
    raw = draft.document.raw
    yaml_path = draft.document.path
    if "theme" in raw:
        entry = raw["theme"]
        if not isinstance(entry, Mapping) or not isinstance(entry.get("file"), str):
            raise OpsError(
                f"The theme: entry in {yaml_path} is not `theme: {{file: <theme file>}}`; fix "
                "it (`python -m ops validate` shows the problem), then restore again."
            )
        file: str = entry["file"]
        return file
    flow_files = {str(e.get("file")) for e in draft.flow_entries if isinstance(e, Mapping)}
    file = THEME_FILE if THEME_FILE not in flow_files else "project-theme.json"
    draft.document.editor.set_key("theme", CommentedMap({"file": plain_or_quoted(file)}))
    return file


@dataclass
class _Draft:
    """The plan being made: the YAML document being edited, and what else changes."""

    stack: StackSettings
    source: Source
    document: _Document
    flow_entries: list[Any] = field(default_factory=list)
    """The ``flows:`` entries, as read and as added."""
    files: dict[Path, str] = field(default_factory=dict)
    conflicts: list[tuple[Path, str]] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    progress: Progress = field(default_factory=Progress.silent)
    tenants: dict[str, dict[str, Any]] = field(default_factory=dict)
    sso: dict[str, TenantSSO | None] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)
    with_sso: bool = True
    """Whether the tenants' SSO configurations are restored with them (``--no-sso``: not)."""


def _wanted_sso(draft: _Draft, tenant_id: str, written: Any) -> ExportedSSO | None:
    """The tenant's ``sso:`` as the source holds it; None to leave the entry's as it is (the
    source holds none for it, it is not asked for, or the customer manages it)."""
    if tenant_id not in draft.source.sso or not draft.with_sso:
        return None
    if isinstance(written, Mapping) and written.get("managedBy") == "customer":
        draft.outcomes.append(f"tenant {tenant_id}: SSO managed by the customer, left as it is")
        return None
    configurations = draft.source.sso[tenant_id]
    if tenant_id in draft.source.partial_sso:
        return sso_with_configurations(tenant_id, configurations, written=written)
    return sso_from_inputs(tenant_id, configurations, written=written)


def _expected_sso(wanted: ExportedSSO) -> TenantSSO | None:
    if wanted.data is None:
        return None
    try:
        return TenantSSO.model_validate(wanted.data)
    except ValueError:  # the load says what is wrong; the restore is then undone
        return None


def _owned_by_sso(spec: Mapping[str, Any]) -> dict[str, Any]:
    """`spec` as a tenant whose ``sso:`` owns its SSO domains and auth type loads it."""
    settings = spec.get("settings")
    if not isinstance(settings, Mapping):
        return dict(spec)
    return {**spec, "settings": {**settings, "domains": [], "authType": "none"}}


def _plan_tenants(draft: _Draft, tenants: list[str]) -> None:
    document = draft.document
    yaml_path = document.path
    raw_entries: list[Any] = list(document.raw.get("tenants") or [])
    references = secret_reference_paths({"tenants": raw_entries})
    substituted, found = substitute({"tenants": raw_entries}, draft.stack.variables)
    written = keep_secret_references(substituted, references, found)[0]["tenants"]
    loaded, loaded_sso = loaded_tenants(draft.stack) if document.text is not None else ({}, {})
    forms = file_forms(
        document.raw, document.editor.items("tenants"), draft.stack.variables, yaml_path
    )
    for tenant_id in draft.progress.each("restore tenants", tenants):
        spec = draft.source.tenants.get(tenant_id)
        index = _index_of(raw_entries, tenant_id)
        entry_written = written[index] if index is not None else {}
        written_sso = entry_written.get("sso") if isinstance(entry_written, Mapping) else None
        wanted = _wanted_sso(draft, tenant_id, written_sso)
        if spec is None and index is None:
            raise OpsError(
                f'{draft.source.path} holds the SSO of tenant "{tenant_id}" only, and '
                f"{yaml_path} has no entry for the tenant: restore the tenant from a full "
                "backup first, or add its entry."
            )
        has_sso = (wanted.data is not None) if wanted is not None else written_sso is not None
        if spec is not None:
            spec = _owned_by_sso(spec) if has_sso else spec
            draft.tenants[tenant_id] = spec
        if wanted is not None:
            draft.sso[tenant_id] = _expected_sso(wanted)
            options = draft.stack.options
            usable = set(options.secret_variables)
            if options.plain_secrets_allowed:
                usable.update(options.variables)
            draft.secrets.extend(n for n in wanted.secrets if n not in usable)
        tenant_same = spec is None or loaded.get(tenant_id) == comparable(spec)
        sso_same = wanted is None or loaded_sso.get(tenant_id) == draft.sso[tenant_id]
        if index is not None and tenant_same and sso_same:
            draft.outcomes.append(f"tenant {tenant_id}: unchanged")
            continue
        if index is not None:
            position = _index_of(document.editor.items("tenants"), tenant_id)
            if position is None:  # the two parsers disagree: a construct only one accepts
                raise OpsError(
                    f'{yaml_path}: the entry of tenant "{tenant_id}" cannot be edited in place '
                    "(the file uses YAML that the editor reads differently). Run `python -m ops "
                    "validate`, write the entry plainly, then restore again."
                )
            entry = document.editor.edit_item("tenants", position)
            if spec is not None:
                restore_entry(entry, entry_written, spec, forms)
            draft.conflicts.append((yaml_path, f'tenant "{tenant_id}" in {yaml_path}'))
        else:
            assert spec is not None  # refused above
            position = _position(document.editor.items("tenants"), tenant_id, draft.source)
            entry = new_entry(spec, forms)
            document.editor.insert_item("tenants", position, entry)
        if wanted is not None and not sso_same:
            if wanted.data is None:
                entry.pop("sso", None)
            else:
                restore_sso(entry, written_sso, wanted.data, forms)
        draft.outcomes.append(f"tenant {tenant_id}: restored -> {yaml_path}")


def _index_of(entries: list[Any], tenant_id: str) -> int | None:
    return next(
        (i for i, e in enumerate(entries) if isinstance(e, Mapping) and e.get("id") == tenant_id),
        None,
    )


def _position(entries: list[Any], tenant_id: str, source: Source) -> int:
    """Where a new entry goes: after the tenant the backup holds before it, else before the one
    it holds after it, among those in the file; else at the end."""
    order = list(dict.fromkeys([*source.tenants, *source.sso]))
    at = order.index(tenant_id)
    for neighbour in reversed(order[:at]):
        index = _index_of(entries, neighbour)
        if index is not None:
            return index + 1
    for neighbour in order[at + 1 :]:
        index = _index_of(entries, neighbour)
        if index is not None:
            return index
    return len(entries)


def _forms(draft: _Draft) -> FileForms:
    document = draft.document
    return file_forms(
        document.raw, document.editor.items("tenants"), draft.stack.variables, document.path
    )


def _written(raw: Any, variables: Mapping[str, str]) -> list[Any]:
    """A list of entries as the loader reads it (variables substituted; [] when not a list)."""
    data, _ = substitute(raw if isinstance(raw, list) else [], variables)
    return data if isinstance(data, list) else []


def _by_name(entries: list[Any], name: str) -> int | None:
    return next(
        (i for i, e in enumerate(entries) if isinstance(e, Mapping) and e.get("name") == name),
        None,
    )


def _unchanged(draft: _Draft, what: str, written: list[Any], wanted: Mapping[str, Any]) -> bool:
    """Whether the list, as the loader reads it, already declares `wanted` (said so if so)."""
    index = _by_name(written, wanted["name"])
    if index is not None and declared(written[index]) == declared(wanted):
        draft.outcomes.append(f"{what}: unchanged")
        return True
    return False


def _restore_top(draft: _Draft, key: str, what: str, wanted: Mapping[str, Any]) -> None:
    """`wanted` into the top-level list `key` (``permissions`` or ``roles``)."""
    editor, yaml_path = draft.document.editor, draft.document.path
    written = _written(draft.document.raw.get(key), draft.stack.variables)
    if _unchanged(draft, what, written, wanted):
        return
    listed = editor.items(key)
    flow, forms = list_style(listed), _forms(draft)
    index, position = _by_name(written, wanted["name"]), _by_name(listed, wanted["name"])
    if index is not None and position is not None:
        entry = editor.edit_item(key, position)
        restore_declaration(entry, written[index], wanted, forms, flow=flow)
        draft.conflicts.append((yaml_path, f"{what} in {yaml_path}"))
    else:
        editor.insert_item(key, len(listed), new_declaration(wanted, forms, flow=flow))
    draft.outcomes.append(f"{what}: restored -> {yaml_path}")


def _restore_own(draft: _Draft, what: str, wanted: Mapping[str, Any]) -> None:
    """`wanted`, a tenant's own role, into its tenant entry's ``roles:``."""
    editor, yaml_path = draft.document.editor, draft.document.path
    tenant_id = str(wanted["tenantId"])
    position = _index_of(editor.items("tenants"), tenant_id)
    if position is None:
        raise OpsError(
            f'Role "{wanted["name"]}" belongs to tenant "{tenant_id}", which {yaml_path} does '
            f"not declare: restore the tenant with it (--tenant {tenant_id}), or add its entry "
            "first."
        )
    raw_tenants = draft.document.raw.get("tenants") or []
    raw_index = _index_of(raw_tenants, tenant_id)
    raw_entry = raw_tenants[raw_index] if raw_index is not None else {}
    written = _written(raw_entry.get("roles"), draft.stack.variables)
    if _unchanged(draft, what, written, wanted):
        return
    all_own = [e.get("roles") for e in editor.items("tenants") if isinstance(e, Mapping)]
    flow = list_style([r for own in all_own if isinstance(own, list) for r in own])
    forms = _forms(draft)
    entry = editor.edit_item("tenants", position)
    own = entry.get("roles")
    if not isinstance(own, CommentedSeq):
        own = CommentedSeq()
        entry["roles"] = own
    index, at = _by_name(written, wanted["name"]), _by_name(list(own), wanted["name"])
    if index is not None and at is not None:
        restore_declaration(own[at], written[index], wanted, forms, flow=flow)
        draft.conflicts.append((yaml_path, f"{what} in {yaml_path}"))
    else:
        own.append(new_declaration(wanted, forms, flow=flow))
    draft.outcomes.append(f"{what}: restored -> {yaml_path}")


def _plan_authorization(draft: _Draft, roles: list[str], permissions: list[str]) -> None:
    for name in permissions:
        _restore_top(draft, "permissions", f"permission {name}", draft.source.permissions[name])
    for key in roles:
        wanted = draft.source.roles[key]
        if wanted.get("tenantId"):
            _restore_own(draft, f"role {key}", wanted)
        else:
            _restore_top(draft, "roles", f"role {key}", wanted)


def _plan_flows(draft: _Draft, flows: list[str]) -> None:
    _new_flow_files(draft, flows)
    for flow_id in draft.progress.each("restore flows", flows):
        existing = next(
            (e for e in draft.flow_entries if isinstance(e, Mapping) and e.get("id") == flow_id),
            None,
        )
        if existing is None or not isinstance(existing.get("file"), str):
            existing = {"id": flow_id, "file": f"{flow_id}.json"}
            draft.flow_entries.append(existing)
            editor = draft.document.editor
            editor.insert_item(
                "flows",
                len(editor.items("flows")),
                CommentedMap({k: plain_or_quoted(v) for k, v in existing.items()}),
            )
        target = _target(draft, f'flow "{shown(flow_id)}"', existing["file"])
        wanted = normalise_flow_export(draft.source.flows[flow_id])
        if target.exists() and _flow_file_content(target, draft.stack.variables) == wanted:
            draft.outcomes.append(f"flow {flow_id}: unchanged")
            continue
        if target.exists():
            draft.conflicts.append((target, f'flow "{flow_id}" in {target}'))
        draft.files[target] = flow_text(wanted, draft.stack.variables)
        draft.outcomes.append(f"flow {flow_id}: restored -> {target}")


def _plan_theme(draft: _Draft) -> None:
    if draft.source.theme is None:
        draft.outcomes.append("theme: not in this backup")
        return
    target = _target(draft, "the theme", _theme_file(draft))
    wanted = normalise_theme(draft.source.theme)
    if target.exists() and _theme_file_content(target, draft.stack.variables) == wanted:
        draft.outcomes.append("theme: unchanged")
        return
    if target.exists():
        draft.conflicts.append((target, f"the theme in {target}"))
    draft.files[target] = theme_text(wanted, draft.stack.variables)
    draft.outcomes.append(f"theme: restored -> {target}")


def plan_restore(
    stack: StackSettings,
    source: Source,
    tenants: list[str],
    flows: list[str],
    *,
    theme: bool = False,
    progress: Progress,
    roles: list[str] | None = None,
    permissions: list[str] | None = None,
    sso: bool = True,
) -> Plan:
    with progress.doing(f"read {stack.tenants_file.name}"):
        document = _read_document(stack.tenants_file)
    flow_entries = document.raw.get("flows")
    draft = _Draft(stack, source, document, list(flow_entries or []), progress=progress)
    draft.with_sso = sso
    _plan_tenants(draft, tenants)
    _plan_authorization(draft, roles or [], permissions or [])
    _plan_flows(draft, flows)
    if theme:
        _plan_theme(draft)
    after = document.editor.text()
    return Plan(
        stack.tenants_file,
        document.text,
        after,
        draft.files,
        draft.conflicts,
        draft.outcomes,
        tenants=draft.tenants,
        sso=draft.sso,
        secrets=sorted(set(draft.secrets)),
    )
