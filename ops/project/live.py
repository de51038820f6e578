"""Reading what a Descope project holds now, through the providers' client and retries.

`connect(stack)` points `providers.client` at the stack's project (the same settings the
providers resolve under ``pulumi up``) and returns a `Descope` reader. Every call goes through
`providers.calls`, so rate limits are waited out and errors read like the providers', and
every answer is read through its wire shape (`providers.wire`): a listing, load or export
that does not fit is an error naming the call and the tenant or flow, never an empty project,
tenant or flow written into a file.
When Descope does not answer at all, the error names the address that was tried: the stack's
``descope:baseUrl`` (or ``DESCOPE_BASE_URI``), else the SDK's default for the project.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from descope.exceptions import AuthException
from descope.http_client import HTTPClient

from config.stack import is_loopback_url
from ops.errors import OpsError
from providers import client, wire
from providers.answers.sso import scrubbed
from providers.calls import call
from providers.errors import (
    AnswerNotUnderstood,
    DescopeApiError,
    is_missing_flow,
    when_not_understood,
)

if TYPE_CHECKING:
    from ops.stack import StackSettings
    from providers.client import ManagementApi

T = TypeVar("T")
M = TypeVar("M", bound=wire.Answer)
NOTHING_CHANGED = "Nothing was changed in Descope, and nothing was written."
SDK_DEFAULT_URL = "https://api.descope.com"
"""Where the SDK sends requests when no base URL is set (and the project id names no region)."""


def sdk_default_url(project_id: str) -> str:
    """The address the SDK uses for `project_id` when no base URL is set."""
    rule = getattr(HTTPClient, "base_url_for_project_id", None)
    return str(rule(project_id)) if callable(rule) else SDK_DEFAULT_URL


def unreachable(exc: DescopeApiError, url: str, stack: str = "") -> OpsError:
    """`exc` (no answer from Descope at all) re-told naming the address that was tried; at a
    loopback address, how to start the stack's emulator there."""
    why = exc.detail.removeprefix("The request did not get an answer ").rstrip(".")
    separator = " " if why.startswith("(") else ": "
    if is_loopback_url(url) and stack:
        return OpsError(
            f"{exc.summary} No emulator answers at {url}{separator}{why}. Start the stack's "
            f"emulator there (it keeps its project between runs) with `python -m ops emulator "
            f"--stack {stack}` (or `make emulator STACK={stack}`) in another shell, then run "
            "again."
        )
    return OpsError(
        f"{exc.summary} No answer from Descope at {url}{separator}{why}. Check the network, "
        "and descope:baseUrl in the stack file (or DESCOPE_BASE_URI) if Descope is not at "
        "that address, then run again."
    )


@dataclass(frozen=True)
class Descope:
    """Read-only access to one project: tenants, their settings, roles, permissions, flows and
    the theme."""

    api: ManagementApi
    project_id: str
    url: str = SDK_DEFAULT_URL
    """The address requests go to (for error messages)."""
    stack: str = ""
    """The stack it was connected for (for error messages)."""

    def _call(
        self, fn: Callable[[], T], doing: str, shape: wire.Shape[Any], asked: str | None = None
    ) -> T:
        """`providers.calls.call` for a read; no answer at all becomes an error naming `url`."""
        try:
            return call(fn, doing=doing, repeatable=True, shape=shape, asked=asked)
        except AnswerNotUnderstood as exc:
            raise exc.told(NOTHING_CHANGED) from None
        except DescopeApiError as exc:
            if exc.status == 0:
                raise unreachable(exc, self.url, self.stack) from None
            raise

    def _ask(
        self, fn: Callable[[], object], shape: wire.Shape[M], doing: str, asked: str | None = None
    ) -> M:
        """`_call`, the answer read through `shape`."""
        answer = self._call(fn, doing, shape, asked)
        with when_not_understood(NOTHING_CHANGED):
            return shape.read(answer, doing=doing, asked=asked)

    def tenants(self) -> list[dict[str, Any]]:
        """Every tenant as Descope loads it, sorted by id."""
        answer = self._ask(self.api.tenant.load_all, wire.TENANT_LIST, "list Descope tenants")
        return [t.wire() for t in sorted(answer.tenants, key=lambda t: t.id)]

    def tenant(self, tenant_id: str) -> dict[str, Any] | None:
        """One tenant, or None when Descope has no tenant with this id."""
        try:
            answer = self._ask(
                lambda: self.api.tenant.load(tenant_id),
                wire.TENANT_LOAD,
                f'load Descope tenant "{tenant_id}"',
                asked=tenant_id,
            )
        except DescopeApiError as exc:
            if exc.is_not_found:
                return None
            raise
        return answer.wire()

    def settings(self, tenant_id: str) -> dict[str, Any]:
        """The tenant's settings as Descope loads them."""
        return self._ask(
            lambda: self.api.tenant.load_settings(tenant_id),
            wire.SETTINGS_LOAD,
            f'load the settings of Descope tenant "{tenant_id}"',
            asked=tenant_id,
        ).wire()

    def roles(self) -> list[dict[str, Any]]:
        """Every role (project roles and tenants' roles) as Descope lists it, sorted by tenant,
        then name."""
        answer = self._ask(self.api.role.load_all, wire.ROLE_LIST, "list Descope roles")
        return sorted(
            (r.wire() for r in answer.roles),
            key=lambda r: (str(r.get("tenantId") or ""), r["name"]),
        )

    def permissions(self) -> list[dict[str, Any]]:
        """Every permission (the built-in ones included) as Descope lists it, sorted by name."""
        answer = self._ask(
            self.api.permission.load_all, wire.PERMISSION_LIST, "list Descope permissions"
        )
        return sorted((p.wire() for p in answer.permissions), key=lambda p: str(p["name"]))

    def sso_configurations(self, tenant_id: str) -> list[dict[str, Any]]:
        """Every SSO configuration of the tenant as Descope loads it (``{tenant, saml, oidc,
        ssoId}``; the default one first, when it is in use). Descope never returns a client
        secret; any it did would be dropped here."""
        answer = self._ask(
            lambda: self.api.sso.load_all_settings(tenant_id),
            wire.SSO_LIST,
            f'load the SSO configurations of Descope tenant "{tenant_id}"',
            asked=tenant_id,
        )
        return [scrubbed(c.wire()) for c in answer.SSOSettings]

    def flow_ids(self) -> list[str]:
        """The ids of every flow in the project, sorted."""
        answer = self._ask(self.api.flow.list_flows, wire.FLOW_LIST, "list Descope flows")
        return sorted(flow.id for flow in answer.flows)

    def flow(self, flow_id: str) -> dict[str, Any] | None:
        """A flow's export ``{"flow", "screens"}``, or None when the project lacks it.

        Missing means Descope's answer for a missing flow, 500 E103003
        (`providers.errors.is_missing_flow`, the providers' rule); it is recognised inside the
        retried call, so it is not retried as a server error. Any other error is raised.
        """
        missing = object()

        def fetch() -> object:
            try:
                return self.api.flow.export_flow(flow_id)
            except AuthException as exc:
                if is_missing_flow(exc):
                    return missing
                raise

        doing = f'export Descope flow "{flow_id}"'
        answer = self._call(fetch, doing, wire.FLOW_EXPORT, flow_id)
        if answer is missing:
            return None
        with when_not_understood(NOTHING_CHANGED):
            return wire.FLOW_EXPORT.read(answer, doing=doing, asked=flow_id).wire()

    def theme(self) -> dict[str, Any]:
        """The project theme (the object inside the theme export)."""
        answer = self._ask(
            self.api.flow.export_theme, wire.THEME_EXPORT, "export the Descope theme"
        )
        theme: dict[str, Any] = answer.wire()["theme"]
        return theme


def connect(stack: StackSettings) -> Descope:
    """A reader for the stack's project; configures `providers.client` for this process."""
    settings = stack.connection()
    client.configure(stack.provider_config())
    url = settings.base_url or sdk_default_url(settings.project_id)
    return Descope(client.management(), settings.project_id, url, stack.name)
