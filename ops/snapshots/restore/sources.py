"""Restore, reading sources: a provider snapshot, a full backup or a `pulumi stack export`
file, read into one `Source` in the configuration's terms (see `ops.snapshots.restore`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model.flow import unwrap_theme_export
from ops.errors import OpsError
from ops.files import (
    read_json,
)
from ops.project.authorization import permission_entry, role_entry
from ops.project.convert import spec_from_descope, spec_from_outputs
from ops.project.sso import (
    inputs_from_outputs,
)
from ops.snapshots.backup import BACKUP_FORMAT
from providers.answers.sso import OUTPUT_ONLY_KEYS as SSO_OUTPUT_KEYS
from providers.answers.sso import inputs_from_descope
from providers.backups import FORMAT as SNAPSHOT_FORMAT
from providers.backups import SnapshotFormatError, read_snapshot

TENANT_TYPE = "pulumi-python:dynamic/descope:Tenant"
FLOW_TYPE = "pulumi-python:dynamic/descope:Flow"
THEME_TYPE = "pulumi-python:dynamic/descope:Theme"
ROLE_TYPE = "pulumi-python:dynamic/descope:Role"
PERMISSION_TYPE = "pulumi-python:dynamic/descope:Permission"
SSO_TYPE = "pulumi-python:dynamic/descope:SSOConfiguration"
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
        spec["parent"] = spec.get("parent") or parent  # held under it: the snapshot's nesting
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


def choose(source: Source, kind: str, wanted: list[str], everything: bool) -> list[str]:
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
