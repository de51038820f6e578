"""Sub-tenants on the wire: the create SDK 2.16.1 cannot send, and a missing parent's wording.

A sub-tenant's create carries ``parent`` and ``roleInheritance``, which the SDK's
``tenant.create`` has no argument for: it goes through the SDK's own HTTP client, whose errors
are the SDK's own exceptions, so `providers.calls` retries and words them as for any SDK call
(as `providers.sdk_http.sso_request` does for SSO). A parent not declared in the configuration
must exist in Descope: when the create is refused (a 4xx), one load of the parent tells
whether that is why (`parent_missing` then says so); a create that succeeds costs no more.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, cast

from providers import errors
from providers.errors import DescopeApiError

if TYPE_CHECKING:
    from model.tenant import TenantSpec
    from providers.client import HttpApi, ManagementApi


class _SdkPart(Protocol):
    """A part of the SDK's management client (``mgmt.tenant``): its own HTTP client."""

    _http: HttpApi


TENANT_CREATE_PATH = "/v1/mgmt/tenant/create"
"""Descope's tenant create (``CreateTenantRequest``), the path the SDK's ``tenant.create`` uses."""


def create_body(spec: TenantSpec) -> dict[str, Any]:
    """The create body of `spec`: what the SDK's ``tenant.create`` sends for the same arguments
    (``customAttributes`` and ``enforceSSOExclusions`` only when not empty), with a sub-tenant's
    ``parent`` and ``roleInheritance`` when set (Descope's ``CreateTenantRequest`` has both; the
    SDK's create has no argument for them)."""
    body: dict[str, Any] = {
        "name": spec.name,
        "id": spec.id,
        "selfProvisioningDomains": list(spec.selfProvisioningDomains),
        "enforceSSO": spec.enforceSSO,
        "disabled": spec.disabled,
    }
    if spec.customAttributes:
        body["customAttributes"] = dict(spec.customAttributes)
    if spec.enforceSSOExclusions:
        body["enforceSSOExclusions"] = list(spec.enforceSSOExclusions)
    if spec.parent:
        body["parent"] = spec.parent
    if spec.roleInheritance:
        body["roleInheritance"] = spec.roleInheritance
    return body


def create_tenant(api: ManagementApi, spec: TenantSpec) -> Any:
    """Create `spec`: with the SDK's ``tenant.create``, or, for a sub-tenant (a parent or a
    roleInheritance to send), by POSTing `create_body` through the SDK's HTTP client. The
    answer's JSON either way."""
    if not (spec.parent or spec.roleInheritance):
        return api.tenant.create(
            spec.name,
            id=spec.id,
            self_provisioning_domains=list(spec.selfProvisioningDomains),
            custom_attributes=dict(spec.customAttributes) or None,
            enforce_sso=spec.enforceSSO,
            enforce_sso_exclusions=list(spec.enforceSSOExclusions) or None,
            disabled=spec.disabled,
        )
    http = cast("_SdkPart", api.tenant)._http
    return http.post(TENANT_CREATE_PATH, body=create_body(spec)).json()


def refuse_missing_parent(
    spec: TenantSpec, cause: DescopeApiError, absent: Callable[[str], bool]
) -> None:
    """After Descope refused `spec`'s create (a 4xx): when the parent it names is `absent`
    (one load), raise `parent_missing`; otherwise return, the refusal being another's."""
    if spec.parent and not cause.is_retryable and absent(spec.parent):
        raise parent_missing(spec.id, spec.parent, cause) from None


def parent_missing(tenant_id: str, parent: str, cause: DescopeApiError) -> DescopeApiError:
    """A sub-tenant's create was refused and its parent does not exist in Descope."""
    return errors.explain(
        cause,
        f'the parent it names, tenant "{parent}", does not exist in Descope; sub-tenant '
        f'"{tenant_id}" was not created and nothing was changed',
        action=f'Declare tenant "{parent}" in the same configuration file (it is then created '
        "first), or set parent to the id of a tenant that exists in Descope, or remove parent.",
    )


def adopt_parent_differs(tenant_id: str, declared: str | None, held: Any) -> DescopeApiError:
    """An adopt found the tenant under another parent (or none) than the entry declares:
    Descope sets a parent only when it creates a tenant, so adopting cannot change it."""
    holds = f'is a sub-tenant of "{held}"' if held else "is a top-level tenant (no parent)"
    wants = f'parent "{declared}"' if declared else "no parent"
    return errors.DescopeApiError(
        f'Unable to adopt Descope tenant "{tenant_id}":',
        f"the tenant {holds} in Descope, but its entry declares {wants}; Descope sets a "
        "parent only when it creates a tenant, so adopting cannot change it. Nothing was "
        "changed.",
        action=(f"Set parent: {held} on the entry" if held else "Remove parent from the entry")
        + " to adopt the tenant as it is; to move it, change parent once it is adopted: the "
        "next `pulumi up` then replaces it (saved to the backups folder, deleted, created "
        "again under the new parent).",
    )
