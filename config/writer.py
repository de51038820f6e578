"""Writing configuration back as YAML, in the format `load_configuration` reads.

Used by export and restore tooling. The text is a pure function of its inputs (same data, same
text): keys in the models' order, custom attributes sorted, values equal to their default left
out, and ``${`` in any value escaped as ``$${`` so that loading the text gives the values back.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

import yaml
from pydantic import BaseModel

from model import AttributeDefinition, PermissionSpec, RoleSpec, SessionSettings, TenantSpec
from model.sso import TenantSSO

DEFAULT_SCHEMA_REFERENCE = "../tenants.schema.json"
"""The schema as seen from config/tenants/<stack>.yaml."""


class FlowRef(Protocol):
    """What the writer needs of a flow entry (a `config.FlowEntry` has it)."""

    @property
    def id(self) -> str: ...
    @property
    def file(self) -> Path: ...
    @property
    def delete_on_remove(self) -> bool: ...


class ThemeRef(Protocol):
    """What the writer needs of a theme entry (a `config.ThemeEntry` has it)."""

    @property
    def file(self) -> Path: ...


def dump_tenants_yaml(
    tenants: Iterable[TenantSpec | Mapping[str, Any]],
    flows: Iterable[FlowRef] = (),
    theme: ThemeRef | None = None,
    *,
    defaults: Mapping[str, Any] | None = None,
    tenant_attributes: Mapping[str, AttributeDefinition] | None = None,
    permissions: Iterable[PermissionSpec] | None = None,
    roles: Iterable[RoleSpec] | None = None,
    tenant_roles: Mapping[str, Iterable[RoleSpec]] | None = None,
    tenant_sso: Mapping[str, TenantSSO | Mapping[str, Any]] | None = None,
    files_relative_to: Path | None = None,
    schema: str | None = DEFAULT_SCHEMA_REFERENCE,
    comment: str | None = None,
) -> str:
    """A YAML document declaring `tenants`, `flows` and `theme`, ready to write to a file.

    A tenant given as a mapping instead of a `TenantSpec` is written as it is, unchecked (for
    an export of values the model refuses, so the user can fix them in the file).

    Flow and theme file paths are written relative to `files_relative_to` (the stack's
    flowsDir, or the YAML file's folder) when given, else as they are. `schema` adds the
    yaml-language-server comment pointing editors at the JSON Schema; `comment` adds lines of
    explanation at the top. Tenant values equal to `defaults` are still written in full.
    `tenant_attributes`, `permissions` and `roles` are written when given (None leaves the
    section out: unmanaged); `tenant_roles` adds each tenant's own roles to its entry, and
    `tenant_sso` its ``sso:`` (a mapping is written as it is, unchecked). An SSO
    ``clientSecret`` is written as the ``${name}`` reference it is, not escaped.
    """
    header: list[str] = []
    if schema:
        header.append(f"# yaml-language-server: $schema={schema}")
    header.extend(f"# {line}".rstrip() for line in (comment or "").splitlines())
    sections: list[dict[str, Any]] = []
    if tenant_attributes is not None:
        definitions = {
            name: d.model_dump(mode="json", exclude_none=True)
            for name, d in tenant_attributes.items()
        }
        sections.append({"tenantAttributes": _escape(definitions)})
    for key, entries in (("permissions", permissions), ("roles", roles)):
        if entries is not None:
            sections.append({key: [_declared(entry) for entry in entries]})
    if defaults:
        sections.append({"defaults": _escape(dict(defaults))})
    own_roles = {tid: [_declared(r) for r in rs] for tid, rs in (tenant_roles or {}).items()}
    entries_written = []
    for tenant in tenants:
        entry = _tenant(tenant)
        tenant_id = entry.get("id")
        if isinstance(tenant_id, str) and own_roles.get(tenant_id):
            entry["roles"] = own_roles[tenant_id]
        if isinstance(tenant_id, str) and (tenant_sso or {}).get(tenant_id) is not None:
            entry["sso"] = sso_entry((tenant_sso or {})[tenant_id])
        entries_written.append(entry)
    sections.append({"tenants": entries_written})
    flow_list = [
        {
            "id": flow.id,
            "file": _relative(flow.file, files_relative_to),
            **({"deleteOnRemove": True} if flow.delete_on_remove else {}),
        }
        for flow in flows
    ]
    if flow_list:
        sections.append({"flows": _escape(flow_list)})
    if theme is not None:
        sections.append({"theme": _escape({"file": _relative(theme.file, files_relative_to)})})
    body = "\n".join(_dump(section) for section in sections)
    return "\n".join(header) + "\n" + body if header else body


def _tenant(tenant: TenantSpec | Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(tenant, TenantSpec):
        unchecked: dict[str, Any] = _escape(_unchecked(tenant, TenantSpec))
        return unchecked
    data = tenant.model_dump(mode="json", exclude_defaults=True)
    if "customAttributes" in data:
        data["customAttributes"] = dict(sorted(data["customAttributes"].items()))
    if tenant.settings is not None:
        data["settings"] = tenant.settings.model_dump(mode="json", exclude_defaults=True)
    result: dict[str, Any] = _escape(data)
    return result


def sso_entry(sso: TenantSSO | Mapping[str, Any]) -> dict[str, Any]:
    """A tenant's ``sso:`` as the file writes it: defaults left out, strings escaped, each
    OIDC ``clientSecret`` reference kept as it is."""
    data = (
        sso.model_dump(mode="json", exclude_defaults=True)
        if isinstance(sso, TenantSSO)
        else dict(sso)
    )
    if isinstance(sso, TenantSSO) and sso.managedBy == "customer":
        data = {"managedBy": "customer"}
    written: dict[str, Any] = _escape(data)
    for raw, out in (
        (data, written),
        *zip(data.get("additional") or [], written.get("additional") or [], strict=True),
    ):
        oidc = raw.get("oidc") if isinstance(raw, Mapping) else None
        if isinstance(oidc, Mapping) and "clientSecret" in oidc:
            out["oidc"]["clientSecret"] = oidc["clientSecret"]
    return written


def _declared(entry: PermissionSpec | RoleSpec) -> dict[str, Any]:
    declared: dict[str, Any] = _escape(entry.model_dump(mode="json", exclude_defaults=True))
    return declared


def _unchecked(data: Mapping[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    """`data` as written, not validated: the model's keys in its order, defaults left out."""
    result: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        key = field.alias or name
        if key not in data:
            continue
        value = data[key]
        default = field.get_default(call_default_factory=True)
        if value == default:
            continue
        if key == "settings" and isinstance(value, Mapping):
            value = _unchecked(value, SessionSettings)
        result[key] = value
    return result


def _relative(file: Path, base: Path | None) -> str:
    if base is None:
        return Path(file).as_posix()
    return Path(os.path.relpath(file, base)).as_posix()


def _escape(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _escape(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_escape(v) for v in value]
    if isinstance(value, str):
        return value.replace("${", "$${")
    return value


def _dump(section: dict[str, Any]) -> str:
    return yaml.safe_dump(
        section,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
        indent=2,
    )
