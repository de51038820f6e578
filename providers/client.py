"""The one place that creates the Descope management client.

Settings come from the stack config the provider host hands to `configure`
(``descope:projectId``, ``descope:managementKey``, ``descope:baseUrl``), falling back to the
SDK's own environment variables. The client is built lazily, once per process, behind a lock,
and never stored on a provider object: provider objects are pickled into Pulumi state.

Every call of the process goes through one keep-alive connection pool, built with the client
and closed when `configure` replaces it: the SDK's management client on a
`providers.pool.PooledHttp` (see that module for the rule on connections the server closed).
`use_transport` is the seam for an in-process transport (the tests' emulator).

The `Protocol` classes name exactly the part of the SDK the providers use (the seam tests
fake). What the SDK's methods cannot do, the raw answer of a write and a request the SDK cannot
send, goes through its own HTTP client in `providers.sdk_http`.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from providers.budget import configured_limit
from providers.errors import ConfigurationError
from providers.pool import PooledHttp


class TenantApi(Protocol):
    """The tenant operations of ``DescopeClient.mgmt.tenant`` the providers use."""

    def create(  # noqa: PLR0917 - the SDK's signature
        self,
        name: str,
        id: str | None = None,
        self_provisioning_domains: list[str] | None = None,
        custom_attributes: dict[str, Any] | None = None,
        enforce_sso: bool | None = False,
        enforce_sso_exclusions: list[str] | None = None,
        federated_app_ids: list[str] | None = None,
        disabled: bool | None = False,
    ) -> dict[str, Any]: ...

    def update(  # noqa: PLR0917 - the SDK's signature
        self,
        id: str,
        name: str,
        self_provisioning_domains: list[str] | None = None,
        custom_attributes: dict[str, Any] | None = None,
        enforce_sso: bool | None = False,
        enforce_sso_exclusions: list[str] | None = None,
        federated_app_ids: list[str] | None = None,
        disabled: bool | None = False,
    ) -> Any:
        """Full replace. The providers PATCH instead (`patch_tenant`); the real-Descope
        integration tests use this for an edit made outside Pulumi."""
        ...

    def patch_tenant(  # noqa: PLR0917 - the SDK's signature
        self,
        id: str,
        name: str | None = None,
        self_provisioning_domains: list[str] | None = None,
        custom_attributes: dict[str, Any] | None = None,
        disabled: bool | None = None,
        enforce_sso: bool | None = None,
        enforce_sso_exclusions: list[str] | None = None,
        federated_app_ids: list[str] | None = None,
        role_inheritance: str | None = None,
    ) -> None: ...

    def delete(self, id: str, cascade: bool = False) -> Any: ...

    def load(self, id: str) -> dict[str, Any]: ...

    def load_all(self) -> dict[str, Any]: ...

    def search_all(
        self,
        ids: list[str] | None = None,
        names: list[str] | None = None,
        self_provisioning_domains: list[str] | None = None,
        custom_attributes: dict[str, Any] | None = None,
    ) -> dict[str, Any]: ...

    def load_settings(self, id: str) -> dict[str, Any]: ...

    def update_settings(  # noqa: PLR0917 - the SDK's signature
        self,
        id: str,
        self_provisioning_domains: list[str],
        domains: list[str] | None = None,
        auth_type: Any = None,
        session_settings_enabled: bool | None = None,
        refresh_token_expiration: int | None = None,
        refresh_token_expiration_unit: Any = None,
        session_token_expiration: int | None = None,
        session_token_expiration_unit: Any = None,
        stepup_token_expiration: int | None = None,
        stepup_token_expiration_unit: Any = None,
        enable_inactivity: bool | None = None,
        inactivity_time: int | None = None,
        inactivity_time_unit: Any = None,
        JITDisabled: bool | None = None,
        sso_setup_suite_settings: Any = None,
        enforce_sso: bool | None = None,
        enforce_sso_exclusions: list[str] | None = None,
        federated_app_ids: list[str] | None = None,
    ) -> Any: ...

    def update_default_roles(self, tenant_id: str, role_names: list[str]) -> Any: ...

    def generate_sso_configuration_link(
        self,
        tenant_id: str,
        expire_time: int | None = None,
        email: str | None = None,
        sso_id: str | None = None,
        actor_id: str | None = None,
    ) -> str:
        """An SSO Setup Suite link for the customer (``python -m ops sso-link``)."""
        ...

    def revoke_sso_configuration_link(self, tenant_id: str, sso_id: str | None = None) -> Any: ...


class FlowApi(Protocol):
    """The flow and theme operations of ``DescopeClient.mgmt.flow`` the providers use."""

    def list_flows(self) -> dict[str, Any]: ...

    def delete_flows(self, flow_ids: list[str]) -> dict[str, Any]: ...

    def export_flow(self, flow_id: str) -> dict[str, Any]: ...

    def import_flow(
        self, flow_id: str, flow: dict[str, Any], screens: list[dict[str, Any]]
    ) -> dict[str, Any]: ...

    def export_theme(self) -> dict[str, Any]: ...

    def import_theme(self, theme: dict[str, Any]) -> dict[str, Any]: ...


class RoleApi(Protocol):
    """The role operations of ``DescopeClient.mgmt.role`` the providers use."""

    def create(  # noqa: PLR0917 - the SDK's signature
        self,
        name: str,
        description: str | None = None,
        permission_names: list[str] | None = None,
        tenant_id: str | None = None,
        default: bool | None = None,
        private: bool | None = None,
    ) -> Any: ...

    def update(  # noqa: PLR0917 - the SDK's signature
        self,
        name: str,
        new_name: str,
        description: str | None = None,
        permission_names: list[str] | None = None,
        tenant_id: str | None = None,
        default: bool | None = None,
        private: bool | None = None,
    ) -> Any: ...

    def delete(self, name: str, tenant_id: str | None = None) -> Any: ...

    def load_all(self) -> dict[str, Any]: ...

    def search(  # noqa: PLR0917 - the SDK's signature
        self,
        tenant_ids: list[str] | None = None,
        role_names: list[str] | None = None,
        role_name_like: str | None = None,
        permission_names: list[str] | None = None,
        include_project_roles: bool | None = None,
        role_ids: list[str] | None = None,
    ) -> dict[str, Any]: ...


class PermissionApi(Protocol):
    """The permission operations of ``DescopeClient.mgmt.permission`` the providers use."""

    def create(self, name: str, description: str | None = None) -> Any: ...

    def update(self, name: str, new_name: str, description: str | None = None) -> Any: ...

    def delete(self, name: str) -> Any: ...

    def load_all(self) -> dict[str, Any]: ...


class AccessKeyApi(Protocol):
    """The access-key operations of ``DescopeClient.mgmt.access_key`` the providers use."""

    def create(  # noqa: PLR0917 - the SDK's signature
        self,
        name: str,
        expire_time: int = 0,
        role_names: list[str] | None = None,
        key_tenants: list[Any] | None = None,
        user_id: str | None = None,
        custom_claims: dict[str, Any] | None = None,
        description: str | None = None,
        permitted_ips: list[str] | None = None,
    ) -> dict[str, Any]: ...

    def load(self, id: str) -> dict[str, Any]: ...

    def search_all_access_keys(self, tenant_ids: list[str] | None = None) -> dict[str, Any]: ...

    def update(
        self,
        id: str,
        name: str,
        description: str | None = None,
        custom_claims: dict[str, Any] | None = None,
        permitted_ips: list[str] | None = None,
    ) -> Any: ...

    def activate(self, id: str) -> Any: ...

    def deactivate(self, id: str) -> Any: ...

    def delete(self, id: str) -> Any: ...


class HttpResponse(Protocol):
    """What the providers read of an HTTP answer."""

    def json(self) -> Any: ...


class HttpApi(Protocol):
    """The SDK's HTTP client (``descope.http_client.HTTPClient``): raises the SDK's exceptions."""

    def get(self, uri: str, *, params: Any = None) -> HttpResponse: ...

    def post(self, uri: str, *, body: Any = None) -> HttpResponse: ...

    def put(self, uri: str, *, body: Any = None) -> HttpResponse: ...


class SsoApi(Protocol):
    """The per-tenant SSO calls of ``DescopeClient.mgmt.sso`` the providers use."""

    _http: HttpApi
    """The SDK's HTTP client, for what the SDK's methods cannot send (`sso_request`)."""

    def load_settings(self, tenant_id: str) -> dict[str, Any]: ...

    def load_all_settings(self, tenant_id: str) -> dict[str, Any]: ...

    def new_settings(
        self, tenant_id: str, display_name: str, sso_id: str | None = None
    ) -> dict[str, Any]: ...

    def delete_settings(self, tenant_id: str, sso_id: str | None = None) -> Any: ...


class ManagementApi(Protocol):
    """Exactly the part of ``DescopeClient.mgmt`` the providers use: the seam tests fake."""

    @property
    def tenant(self) -> TenantApi: ...

    @property
    def flow(self) -> FlowApi: ...

    @property
    def role(self) -> RoleApi: ...

    @property
    def sso(self) -> SsoApi: ...

    @property
    def permission(self) -> PermissionApi: ...

    @property
    def access_key(self) -> AccessKeyApi: ...


_PROJECT_ID_RE = re.compile(r"[A-Za-z0-9_-]{4,64}")
_BASE_URL_RE = re.compile(r"https?://[^/\s?#]+/?")
"""Scheme and host (and port) only: the SDK appends /v1/mgmt/... itself."""


@dataclass(frozen=True)
class ConnectionSettings:
    """Where and as whom to reach Descope. `repr` never shows the key."""

    project_id: str
    management_key: str
    base_url: str | None
    source: Mapping[str, str]
    """For each setting, where it came from (``stack config descope:projectId`` ...)."""

    def __repr__(self) -> str:
        return (
            f"ConnectionSettings(project_id={self.project_id!r}, management_key=<hidden>, "
            f"base_url={self.base_url!r})"
        )


_SETTINGS: tuple[tuple[str, str, str], ...] = (
    ("project_id", "descope:projectId", "DESCOPE_PROJECT_ID"),
    ("management_key", "descope:managementKey", "DESCOPE_MANAGEMENT_KEY"),
    ("base_url", "descope:baseUrl", "DESCOPE_BASE_URI"),
)


def _how_to_set(config_key: str, env_var: str) -> str:
    secret = " --secret" if "Key" in config_key else ""
    return (
        f"Set it with `pulumi config set{secret} {config_key} ...` "
        f"or the environment variable {env_var}."
    )


def resolve_settings(
    stack_config: Mapping[str, str | None], environ: Mapping[str, str] | None = None
) -> ConnectionSettings:
    """Resolve the connection settings: stack config first, then the SDK's environment variables.

    Raises `ConfigurationError` naming the setting and both ways to set it when one is missing
    or malformed.
    """
    env = os.environ if environ is None else environ
    values: dict[str, str | None] = {}
    source: dict[str, str] = {}
    for attribute, config_key, env_var in _SETTINGS:
        value = stack_config.get(config_key) or None
        where = f"stack config {config_key}"
        if value is None and env.get(env_var):
            value, where = env[env_var], f"environment variable {env_var}"
        values[attribute] = value.strip() if value is not None else None
        source[attribute] = where if value is not None else "not set"

    project_id, key, base_url = values["project_id"], values["management_key"], values["base_url"]
    if not project_id:
        raise ConfigurationError(
            "The Descope project id is not set.",
            _how_to_set("descope:projectId", "DESCOPE_PROJECT_ID"),
        )
    if not _PROJECT_ID_RE.fullmatch(project_id):
        raise ConfigurationError(
            f"The Descope project id from {source['project_id']} is malformed.",
            "A project id is letters and digits, as shown in the Descope console under "
            "Project Settings. " + _how_to_set("descope:projectId", "DESCOPE_PROJECT_ID"),
        )
    if not key:
        raise ConfigurationError(
            "The Descope management key is not set.",
            "Create one in the Descope console (Company Settings, Management Keys). "
            + _how_to_set("descope:managementKey", "DESCOPE_MANAGEMENT_KEY"),
        )
    if any(c.isspace() for c in key) or ":" in key:
        raise ConfigurationError(
            f"The Descope management key from {source['management_key']} is malformed "
            "(it contains spaces or a colon).",
            "Copy the key again from the Descope console. "
            + _how_to_set("descope:managementKey", "DESCOPE_MANAGEMENT_KEY"),
        )
    if base_url is not None:
        if not _BASE_URL_RE.fullmatch(base_url):
            has_path = re.match(r"^https?://[^/\s]+/.+", base_url) is not None
            raise ConfigurationError(
                f'The Descope base URL "{base_url}" from {source["base_url"]} is malformed'
                + (" (it has a path; the SDK adds /v1/mgmt/... itself)." if has_path else "."),
                'Use an address such as "https://api.descope.com" or "http://127.0.0.1:8787". '
                + _how_to_set("descope:baseUrl", "DESCOPE_BASE_URI"),
            )
        base_url = base_url.rstrip("/")
    return ConnectionSettings(project_id, key, base_url, source)


_lock = threading.Lock()
_stack_config: dict[str, str | None] = {}
_client: ManagementApi | None = None
"""The client `management` built for the settings in force, if any."""
_injected: ManagementApi | None = None
"""The client `use_management` put in its place, if any."""
_http: PooledHttp | None = None
"""The HTTP client (and pool) of the client `management` built, if any."""
_transport: httpx.BaseTransport | None = None
"""What the pool sends through instead of the network (`use_transport`)."""


def _drop_built() -> None:
    """Forget the built client and close its pool (callers hold `_lock`)."""
    global _client, _http  # noqa: PLW0603
    if _http is not None:
        _http.close()
    _client = _http = None


def configure(stack_config: Mapping[str, str | None]) -> None:
    """Record this process's stack config (from the provider's `configure`).

    Settings are resolved on the first API call, so a preview that calls nothing needs no key.
    Other settings than those in force drop the client built for them and close its pool.
    """
    wanted = {key: stack_config.get(key) for _, key, _ in _SETTINGS}
    with _lock:
        if wanted != _stack_config:
            _stack_config.clear()
            _stack_config.update(wanted)
            _drop_built()


def current_settings() -> ConnectionSettings:
    """The settings in force for this process (stack config, else environment)."""
    with _lock:
        return resolve_settings(_stack_config)


def describe_sources() -> str:
    """Where the project id and key in force come from, for error advice; never the key itself."""
    try:
        settings = current_settings()
    except ConfigurationError:
        return "stack config or environment"
    return (
        f"project id {settings.project_id} from {settings.source['project_id']}, "
        f"management key from {settings.source['management_key']}"
    )


def management() -> ManagementApi:
    """The process-wide management client, built on first use. Thread-safe."""
    global _client, _http  # noqa: PLW0603
    with _lock:
        if _injected is not None:
            return _injected
        if _client is None:
            _http = _pooled_http(resolve_settings(_stack_config), _transport)
            _client = _build(_http)
        return _client


def _pooled_http(settings: ConnectionSettings, transport: httpx.BaseTransport | None) -> PooledHttp:
    """The SDK's management HTTP client as ``DescopeClient`` makes it, on a pool of its own,
    with the SDK's license handshake done through that pool."""
    try:
        limit = configured_limit()
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from None
    http = PooledHttp(
        settings.project_id,
        base_url=settings.base_url,
        management_key=settings.management_key,
        transport=transport,
        requests_per_window=limit,
    )
    http.fetch_rate_limit_tier()
    return http


def _build(http: PooledHttp) -> ManagementApi:
    """The SDK's management client (``DescopeClient.mgmt``) on `http`. Its JWT section, which
    the providers never use, gets `http` as its auth client too."""
    from descope.auth import Auth  # noqa: PLC0415 - imported when first needed
    from descope.mgmt import MGMT  # noqa: PLC0415

    api: ManagementApi = MGMT(http_client=http, auth=Auth(http.project_id, http_client=http))
    return api


@contextmanager
def use_transport(transport: httpx.BaseTransport) -> Iterator[None]:
    """Build the process-wide client on `transport` instead of the network for the duration
    (tests inject the in-process emulator with this); the client built before is dropped."""
    global _transport  # noqa: PLW0603
    with _lock:
        previous, _transport = _transport, transport
        _drop_built()
    try:
        yield
    finally:
        with _lock:
            _transport = previous
            _drop_built()


@contextmanager
def use_management(api: ManagementApi) -> Iterator[ManagementApi]:
    """Make `api` the process-wide client for the duration (tests and tools inject with this)."""
    global _injected  # noqa: PLW0603
    with _lock:
        previous, _injected = _injected, api
    try:
        yield api
    finally:
        with _lock:
            _injected = previous


def redact(text: str) -> str:
    """`text` with the management key in force replaced by ``<hidden>`` (for excerpts of
    answers shown in messages: a page that echoes a request header never shows the key)."""
    keys: set[str] = set()
    with _lock:
        held = getattr(getattr(_injected or _client, "_http", None), "management_key", None)
        config = dict(_stack_config)
    if isinstance(held, str):
        keys.add(held)
    with suppress(ConfigurationError):
        keys.add(resolve_settings(config).management_key)
    for key in sorted((k for k in keys if len(k) >= 4), key=len, reverse=True):
        text = text.replace(key, "<hidden>")
    return text
