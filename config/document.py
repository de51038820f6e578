"""The shape of a configuration file, as pydantic models (and the JSON Schema made from them).

A file has these top-level keys: ``tenantAttributes`` (the project's tenant custom-attribute
definitions, `model.attributes`), ``permissions`` and ``roles`` (the project's, `model.roles`),
``defaults`` (values merged into every tenant), ``tenants`` (`TenantEntrySpec`: a
`model.TenantSpec` and the tenant's own roles), ``flows`` (`FlowEntrySpec`) and ``theme``
(`ThemeEntrySpec`). Every model forbids unknown keys. The defaults models are derived from the
tenant models, field by field, with every field optional and no cross-field rule (those apply to
each merged tenant), so a rule about tenants is still written once, in `model`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, create_model

from model import SessionSettings, TenantSpec
from model.access_keys import AccessKeys
from model.attributes import TenantAttributes
from model.flow import flow_export_problems
from model.roles import Permissions, ProjectRoles, TenantRoles
from model.sso import TenantSSO

SCHEMA_ID = "https://descope-config.invalid/tenants.schema.json"
"""A stable identifier for the schema; the file itself is `config/tenants.schema.json`."""


def _check_flow_id(value: str) -> str:
    """A flow id, worded as the flow export rules word it."""
    for problem in flow_export_problems({"flow": {"id": value}}):
        raise ValueError(f"the flow id {problem.message}" if not value else problem.message)
    return value


FlowId = Annotated[str, AfterValidator(_check_flow_id)]

_FORBID = ConfigDict(extra="forbid", frozen=True)


class FlowEntrySpec(BaseModel):
    """One flow managed from an exported JSON file."""

    model_config = _FORBID

    id: FlowId = Field(description="The flow id; must equal flow.id inside the file.")
    file: str = Field(
        min_length=1,
        description="The flow export (JSON), relative to the stack's flowsDir if set, "
        "else to this file's folder.",
    )
    deleteOnRemove: StrictBool = Field(
        False,
        description="Delete the flow from Descope when this entry is removed; by default "
        "removing the entry only stops managing the flow.",
    )


class ThemeEntrySpec(BaseModel):
    """The project's theme, managed from an exported JSON file."""

    model_config = _FORBID

    file: str = Field(
        min_length=1,
        description='Descope\'s theme export ({"theme": {...}}), resolved like flow files.',
    )


def _partial(
    model: type[BaseModel],
    name: str,
    *,
    exclude: frozenset[str] = frozenset(),
    replace: dict[str, Any] | None = None,
) -> type[BaseModel]:
    """`model`'s fields, each optional and with its own constraints, without model validators."""
    fields: dict[str, Any] = {}
    for field_name, info in model.model_fields.items():
        if field_name in exclude:
            continue
        annotation: Any = (replace or {}).get(field_name)
        if annotation is None:
            annotation = info.annotation
            if info.metadata:
                annotation = Annotated[(annotation, *info.metadata)]
        fields[field_name] = (annotation | None, Field(None, description=info.description))
    return create_model(
        name,
        __config__=_FORBID,
        __doc__=f"Defaults for {model.__name__}: any of its keys, each optional.",
        **fields,
    )


if TYPE_CHECKING:

    class SettingsDefaults(BaseModel):
        """Typed as a plain model for the type checker; built from `SessionSettings`."""

    class TenantDefaults(BaseModel):
        """Typed as a plain model for the type checker; built from `TenantSpec`."""

else:
    SettingsDefaults = _partial(SessionSettings, "SettingsDefaults")
    TenantDefaults = _partial(
        TenantSpec,
        "TenantDefaults",
        exclude=frozenset({"id", "name", "parent"}),
        replace={"settings": SettingsDefaults},
    )


class TenantEntrySpec(TenantSpec):
    """A tenant entry as the file writes it: the tenant, and the roles that exist in it only.

    The loader splits `roles`, `sso` and `accessKeys` off: the tenant resource manages a
    `model.TenantSpec`, the tenant's roles, SSO configurations and access keys are declarations
    of their own (`config.Configuration.tenant_roles`, `config.Configuration.tenant_sso`,
    `config.Configuration.tenant_access_keys`).
    """

    roles: TenantRoles = Field(
        default_factory=list,
        description="Roles that exist in this tenant only (Descope's tenant-scoped roles); "
        "their names may not be those of project roles.",
    )
    sso: TenantSSO | None = Field(
        None,
        description="The tenant's SSO: its default configuration (saml or oidc, domains, "
        "group mappings, default roles, redirect URL) and further ones (additional), or "
        "managedBy: customer. Owns settings.domains and settings.authType.",
    )
    accessKeys: AccessKeys = Field(
        default_factory=list,
        description="Access keys bound to this tenant, each an AccessKey resource; the secret "
        "of one created by Pulumi is the stack's secret output accessKeys.<tenant>.<name>.",
    )


def _without_null(schema: dict[str, Any]) -> None:
    """The schema of a section that may be absent but not empty: null is left out of it.

    The model accepts null for such a section, and `config.validate` refuses it with a message
    of its own (absent and empty mean different things); the schema lets an editor flag it.
    """
    branches = schema.pop("anyOf", [])
    schema.pop("default", None)
    schema.update(next((b for b in branches if b.get("type") != "null"), {}))


class ConfigDocument(BaseModel):
    """A stack's configuration file: tenants, flows and the theme Descope should have."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="Descope configuration")

    tenantAttributes: TenantAttributes | None = Field(
        None,
        json_schema_extra=_without_null,
        description="The project's tenant custom attributes, by name. Descope refuses a value "
        "for an attribute the project does not define. Omit to leave custom attributes "
        "unchecked (managed outside this file).",
    )
    permissions: Permissions | None = Field(
        None,
        json_schema_extra=_without_null,
        description="The project's permissions. Omit to leave permissions unmanaged (roles' "
        "permissions are then unchecked); [] declares none.",
    )
    roles: ProjectRoles | None = Field(
        None,
        json_schema_extra=_without_null,
        description="The project's roles, available to every tenant. Omit to leave roles "
        "unmanaged (tenants' defaultRoles are then unchecked); [] declares none.",
    )
    defaults: TenantDefaults | None = Field(
        None,
        description="Merged into every tenant (mappings such as settings and customAttributes "
        "key by key); a tenant's own value wins.",
    )
    tenants: list[TenantEntrySpec] = Field(
        description="Every tenant of the project that this stack manages. Write [] for none."
    )
    flows: list[FlowEntrySpec] = Field(
        default_factory=list, description="Flows managed from exported JSON files."
    )
    theme: ThemeEntrySpec | None = Field(None, description="The project's theme, if managed.")


DOCUMENT_KEYS = tuple(ConfigDocument.model_fields)
"""The top-level keys of a configuration file, in the order the file is written."""
DEFAULTS_KEYS = frozenset(TenantDefaults.model_fields)
SETTINGS_DEFAULTS_KEYS = frozenset(SettingsDefaults.model_fields)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the configuration file format, as committed in tenants.schema.json."""
    schema = ConfigDocument.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
    }


def json_schema_text() -> str:
    """`json_schema()` as the exact text of the committed file."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
