"""Descope's answers as they must look on the wire: the one way the providers read them.

Every answer a provider or ``python -m ops`` acts on is first read through the `Shape` of its
call. A model is strict about what we rely on (the id asked for, the types of the fields we
read) and tolerant of fields Descope adds; ``null`` where a list or object is expected reads as
empty, as Descope's own SDKs read it. A 2xx answer that does not fit (empty, ``{}``, HTML, cut
short, about another tenant or flow) raises `AnswerNotUnderstood`, naming the call, what was
expected and a short excerpt of what came back; the caller says what it means for Descope.

=====================  ======================================  ==============================
shape                  call                                    must hold
=====================  ======================================  ==============================
`TENANT_LOAD`          GET /v1/mgmt/tenant                     the tenant asked for: its id,
                                                               a name
`TENANT_LIST`          GET /v1/mgmt/tenant/all                 ``tenants``: tenants, each
                                                               with an id and a name
`TENANT_SEARCH`        POST /v1/mgmt/tenant/search             as `TENANT_LIST`
`SETTINGS_LOAD`        GET /v1/mgmt/tenant/settings            ``authType`` and ``domains``
`TENANT_CREATED`       POST /v1/mgmt/tenant/create             ``id``: the id asked for
`TENANT_PATCHED`,      PATCH /v1/mgmt/tenant/patch, POST       a JSON object (``{}``); an id
`SETTINGS_WRITTEN`,    .../tenant/settings,                    in it must be ours
`ROLES_WRITTEN`,       .../tenant/updateDefaultRoles,
`TENANT_DELETED`       .../tenant/delete
`FLOW_LIST`            POST /v1/mgmt/flow/list                 ``flows``: flows with ids
`FLOW_EXPORT`,         POST /v1/mgmt/flow/export,              ``flow`` with the id asked for,
`FLOW_IMPORTED`        .../flow/import                         ``screens``: a list of objects
`FLOW_DELETED`         POST /v1/mgmt/flow/delete               a JSON object (``{}``)
`THEME_EXPORT`,        POST /v1/mgmt/theme/export,             ``theme``, with a
`THEME_IMPORTED`       .../theme/import                        ``cssTemplate`` object
`ROLE_LIST`,           GET /v1/mgmt/role/all,                  ``roles``: roles, each with a
`ROLE_SEARCH`          POST .../role/search                    name and a tenantId
`PERMISSION_LIST`      GET /v1/mgmt/permission/all             ``permissions``: each with a
                                                               name
`SSO_LOAD`             GET /v2/mgmt/sso/settings               ``tenant`` (the id asked for),
                                                               ``saml`` and ``oidc`` objects
`SSO_LIST`             GET /v2/mgmt/sso/settings/all           ``SSOSettings``: a list of
                                                               `SSO_LOAD` answers
=====================  ======================================  ==============================

The SDK parses some answers itself (`Shape.read` takes what it returns) and ignores others
(update, patch, delete, settings and default-roles writes): those are read from the raw reply
(`providers.sdk_http.Reply`, `Shape.read_reply`).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from descope.management.common import MgmtV1
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from model.text import shown
from providers import client, sdk_http
from providers.errors import AnswerNotUnderstood

__all__ = [
    "FLOW_DELETED",
    "FLOW_EXPORT",
    "FLOW_IMPORTED",
    "FLOW_LIST",
    "PERMISSION_LIST",
    "ROLES_WRITTEN",
    "ROLE_LIST",
    "ROLE_SEARCH",
    "SETTINGS_LOAD",
    "SETTINGS_WRITTEN",
    "SSO_LIST",
    "SSO_LOAD",
    "TENANT_CREATED",
    "TENANT_DELETED",
    "TENANT_LIST",
    "TENANT_LOAD",
    "TENANT_PATCHED",
    "TENANT_SEARCH",
    "THEME_EXPORT",
    "THEME_IMPORTED",
    "Created",
    "FlowExport",
    "FlowList",
    "Settings",
    "Shape",
    "Tenant",
    "TenantList",
    "Theme",
    "Written",
    "excerpt",
    "excerpt_text",
]

EXCERPT_LENGTH = 120
"""Characters of a body shown in a message: enough to recognise a login page or a cut."""


def _empty_list(value: Any) -> Any:
    return [] if value is None else value


def _empty_object(value: Any) -> Any:
    return {} if value is None else value


def _empty_text(value: Any) -> Any:
    return "" if value is None else value


Strings = Annotated[list[str], BeforeValidator(_empty_list)]
Text = Annotated[str, BeforeValidator(_empty_text)]
Objects = Annotated[list[dict[str, Any]], BeforeValidator(_empty_list)]
Object = Annotated[dict[str, Any], BeforeValidator(_empty_object)]


class Answer(BaseModel):
    """A model of one answer shape: strict types, extra fields kept."""

    model_config = ConfigDict(extra="allow", strict=True, frozen=True)

    def about(self) -> str | None:
        """The tenant or flow id the answer names, if it names one."""
        return None

    def wire(self) -> dict[str, Any]:
        """The answer as Descope sent it (``null`` lists read as empty), extra fields included."""
        return self.model_dump(mode="json", exclude_unset=True)


class Tenant(Answer):
    """A tenant as a load, a listing or a search gives it."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    selfProvisioningDomains: Strings = Field(default_factory=list)
    customAttributes: Object = Field(default_factory=dict)
    enforceSSO: bool = False
    enforceSSOExclusions: Strings = Field(default_factory=list)
    disabled: bool = False
    defaultRoles: Strings = Field(default_factory=list)
    authType: str = ""
    domains: Strings = Field(default_factory=list)
    federatedAppIds: Strings = Field(default_factory=list)
    parent: str = ""
    createdTime: int | float | None = None
    """Unix seconds, Descope's clock; used only to judge a tenant found after a failed create."""

    def about(self) -> str | None:
        return self.id


class TenantList(Answer):
    """``{"tenants": [...]}``: a listing or a search."""

    tenants: list[Tenant]


class Settings(Answer):
    """A tenant's settings as the settings endpoint loads them."""

    authType: str
    domains: Strings
    selfProvisioningDomains: Strings = Field(default_factory=list)
    enabled: bool = False
    sessionTokenExpiration: int = 0
    sessionTokenExpirationUnit: str = ""
    refreshTokenExpiration: int = 0
    refreshTokenExpirationUnit: str = ""
    stepupTokenExpiration: int = 0
    stepupTokenExpirationUnit: str = ""
    enableInactivity: bool = False
    inactivityTime: int = 0
    inactivityTimeUnit: str = ""
    JITDisabled: bool = False
    ssoSetupSuiteSettings: dict[str, Any] | None = None
    id: str | None = None
    tenantId: str | None = None
    """Descope's settings answer names no tenant; one that does must name the one asked for
    (the settings of another tenant that name none cannot be told apart)."""

    def about(self) -> str | None:
        return self.tenantId or self.id


class Created(Answer):
    """``{"id": ...}``: the tenant a create made."""

    id: str = Field(min_length=1)

    def about(self) -> str | None:
        return self.id


class Written(Answer):
    """The answer of a write whose body says nothing but success: ``{}``. A tenant or flow id
    in it (Descope sends none) must be the one written."""

    id: str | None = None
    tenantId: str | None = None

    def about(self) -> str | None:
        return self.id or self.tenantId


class FlowItem(Answer):
    id: str = Field(min_length=1)


class FlowList(Answer):
    """``{"flows": [{"id", ...}], "total": N}``."""

    flows: list[FlowItem]


class FlowObject(Answer):
    id: str = Field(min_length=1)


class FlowExport(Answer):
    """``{"flow": {...}, "screens": [...]}``: an export, or what an import stored."""

    flow: FlowObject
    screens: Objects

    def about(self) -> str | None:
        return self.flow.id


class ThemeObject(Answer):
    cssTemplate: dict[str, Any]


class Theme(Answer):
    """``{"theme": {...}}``: the project theme, exported or as an import stored it."""

    theme: ThemeObject


class Role(Answer):
    """A role as a listing or a search gives it (``tenantId`` empty for a project role)."""

    name: str = Field(min_length=1)
    tenantId: Text = ""
    description: Text = ""
    permissionNames: Strings = Field(default_factory=list)


class RoleList(Answer):
    """``{"roles": [...]}``: a listing or a search."""

    roles: list[Role]


class Permission(Answer):
    name: str = Field(min_length=1)
    description: Text = ""


class PermissionList(Answer):
    """``{"permissions": [...]}``."""

    permissions: list[Permission]


class SSOTenant(Answer):
    id: str = Field(min_length=1)


class SSOSettings(Answer):
    """``{"tenant": {...}, "saml": {...}, "oidc": {...}, "ssoId": ...}``: one SSO
    configuration as a load gives it (Descope never answers the OIDC client secret)."""

    tenant: SSOTenant
    saml: dict[str, Any]
    oidc: dict[str, Any]
    ssoId: Text = ""

    def about(self) -> str | None:
        return self.tenant.id


class SSOList(Answer):
    """``{"SSOSettings": [...]}``: every SSO configuration of one tenant."""

    SSOSettings: list[SSOSettings]

    def about(self) -> str | None:
        tenants = {c.tenant.id for c in self.SSOSettings}
        return tenants.pop() if len(tenants) == 1 else None


M = TypeVar("M", bound=Answer)


@dataclass(frozen=True)
class Shape(Generic[M]):
    """What one call must answer: `model`, described to the user as `expected`."""

    call: str
    """How messages name the call: ``the tenant load (GET /v1/mgmt/tenant)``."""
    model: type[M]
    expected: str
    names_asked: bool = False
    """The answer must name the id asked for (a load, a create, an export)."""

    def read(self, answer: Any, *, doing: str, asked: str | None = None) -> M:
        """`answer` (as the SDK parsed it) read through the model, or `AnswerNotUnderstood`."""
        try:
            model = self.model.model_validate(answer)
        except ValidationError:
            raise self.not_understood(doing, excerpt(answer), asked=asked) from None
        about = model.about()
        if asked is not None and about is not None and about != asked:
            got = f'an answer about "{_shortened(about)}": {excerpt(answer)}'
            raise self.not_understood(doing, got, asked=asked)
        if asked is not None and self.names_asked and about is None:
            raise self.not_understood(doing, excerpt(answer), asked=asked)
        return model

    def read_reply(self, reply: sdk_http.Reply, *, doing: str, asked: str | None = None) -> M:
        """A raw reply's body, parsed and read through the model."""
        try:
            answer = json.loads(reply.text) if reply.text.strip() else None
        except ValueError:
            raise self.not_understood(
                doing, excerpt_text(reply.text), asked=asked, status=reply.status
            ) from None
        if answer is None:
            raise self.not_understood(
                doing, excerpt_text(reply.text), asked=asked, status=reply.status
            )
        return self.read(answer, doing=doing, asked=asked)

    def not_understood(
        self, doing: str, got: str, *, asked: str | None = None, status: int = 200
    ) -> AnswerNotUnderstood:
        """The error for an answer of this call that does not fit."""
        expected = self.expected.replace("{asked}", asked or "asked for")
        return AnswerNotUnderstood(
            doing, call=self.call, expected=expected, excerpt=got, status=status
        )


def excerpt(answer: Any) -> str:
    """A short rendering of an answer as the SDK parsed it, for a message: ``{}``,
    ``{"id": "other"}``, ``null``. The management key never appears in it."""
    try:
        text = json.dumps(answer, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(answer)
    return _shortened(text)


def excerpt_text(text: str) -> str:
    """A short rendering of a body as it came (whitespace runs shown as one space):
    ``an empty body``, ``'<html><head><title>Sign in...'``, ``'{"id": "ac'``."""
    if not text.strip():
        return "an empty body"
    return f"'{_shortened(' '.join(text.split()))}'"


def _shortened(text: str) -> str:
    """`text` without the key (`client.redact`) or control characters (`model.text.shown`),
    cut to `EXCERPT_LENGTH`."""
    text = shown(client.redact(text))
    return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 3] + "..."


_TENANT = 'a tenant with id "{asked}" and a name'
_WRITTEN = "an empty JSON object ({})"

TENANT_LOAD = Shape(
    f"the tenant load (GET {MgmtV1.tenant_load_path})", Tenant, _TENANT, names_asked=True
)
TENANT_LIST: Shape[TenantList] = Shape(
    f"the tenant listing (GET {MgmtV1.tenant_load_all_path})",
    TenantList,
    '{"tenants": [...]}, each tenant with an id and a name',
)
TENANT_SEARCH: Shape[TenantList] = Shape(
    f"the tenant search (POST {MgmtV1.tenant_search_all_path})",
    TenantList,
    '{"tenants": [...]}, each tenant with an id and a name',
)
SETTINGS_LOAD = Shape(
    f"the settings load (GET {MgmtV1.tenant_settings_path})",
    Settings,
    "the tenant's settings, with authType and domains",
)
TENANT_CREATED = Shape(
    f"the create (POST {MgmtV1.tenant_create_path})",
    Created,
    '{"id": "{asked}"}',
    names_asked=True,
)
TENANT_PATCHED = Shape(f"the tenant patch (PATCH {MgmtV1.tenant_patch_path})", Written, _WRITTEN)
SETTINGS_WRITTEN = Shape(
    f"the settings write (POST {MgmtV1.tenant_settings_path})", Written, _WRITTEN
)
ROLES_WRITTEN = Shape(
    f"the default roles write (POST {MgmtV1.tenant_update_default_roles_path})",
    Written,
    _WRITTEN,
)
TENANT_DELETED = Shape(f"the delete (POST {MgmtV1.tenant_delete_path})", Written, _WRITTEN)
FLOW_LIST: Shape[FlowList] = Shape(
    f"the flow listing (POST {MgmtV1.flow_list_path})",
    FlowList,
    '{"flows": [...]}, each flow with an id',
)
_FLOW = '{"flow": {"id": "{asked}", ...}, "screens": [...]}'
FLOW_EXPORT = Shape(
    f"the flow export (POST {MgmtV1.flow_export_path})", FlowExport, _FLOW, names_asked=True
)
FLOW_IMPORTED = Shape(
    f"the flow import (POST {MgmtV1.flow_import_path})", FlowExport, _FLOW, names_asked=True
)
FLOW_DELETED = Shape(f"the flow delete (POST {MgmtV1.flow_delete_path})", Written, _WRITTEN)
_THEME = '{"theme": {"cssTemplate": {...}, ...}}'
THEME_EXPORT = Shape(f"the theme export (POST {MgmtV1.theme_export_path})", Theme, _THEME)
THEME_IMPORTED = Shape(f"the theme import (POST {MgmtV1.theme_import_path})", Theme, _THEME)


ROLE_LIST: Shape[RoleList] = Shape(
    f"the role listing (GET {MgmtV1.role_load_all_path})",
    RoleList,
    '{"roles": [...]}, each role with a name',
)
ROLE_SEARCH: Shape[RoleList] = Shape(
    f"the role search (POST {MgmtV1.role_search_path})",
    RoleList,
    '{"roles": [...]}, each role with a name',
)
PERMISSION_LIST: Shape[PermissionList] = Shape(
    f"the permission listing (GET {MgmtV1.permission_load_all_path})",
    PermissionList,
    '{"permissions": [...]}, each permission with a name',
)


_SSO = '{"tenant": {"id": "{asked}", ...}, "saml": {...}, "oidc": {...}}'
SSO_LOAD = Shape(
    "the SSO configuration load (GET /v2/mgmt/sso/settings)", SSOSettings, _SSO, names_asked=True
)
SSO_LIST: Shape[SSOList] = Shape(
    "the SSO configurations load (GET /v2/mgmt/sso/settings/all)",
    SSOList,
    '{"SSOSettings": [...]}, each configuration of the tenant asked for',
)


def roles_listed(answer: Any, doing: str) -> list[dict[str, Any]] | None:
    """The roles of a listing or search answer as Descope sent them, or None when the answer
    does not fit (a listing that is not understood is not served from)."""
    try:
        return [role.wire() for role in ROLE_LIST.read(answer, doing=doing).roles]
    except AnswerNotUnderstood:
        return None


def permissions_listed(answer: Any, doing: str) -> list[dict[str, Any]] | None:
    """`roles_listed` for a permission listing."""
    try:
        return [p.wire() for p in PERMISSION_LIST.read(answer, doing=doing).permissions]
    except AnswerNotUnderstood:
        return None


def tenants_by_id(answer: TenantList) -> dict[str, dict[str, Any]]:
    """A listing's tenants by id, each as Descope sent it."""
    return {tenant.id: tenant.wire() for tenant in answer.tenants}


SSO_SETUP_SUITE_DEFAULTS: dict[str, Any] = {
    "enabled": False,
    "styleId": "",
    "disabledFeatures": {
        "saml": False,
        "oidc": False,
        "scim": False,
        "ssoDomains": False,
        "groupMapping": False,
    },
}
"""A tenant's ``ssoSetupSuiteSettings`` with every field Descope's published description gives
it at its default: what a new tenant holds."""


def sso_setup_suite(held: Any) -> dict[str, Any]:
    """A settings answer's ``ssoSetupSuiteSettings`` (whole, in part, or absent) with every
    field: Descope may answer a field at its default or leave it out (proto3 JSON), and the
    outputs must not change with the form it chose."""
    given = held if isinstance(held, Mapping) else {}
    disabled = given.get("disabledFeatures")
    return {
        **copy.deepcopy(SSO_SETUP_SUITE_DEFAULTS),
        **copy.deepcopy(dict(given)),
        "disabledFeatures": {
            **SSO_SETUP_SUITE_DEFAULTS["disabledFeatures"],
            **(dict(disabled) if isinstance(disabled, Mapping) else {}),
        },
    }


# --- access keys (`providers.access_key`) ----------------------------------------------------


class KeyTenant(Answer):
    """One tenant of an access key (``AssociatedTenantAK``)."""

    tenantId: str = Field(min_length=1)
    roleNames: Strings = Field(default_factory=list)


class AccessKey(Answer):
    """An access key as a create, load, update or search gives it (never its cleartext)."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    status: str = Field(min_length=1)
    keyTenants: list[KeyTenant] = Field(default_factory=list)
    roleNames: Strings = Field(default_factory=list)
    description: Text = ""
    permittedIps: Strings = Field(default_factory=list)
    expireTime: int = 0
    createdTime: int = 0


class AccessKeyAnswer(Answer):
    """``{"key": {...}}``: a load or an update."""

    key: AccessKey

    def about(self) -> str | None:
        return self.key.id


class AccessKeyList(Answer):
    """``{"keys": [...]}``: a search."""

    keys: list[AccessKey]


_KEY = '{"key": {"id": "{asked}", "name": ..., "status": ...}}'
ACCESS_KEY_LOAD = Shape(
    f"the access key load (GET {MgmtV1.access_key_load_path})",
    AccessKeyAnswer,
    _KEY,
    names_asked=True,
)
ACCESS_KEY_UPDATED = Shape(
    f"the access key update (POST {MgmtV1.access_key_update_path})",
    AccessKeyAnswer,
    _KEY,
    names_asked=True,
)
ACCESS_KEY_CREATED = Shape(
    f"the access key create (POST {MgmtV1.access_key_create_path})",
    AccessKeyAnswer,
    '{"key": {"id": ..., "name": ..., "status": ...}, "cleartext": "..."}',
)
"""Read without its ``cleartext`` (`providers.access_key` takes it out first), so that no
message about an answer that does not fit can show the secret."""
ACCESS_KEY_SEARCH: Shape[AccessKeyList] = Shape(
    f"the access key search (POST {MgmtV1.access_keys_search_path})",
    AccessKeyList,
    '{"keys": [...]}, each key with an id, a name and a status',
)
ACCESS_KEY_ACTIVATED = Shape(
    f"the access key activate (POST {MgmtV1.access_key_activate_path})", Written, _WRITTEN
)
ACCESS_KEY_DEACTIVATED = Shape(
    f"the access key deactivate (POST {MgmtV1.access_key_deactivate_path})", Written, _WRITTEN
)
ACCESS_KEY_DELETED = Shape(
    f"the access key delete (POST {MgmtV1.access_key_delete_path})", Written, _WRITTEN
)

__all__ += [
    "ACCESS_KEY_ACTIVATED",
    "ACCESS_KEY_CREATED",
    "ACCESS_KEY_DEACTIVATED",
    "ACCESS_KEY_DELETED",
    "ACCESS_KEY_LOAD",
    "ACCESS_KEY_SEARCH",
    "ACCESS_KEY_UPDATED",
    "AccessKey",
    "AccessKeyAnswer",
    "AccessKeyList",
]
