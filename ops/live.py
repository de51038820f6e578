"""Reading what a Descope project holds now, through the providers' client and retries.

`connect(stack)` points `providers.client` at the stack's project (the same settings the
providers resolve under ``pulumi up``) and returns a `Descope` reader. Every call goes through
`providers.calls.call`, so rate limits are waited out and errors read like the providers'.
When Descope does not answer at all, the error names the address that was tried: the stack's
``descope:baseUrl`` (or ``DESCOPE_BASE_URI``), else the SDK's default for the project.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from descope.exceptions import AuthException
from descope.http_client import HTTPClient

from ops.errors import OpsError
from providers import client
from providers.calls import call
from providers.errors import DescopeApiError
from providers.flow import is_missing_flow
from providers.sso import scrubbed

if TYPE_CHECKING:
    from ops.stack import StackSettings
    from providers.client import ManagementApi

T = TypeVar("T")
SDK_DEFAULT_URL = "https://api.descope.com"
"""Where the SDK sends requests when no base URL is set (and the project id names no region)."""


def sdk_default_url(project_id: str) -> str:
    """The address the SDK uses for `project_id` when no base URL is set."""
    rule = getattr(HTTPClient, "base_url_for_project_id", None)
    return str(rule(project_id)) if callable(rule) else SDK_DEFAULT_URL


def unreachable(exc: DescopeApiError, url: str) -> OpsError:
    """`exc` (no answer from Descope at all) re-told naming the address that was tried."""
    why = exc.detail.removeprefix("The request did not get an answer ").rstrip(".")
    separator = " " if why.startswith("(") else ": "
    return OpsError(
        f"{exc.summary} No answer from Descope at {url}{separator}{why}. Check the network, "
        "and descope:baseUrl in the stack file (or DESCOPE_BASE_URI) if Descope is not at "
        "that address, then run again."
    )


@dataclass(frozen=True)
class Descope:
    """Read-only access to one project: tenants, their settings, flows and the theme."""

    api: ManagementApi
    project_id: str
    url: str = SDK_DEFAULT_URL
    """The address requests go to (for error messages)."""

    def _call(self, fn: Callable[[], T], doing: str) -> T:
        """`providers.calls.call` for a read; no answer at all becomes an error naming `url`."""
        try:
            return call(fn, doing=doing, repeatable=True)
        except DescopeApiError as exc:
            if exc.status == 0:
                raise unreachable(exc, self.url) from None
            raise

    def tenants(self) -> list[dict[str, Any]]:
        """Every tenant as Descope loads it, sorted by id."""
        answer = self._call(self.api.tenant.load_all, "list Descope tenants")
        tenants = [dict(t) for t in answer.get("tenants") or []]
        return sorted(tenants, key=lambda t: str(t.get("id", "")))

    def tenant(self, tenant_id: str) -> dict[str, Any] | None:
        """One tenant, or None when Descope has no tenant with this id."""
        try:
            return dict(
                self._call(
                    lambda: self.api.tenant.load(tenant_id), f'load Descope tenant "{tenant_id}"'
                )
            )
        except DescopeApiError as exc:
            if exc.is_not_found:
                return None
            raise

    def settings(self, tenant_id: str) -> dict[str, Any]:
        """The tenant's settings as Descope loads them."""
        return dict(
            self._call(
                lambda: self.api.tenant.load_settings(tenant_id),
                f'load the settings of Descope tenant "{tenant_id}"',
            )
        )

    def sso_configurations(self, tenant_id: str) -> list[dict[str, Any]]:
        """Every SSO configuration of the tenant as Descope loads it (``{tenant, saml, oidc,
        ssoId}``; the default one first, when it is in use). Descope never returns a client
        secret; any it did would be dropped here."""
        answer = self._call(
            lambda: self.api.sso.load_all_settings(tenant_id),
            f'load the SSO configurations of Descope tenant "{tenant_id}"',
        )
        listed = answer.get("SSOSettings") if isinstance(answer, dict) else None
        return [scrubbed(c) for c in listed or [] if isinstance(c, dict)]

    def flow_ids(self) -> list[str]:
        """The ids of every flow in the project, sorted."""
        answer = self._call(self.api.flow.list_flows, "list Descope flows")
        return sorted(str(f["id"]) for f in answer.get("flows") or [] if f.get("id"))

    def flow(self, flow_id: str) -> dict[str, Any] | None:
        """A flow's export ``{"flow", "screens"}``, or None when the project lacks it.

        Missing means Descope's answer for a missing flow, 500 E103003 (`is_missing_flow`, the
        providers' rule); it is recognised inside the retried call, so it is not retried as a
        server error. Any other error is raised.
        """

        def fetch() -> dict[str, Any] | None:
            try:
                return dict(self.api.flow.export_flow(flow_id))
            except AuthException as exc:
                if is_missing_flow(exc):
                    return None
                raise

        return self._call(fetch, f'export Descope flow "{flow_id}"')

    def theme(self) -> dict[str, Any]:
        """The project theme (the object inside the theme export)."""
        answer = self._call(self.api.flow.export_theme, "export the Descope theme")
        return dict(answer.get("theme") or {})


def connect(stack: StackSettings) -> Descope:
    """A reader for the stack's project; configures `providers.client` for this process."""
    settings = stack.connection()
    client.configure(stack.provider_config())
    url = settings.base_url or sdk_default_url(settings.project_id)
    return Descope(client.management(), settings.project_id, url)
