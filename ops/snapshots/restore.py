"""`restore`: put tenants, roles, permissions, flows and the theme from a backup back INTO CODE;
``pulumi up`` applies them.

SOURCE is any of:

- a provider snapshot (``descope-config-snapshot/1``, written before a delete or overwrite)
  of a tenant, a role, a permission, a flow or the theme; a tenant's ``content`` is
  ``{tenant, settings, sso?, roles?, subTenants?}`` (``sso`` as a full backup's ``tenants[].sso``,
  ``roles`` the tenant's own roles with their ``tenantId``, ``subTenants`` of the same shape; an
  older snapshot holds only ``tenant`` and ``settings``);
- a full backup (``descope-config-backup/1``, from `ops backup`);
- a ``pulumi stack export`` file (``{"version": 3, "deployment": {"resources": [...]}}``):
  the recorded outputs of ``pulumi-python:dynamic/descope:Tenant``, ``...:Role``,
  ``...:Permission``, ``...:Flow``, ``...:Theme`` and ``...:SSOConfiguration`` resources (not
  those pending deletion, ``"delete": true``: the old versions of replaced ones).

A tenant is restored as a unit: its SSO configurations (in a full backup, a tenant or ``sso``
snapshot or a stack export's SSOConfiguration resources) and its own roles come with it
(`run`'s ``with_sso`` and ``with_roles``: ``--no-sso``, ``--no-roles``). Its entry's ``sso:`` is
edited key by key (`ops.project.sso.restore_sso`), unless the entry says the customer manages it
(``managedBy: customer``: left as it is). The sub-tenants a tenant snapshot holds are listed,
and restored as entries of their own only when chosen (the YAML has no ``parent:`` key yet).
A restore never invents a client secret: an OIDC configuration's ``clientSecret`` keeps the
``${name}`` reference the entry has, or gets a placeholder reference, and the output says which
stack secret to set.

Each chosen tenant is written into the stack's tenants YAML, edited in place (`ops.edit.yaml_edit`):
only the restored entries change, every other line is kept as written. An entry that is there
is edited key by key (`ops.edit.tenant_entry`): what already loads as the backup holds it stays as
written, keys the ``defaults:`` block or the model already give are not written, ``${name}``
references are kept, and ``null`` is written only where a default must be overridden. A new
entry gets ``adopt: true`` and goes where the backup has it among its neighbours, written in the
forms the other entries use; existing ``adopt``/``protect``/``cascadeDelete`` are kept. Each
chosen flow is written to its flow file (normalised, sorted: the form `export` writes), and an
entry is added to ``flows:`` when missing. The theme (``--theme``, or ``--all``) is written to
the configuration's theme file as ``{"theme": {...}}`` (normalised); a ``theme:`` entry is added
when missing, its file beside the flow files. What the code already holds (a tenant that loads
as the backup holds it, a file with the same normalised content) is left as it is and reported
``unchanged``: an unchanged restore changes no file. After writing, the configuration is loaded
again (`config.load_configuration`) and each restored tenant compared with the backup; if
either fails, every file is put back as it was. Then ``pulumi preview`` shows what the restore
will change in Descope, and ``pulumi up`` does it.

Each chosen permission and role (``--permission NAME``, ``--role NAME`` for a project role,
``--role TENANT/NAME`` for a tenant's own role) is written into its entry under
``permissions:``, ``roles:`` or the tenant entry's ``roles:``, edited in place the same way
(`ops.edit.role_entry`), or added at the end of its list; a tenant's role needs its tenant's entry
(in the file, or restored with it).

A source taken from another Descope project or another stack (as far as it says) is refused
unless ``--from-other-stack``; a source holding an entry twice is refused, naming each and where
it is. A symlinked target file is written through its link.

Local edits are never overwritten silently: a target file with uncommitted changes in git is
refused, and outside git a target entry or flow file that exists with other content is
refused; ``--force`` overrides both. Review the change with ``git diff``.
"""

from __future__ import annotations

import json
import os
import subprocess
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
from model.flow import unwrap_theme_export
from model.sso import TenantSSO
from model.tenant import MANAGEMENT_KEYS, RESOURCE_OPTION_KEYS
from model.text import shown
from ops.edit.role_entry import declared, list_style, new_declaration, restore_declaration
from ops.edit.tenant_entry import FileForms, file_forms, new_entry, restore_entry
from ops.edit.yaml_edit import YamlEditError, YamlEditor, plain_or_quoted
from ops.errors import OpsError, ids_not_file_names, outside_folder
from ops.files import (
    missing_folders,
    read_json,
    remove_empty_folders,
)
from ops.inspect.export import THEME_FILE
from ops.progress import Progress
from ops.project.authorization import permission_entry, role_entry
from ops.project.convert import flow_text, spec_from_descope, spec_from_outputs, theme_text
from ops.project.sso import (
    ExportedSSO,
    inputs_from_outputs,
    restore_sso,
    sso_from_inputs,
    sso_with_configurations,
)
from ops.snapshots.backup import BACKUP_FORMAT
from ops.stack import StackSettings, load_stack_configuration
from providers.answers.sso import OUTPUT_ONLY_KEYS as SSO_OUTPUT_KEYS
from providers.answers.sso import inputs_from_descope
from providers.backups import FORMAT as SNAPSHOT_FORMAT
from providers.backups import SnapshotFormatError, read_snapshot
from standin.errors import StandinError
from standin.files import remove_stale_temp_files, write_atomic

TENANT_TYPE = "pulumi-python:dynamic/descope:Tenant"
FLOW_TYPE = "pulumi-python:dynamic/descope:Flow"
THEME_TYPE = "pulumi-python:dynamic/descope:Theme"
ROLE_TYPE = "pulumi-python:dynamic/descope:Role"
PERMISSION_TYPE = "pulumi-python:dynamic/descope:Permission"
SSO_TYPE = "pulumi-python:dynamic/descope:SSOConfiguration"
TEMP_TAG = "restore"
"""Restore's temp files are ``.<file name>.restore-XXXX.tmp``, beside the file they replace."""
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
    roles: dict[str, dict[str, Any]] = field(default_factory=dict)
    """``name`` (a project role) or ``tenant/name`` -> the role as the YAML declares it, with
    its ``tenantId``."""
    permissions: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Name -> the permission as the YAML declares it."""
    sso: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Tenant id -> its SSO configurations, as the SSO resource's inputs (no secret)."""
    partial_sso: set[str] = field(default_factory=set)
    """Tenants the source holds only some SSO configurations of (an ``sso`` snapshot holds
    one): the others are kept as the file writes them."""
    parents: dict[str, str] = field(default_factory=dict)
    """Sub-tenant id -> its parent's id, for the sub-tenants a tenant snapshot holds."""
    project_id: str | None = None
    """The Descope project the source was taken from, when it says."""
    stack: str | None = None
    """The stack the source was taken from, when it says."""
    places: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    """(kind, key) -> where in the file each entry for it is (``tenants[2]``): two or more
    places are duplicate entries (`duplicates`)."""

    def hold(self, kind: str, key: str, where: str) -> None:
        """Note that the entry for `kind` `key` is at `where` in the file."""
        self.places.setdefault((kind, key), []).append(where)

    def duplicates(self) -> list[str]:
        """Each entry the file holds more than once, with where: ``tenant "acme" (tenants[0],
        tenants[2])``."""
        return [
            f'{kind} "{key}" ({", ".join(places)})'
            for (kind, key), places in self.places.items()
            if len(places) > 1
        ]

    def add_role(self, held: Mapping[str, Any], where: str = "") -> None:
        """A role as Descope answers it (``permissionNames``, ``tenantId``)."""
        tenant = str(held.get("tenantId") or "")
        entry = {**role_entry(held), "tenantId": tenant}
        key = f"{tenant}/{entry['name']}" if tenant else entry["name"]
        self.hold("role", key, where)
        self.roles[key] = entry

    def add_permission(self, held: Mapping[str, Any], where: str = "") -> None:
        entry = permission_entry(held)
        self.hold("permission", entry["name"], where)
        self.permissions[entry["name"]] = entry

    def add_sso(self, tenant_id: str, inputs: dict[str, Any], where: str) -> None:
        """One SSO configuration of `tenant_id`, as the SSO resource's inputs."""
        sso_id = str(inputs.get("ssoId") or "")
        self.hold("SSO configuration", f"{tenant_id}/{sso_id or '(default)'}", where)
        self.sso.setdefault(tenant_id, []).append(inputs)

    @property
    def tenant_ids(self) -> set[str]:
        """Every tenant the source holds something of: its fields, its SSO, or both."""
        return set(self.tenants) | set(self.sso)


def _bad_source(path: Path, why: str) -> OpsError:
    return OpsError(
        f"{path} {why}. Give a provider snapshot ({SNAPSHOT_FORMAT}), a full backup "
        f"({BACKUP_FORMAT}, from `python -m ops backup`) or a `pulumi stack export` file."
    )


def _sso_from_wire(path: Path, loads: Any) -> list[dict[str, Any]]:
    if not isinstance(loads, list) or not all(isinstance(c, Mapping) for c in loads):
        raise _bad_source(path, "holds SSO configurations that are not a list of objects")
    return [inputs_from_descope(load) for load in loads]


def _add_tenant(source: Source, item: Any, where: str, *, parent: str | None = None) -> str:
    """A tenant as a full backup's ``tenants[]`` or a tenant snapshot's ``content`` holds it
    (``{tenant, settings, sso?, roles?, subTenants?}``): its fields, its SSO configurations,
    its own roles and, recursively, its sub-tenants. Returns its id."""
    spec = _tenant_from_wire(source.path, item)
    tenant_id = str(spec["id"])
    source.hold("tenant", tenant_id, where)
    source.tenants[tenant_id] = spec
    if parent is not None:
        source.parents[tenant_id] = parent
    if "sso" in item:
        source.sso.setdefault(tenant_id, [])
        for index, inputs in enumerate(_sso_from_wire(source.path, item["sso"])):
            source.add_sso(tenant_id, inputs, f"{where}.sso[{index}]")
    for index, held in enumerate(_wire_entries(source.path, item.get("roles"), "roles")):
        source.add_role(
            {**held, "tenantId": held.get("tenantId") or tenant_id}, f"{where}.roles[{index}]"
        )
    for index, child in enumerate(item.get("subTenants") or []):
        _add_tenant(source, child, f"{where}.subTenants[{index}]", parent=tenant_id)
    return tenant_id


def _wire_entries(path: Path, items: Any, kind: str) -> list[Mapping[str, Any]]:
    """A list of roles or permissions as Descope answers them (each with its name)."""
    if items is None:
        return []
    if not isinstance(items, list) or not all(
        isinstance(held, Mapping) and isinstance(held.get("name"), str) for held in items
    ):
        raise _bad_source(path, f"holds {kind} that are not Descope's entries")
    return items


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
    for index, resource in enumerate(resources):
        if not isinstance(resource, Mapping) or resource.get("delete") is True:
            continue  # pending deletion: the old version of a replaced resource
        where = f"deployment.resources[{index}]"
        source.stack = source.stack or _urn_stack(resource.get("urn"))
        outputs = resource.get("outputs")
        kind = resource.get("type")
        if kind == ROLE_TYPE and isinstance(outputs, Mapping):
            source.add_role({**outputs, "permissionNames": outputs.get("permissions")}, where)
            continue
        if kind == PERMISSION_TYPE and isinstance(outputs, Mapping):
            source.add_permission(outputs, where)
            continue
        if kind not in (TENANT_TYPE, FLOW_TYPE, THEME_TYPE, SSO_TYPE) or not isinstance(
            outputs, Mapping
        ):
            continue
        secret = [k for k, v in outputs.items() if isinstance(v, Mapping) and _SECRET_SIG in v]
        wanted = {"content"} if kind not in (TENANT_TYPE, SSO_TYPE) else set(outputs)
        wanted -= {"__provider", *(SSO_OUTPUT_KEYS if kind == SSO_TYPE else ())}
        if set(secret) & wanted:
            raise OpsError(
                f"{path}: resource {resource.get('urn')} has encrypted outputs "
                f"({', '.join(sorted(secret))}). Export the state again with "
                "`pulumi stack export --show-secrets --file <file>` and restore from that file."
            )
        if kind == SSO_TYPE:
            inputs = inputs_from_outputs(outputs)
            source.add_sso(str(inputs.get("tenantId") or ""), inputs, where)
        elif kind == TENANT_TYPE:
            try:
                spec = spec_from_outputs(outputs)
            except ValueError as exc:
                raise _bad_source(
                    path, f"holds tenant outputs that are not valid ({exc})"
                ) from None
            source.hold("tenant", str(spec["id"]), where)
            source.tenants[str(spec["id"])] = spec
        elif kind == THEME_TYPE:
            if "content" in outputs:
                source.hold("theme", "theme", where)
                source.theme = _theme(path, outputs["content"])
        else:
            content = outputs.get("content")
            flow_id = str(outputs.get("flowId") or _flow_id(path, content))
            if not isinstance(content, Mapping):
                raise _bad_source(path, f'holds flow "{flow_id}" without its content')
            source.hold("flow", flow_id, where)
            source.flows[flow_id] = dict(content)
    return source


def _urn_stack(urn: Any) -> str | None:
    """The stack in a resource's URN (``urn:pulumi:<stack>::<project>::...``)."""
    parts = str(urn or "").split("::", 1)[0].split(":")
    return parts[2] if len(parts) == 3 and parts[:2] == ["urn", "pulumi"] and parts[2] else None


def read_source(path: Path) -> Source:
    """Read SOURCE, whichever of the three kinds it is; `OpsError` if it is none of them, or if
    it holds an entry twice (naming each and where it is)."""
    source = _read_source(path)
    duplicates = source.duplicates()
    if duplicates:
        raise OpsError(
            f"Not restoring from {path}: it holds more than one entry for "
            f"{'; '.join(duplicates)}, and restore cannot tell which one is right. A backup "
            "holds each once, so this file was edited or damaged: remove the extra entries, or "
            "restore from another backup."
        )
    return source


def _read_source(path: Path) -> Source:
    data = read_json(path, "The restore source")
    if not isinstance(data, Mapping):
        raise _bad_source(path, "is not a JSON object")
    if data.get("format") == SNAPSHOT_FORMAT:
        try:
            snapshot = read_snapshot(path)
        except SnapshotFormatError as exc:
            raise _bad_source(path, f"is a damaged snapshot ({exc})") from None
        source = Source(path, f"{snapshot.kind} snapshot ({snapshot.reason})")
        source.project_id = snapshot.project_id
        if snapshot.kind == "tenant":
            _add_tenant(source, snapshot.content, "content")
        elif snapshot.kind in ("role", "permission"):
            held = snapshot.content.get(snapshot.kind)
            if not isinstance(held, Mapping) or not isinstance(held.get("name"), str):
                raise _bad_source(path, f"holds a {snapshot.kind} without its name")
            (source.add_role if snapshot.kind == "role" else source.add_permission)(held)
        elif snapshot.kind == "sso":
            (inputs,) = _sso_from_wire(path, [snapshot.content.get("sso")])
            tenant_id = str(inputs["tenantId"] or snapshot.id.split("/", 1)[0])
            source.add_sso(tenant_id, inputs, "content.sso")
            source.partial_sso.add(tenant_id)
        elif snapshot.kind == "flow":
            source.flows[_flow_id(path, snapshot.content)] = dict(snapshot.content)
        elif snapshot.kind == "accessKey":
            raise OpsError(
                f'{path} is a snapshot of access key "{snapshot.id}": it records that the key '
                "existed (its name, roles, status), not its secret, so a restore cannot bring the "
                "key back. Declare it again under its tenant's accessKeys: `pulumi up` then "
                "creates a new key with a new secret (the stack output accessKeys)."
            )
        else:
            source.theme = _theme(path, snapshot.content)
        return source
    if data.get("format") == BACKUP_FORMAT:
        source = Source(path, "full backup")
        source.project_id = _text_or_none(data.get("projectId"))
        source.stack = _text_or_none(data.get("stack"))
        for index, item in enumerate(data.get("tenants") or []):
            _add_tenant(source, item, f"tenants[{index}]")
        for index, export in enumerate(data.get("flows") or []):
            flow_id = _flow_id(path, export)
            source.hold("flow", flow_id, f"flows[{index}]")
            source.flows[flow_id] = dict(export)
        for kind, add in (("roles", source.add_role), ("permissions", source.add_permission)):
            for index, held in enumerate(_wire_entries(path, data.get(kind), kind)):
                add(held, f"{kind}[{index}]")
        if data.get("theme") is not None:
            source.theme = _theme(path, data["theme"])
        return source
    if "deployment" in data:
        return _from_stack_export(path, data)
    raise _bad_source(path, "is not a file restore can read")


def _text_or_none(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _choose(source: Source, kind: str, wanted: list[str], everything: bool) -> list[str]:
    held = {
        "tenant": source.tenant_ids,
        "flow": set(source.flows),
        "role": set(source.roles),
        "permission": set(source.permissions),
    }[kind]
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


def _comparable(spec: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in spec.items() if k not in MANAGEMENT_KEYS}


def _effective(
    stack: StackSettings, secrets_to_set: Collection[str] = ()
) -> tuple[dict[str, dict[str, Any]], dict[str, TenantSSO]]:
    """Each tenant as the configuration now loads it (defaults merged), and each tenant's SSO;
    both empty if it does not load."""
    try:
        configuration = load_stack_configuration(stack, secrets_to_set=secrets_to_set)
    except ConfigurationErrors:
        return {}, {}
    tenants = {
        t.id: _comparable(t.model_dump(mode="json", exclude=set(RESOURCE_OPTION_KEYS)))
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
    effective, effective_sso = _effective(draft.stack) if document.text is not None else ({}, {})
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
        tenant_same = spec is None or effective.get(tenant_id) == _comparable(spec)
        sso_same = wanted is None or effective_sso.get(tenant_id) == draft.sso[tenant_id]
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


def _plan(
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
) -> _Plan:
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
    return _Plan(
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


def _through_link(path: Path) -> Path:
    """The file a write to `path` changes: a symlink's target (the link stays a link)."""
    return path.resolve() if path.is_symlink() else path


def _refuse_local_edits(plan: _Plan) -> None:
    states = {path: git_dirty(_through_link(path)) for path in plan.targets if path.exists()}
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


def _write(plan: _Plan, written: list[Path]) -> None:
    """Write the plan's files, each atomically: flow and theme files first, then the YAML that
    names them, so the YAML never names a file not yet written. `written` grows as each file
    is in place. A file that is a symlink is written through it: its target changes."""
    for path, text in plan.files.items():
        write_atomic(_through_link(path), text, tag=TEMP_TAG)
        written.append(path)
    if plan.yaml_changes:
        write_atomic(_through_link(plan.yaml_path), plan.yaml_after, tag=TEMP_TAG)
        written.append(plan.yaml_path)


def _roll_back(
    written: list[Path], previous: Mapping[Path, str | None], created: list[Path]
) -> None:
    """Put the `written` files back as they were, the YAML first (it then names no file that
    is removed after it), then remove the folders `created` for them."""
    for path in reversed(written):
        text = previous[path]
        try:
            if text is None:
                path.unlink(missing_ok=True)
            else:
                write_atomic(_through_link(path), text, tag=TEMP_TAG)
        except (OSError, OpsError) as exc:
            raise OpsError(
                f"Restore failed, and {path} could not be put back as it was ({exc}). "
                "Check it with `git diff` / `git checkout -- <file>`."
            ) from None
    remove_empty_folders(created)


def _check_effective(
    stack: StackSettings,
    plan: _Plan,
    source: Source,
    roles: list[str] | None = None,
    permissions: list[str] | None = None,
) -> None:
    # raises ConfigurationErrors with every problem; the secrets to set are said afterwards
    configuration = load_stack_configuration(stack, secrets_to_set=plan.secrets)
    loaded_roles = {r.name: declared(r.model_dump()) for r in configuration.roles or []}
    for tenant_id, own in configuration.tenant_roles.items():
        loaded_roles |= {f"{tenant_id}/{r.name}": declared(r.model_dump()) for r in own}
    loaded_permissions = {p.name: declared(p.model_dump()) for p in configuration.permissions or []}
    for kind, chosen, held_now, held in (
        ("role", roles or [], loaded_roles, source.roles),
        ("permission", permissions or [], loaded_permissions, source.permissions),
    ):
        for key in chosen:
            if held_now.get(key) != declared(held[key]):
                raise OpsError(
                    f'After writing, {kind} "{key}" in {stack.tenants_file} does not load as the '
                    "backup holds it. Nothing was changed."
                )
    loaded, loaded_sso = _effective(stack, plan.secrets)
    for tenant_id, expected in plan.sso.items():
        if loaded_sso.get(tenant_id) != expected:
            raise OpsError(
                f'After writing, the SSO of tenant "{tenant_id}" in {stack.tenants_file} does '
                "not load as the backup holds it. Nothing was changed. Check the tenant's sso: "
                "entry, then restore again."
            )
    for tenant_id, spec in plan.tenants.items():
        if loaded.get(tenant_id) != _comparable(spec):
            raise OpsError(
                f'After writing, tenant "{tenant_id}" in {stack.tenants_file} does not load as '
                "the backup holds it (the file's defaults: merge into it, for example "
                "customAttributes). Nothing was changed. Move the defaults into the entries, "
                "then restore again."
            )


@dataclass(frozen=True)
class RestoreResult:
    """What `restore` did."""

    written: list[Path]
    """The files changed, in the order they were written."""
    outcomes: list[str]
    """One line per chosen item: ``tenant acme: unchanged``, ``theme: restored -> <file>``."""
    removed_temp_files: list[Path]
    """Temp files an interrupted earlier restore left behind, removed by this one."""
    secrets: list[str] = field(default_factory=list)
    """Stack secrets a restored SSO client secret names that the stack does not set."""


def restore(
    stack: StackSettings,
    source: Source,
    *,
    tenants: list[str],
    flows: list[str],
    theme: bool = False,
    force: bool,
    progress: Progress | None = None,
    roles: list[str] | None = None,
    permissions: list[str] | None = None,
    sso: bool = True,
) -> RestoreResult:
    """Write the chosen tenants (with their SSO configurations unless `sso` is false), roles,
    permissions, flows and theme into code.

    Whatever stops it (a write that fails, a result that does not load as the backup holds it,
    an interrupt), the files it wrote are put back as they were and its temp files removed.
    `progress` is told of each step (see `ops.progress`).
    """
    progress = progress or Progress.silent()
    plan = _plan(
        stack,
        source,
        tenants,
        flows,
        theme=theme,
        roles=roles,
        permissions=permissions,
        progress=progress,
        sso=sso,
    )
    if not force:
        _refuse_local_edits(plan)
    targets = [_through_link(path) for path in (plan.yaml_path, *plan.files)]
    folders = [targets[0].parent, stack.files_base, *(path.parent for path in targets[1:])]
    removed = remove_stale_temp_files(folders, TEMP_TAG)
    previous: dict[Path, str | None] = {
        path: path.read_text(encoding="utf-8") if path.exists() else None for path in plan.files
    }
    previous[plan.yaml_path] = plan.yaml_before
    created = missing_folders(previous)
    written: list[Path] = []
    try:
        _write(plan, written)
    except StandinError as exc:  # an OpsError, or a file write's failure (standin.files)
        _roll_back(written, previous, created)
        undone = " The files written before it were put back as they were." if written else ""
        raise OpsError(f"{exc} Nothing was restored.{undone}") from None
    except BaseException:
        _roll_back(written, previous, created)
        raise
    try:
        with progress.doing("check the restored configuration"):
            _check_effective(stack, plan, source, roles, permissions)
    except ConfigurationErrors as exc:
        _roll_back(written, previous, created)
        raise OpsError(
            f"The restored configuration does not validate, so it was put back as it was:\n{exc}"
        ) from None
    except BaseException:
        _roll_back(written, previous, created)
        raise
    return RestoreResult(written, plan.outcomes, removed, plan.secrets)


def _stack_project_id(stack: StackSettings) -> str | None:
    """The Descope project the stack manages, as the providers find it (stack config first,
    then ``DESCOPE_PROJECT_ID``); None when neither says."""
    return stack.get("descope:projectId") or os.environ.get("DESCOPE_PROJECT_ID") or None


def _refuse_other_origin(stack: StackSettings, source: Source) -> None:
    """Refuse a source taken from another Descope project or another stack (as far as it says
    where it was taken)."""
    project_id = _stack_project_id(stack)
    other_project = None not in (source.project_id, project_id) and source.project_id != project_id
    other_stack = source.stack is not None and source.stack != stack.name
    if not (other_project or other_stack):
        return
    taken = ", ".join(
        part
        for part in (
            f"Descope project {source.project_id}" if source.project_id else "",
            f"stack {source.stack}" if source.stack else "",
        )
        if part
    )
    manages = f" (Descope project {project_id})" if project_id else ""
    raise OpsError(
        f"Not restoring: {source.path} was taken from {taken}, not from stack {stack.name}"
        f"{manages}. Restoring it would write another project's or stack's content into this "
        "stack's code, and `pulumi up` would then create it here. If that is what you mean "
        "(copying a customer between stacks), run again with --from-other-stack."
    )


def _with_tenant_roles(
    source: Source, chosen: list[str], named: list[str], tenants: list[str], *, with_roles: bool
) -> list[str]:
    """The roles to restore: those `chosen` (`named` with --role, or all with --all), and each
    chosen tenant's own roles the source holds; without `with_roles`, a tenant's own role only
    when `named`."""
    if not with_roles:
        return [r for r in chosen if r in named or not source.roles[r].get("tenantId")]
    own = [key for key, role in source.roles.items() if role.get("tenantId") in tenants]
    return list(dict.fromkeys([*chosen, *sorted(own)]))


def _sub_tenant_notes(source: Source, tenants: list[str]) -> list[str]:
    """What the YAML cannot say yet about the sub-tenants a tenant snapshot holds."""
    notes: list[str] = []
    for child, parent in source.parents.items():
        if child in tenants:
            notes.append(
                f"tenant {child}: a sub-tenant of {parent} in Descope; the YAML has no parent "
                f"key yet, so it is restored as a tenant of its own (`pulumi up` creates a "
                f"missing one at the top level, not under {parent})"
            )
        elif parent in tenants:
            notes.append(
                f"tenant {parent}: its sub-tenant {child} is in {source.path.name} too, not "
                f"restored: add --tenant {child} to restore it"
            )
    return notes


def _holdings(source: Source) -> str:
    return (
        f"It holds tenants: {', '.join(sorted(source.tenant_ids)) or 'none'}; "
        f"roles: {', '.join(sorted(source.roles)) or 'none'}; "
        f"permissions: {', '.join(sorted(source.permissions)) or 'none'}; "
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
    roles: list[str] | None = None,
    permissions: list[str] | None = None,
    with_roles: bool = True,
    with_sso: bool = True,
    from_other_stack: bool = False,
) -> int:
    """`restore` from the command line: each chosen tenant comes with its own roles
    (`with_roles`) and its SSO configurations (`with_sso`) as the source holds them; a source
    taken from another stack or Descope project only with `from_other_stack`."""
    with Progress("restore") as progress:
        with progress.doing(f"read {source_path.name}"):
            source = read_source(source_path)
        if not from_other_stack:
            _refuse_other_origin(stack, source)
        if not (tenants or flows or theme or everything or roles or permissions):
            raise OpsError(
                f"Say what to restore from {source_path}: --tenant ID, --role NAME "
                "(TENANT/NAME for a tenant's own role), --permission NAME and/or --flow ID (each "
                f"may be repeated), --theme, or --all. {_holdings(source)}"
            )
        if theme and source.theme is None:
            raise OpsError(
                f"The theme is not in {source_path} ({source.kind}). {_holdings(source)} "
                "Choose a full backup, a theme snapshot or a stack export that holds it."
            )
        chosen = _choose(source, "tenant", tenants, everything)
        result = restore(
            stack,
            source,
            tenants=chosen,
            flows=_choose(source, "flow", flows, everything),
            roles=_with_tenant_roles(
                source,
                _choose(source, "role", roles or [], everything),
                roles or [],
                chosen,
                with_roles=with_roles,
            ),
            permissions=_choose(source, "permission", permissions or [], everything),
            theme=theme or everything,
            force=force,
            progress=progress,
            sso=with_sso,
        )
    if result.removed_temp_files:
        print(
            f"Removed {len(result.removed_temp_files)} temp file(s) an interrupted restore left "
            f"behind: {', '.join(str(p) for p in result.removed_temp_files)}"
        )
    print(f"Restored from {source_path} ({source.kind}) into the code of stack {stack.name}:")
    for line in [*result.outcomes, *_sub_tenant_notes(source, chosen)]:
        print(f"  {line}")
    for name in result.secrets:
        print(
            f"The SSO client secret is not in any backup (Descope never returns it): set it "
            f"with `pulumi config set --secret descope-config:{name} <the client secret> --stack "
            f"{stack.name}` before `pulumi up`."
        )
    if result.written:
        print("Files changed: " + ", ".join(str(p) for p in result.written))
    else:
        print("The code already held this content; no file changed.")
        return 0
    print(
        f"Next: review with `git diff`, then `pulumi preview --stack {stack.name}` shows what "
        f"the restore changes in Descope, and `pulumi up --stack {stack.name}` applies it."
    )
    return 0
