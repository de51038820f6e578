"""Every error the emulator can answer, in Descope's wire format, in one place.

Exception tree::

    DescopeApiError            an HTTP error answer: status, errorCode, description, message
    DropConnection             not an answer: the server closes the socket without a response

Refusals of the HTTP server itself (a foreign ``Host`` or ``Origin``, a non-JSON admin write,
a chunked body, too many connections) are at the end, with codes of their own.

Descope error bodies are compact JSON with the keys in the order ``errorCode``,
``errorDescription``, ``errorMessage`` and, for some errors, ``message``
(see the wire contract, section 4.1). The SDK never parses ``errorCode`` except
on 429, so callers only see the HTTP status and this body text.

Evidence for the codes (wire contract, section 4.2):

- documented codes: ``E011002`` missing arguments, ``E011003`` validation failure,
  ``E011004`` invalid argument, ``E010009`` unknown server error, ``E103003`` flow not
  found, ``E130429`` rate limited;
- Descope publishes no code for tenant-not-found, duplicates, a bad management key or an
  unknown route. Duplicates use ``E011003`` (validation failure); the others use codes in
  the ``E099xxx`` range, which are this emulator's own invention and are chosen so that a
  caller can never mistake them for a documented code.
"""

from __future__ import annotations

import json

__all__ = [
    "CODE_BAD_REQUEST",
    "CODE_DATA_FILE_NOT_SAVED",
    "CODE_FLOW_NOT_FOUND",
    "CODE_INVALID_ARGUMENT",
    "CODE_MISSING_ARGUMENTS",
    "CODE_PERMISSION_NOT_FOUND",
    "CODE_RATE_LIMITED",
    "CODE_ROLE_NOT_FOUND",
    "CODE_ROUTE_NOT_FOUND",
    "CODE_SERVICE_UNAVAILABLE",
    "CODE_TENANT_NOT_FOUND",
    "CODE_UNAUTHORIZED",
    "CODE_UNKNOWN_SERVER_ERROR",
    "CODE_VALIDATION_FAILURE",
    "DescopeApiError",
    "DropConnection",
    "bad_request",
    "data_file_not_saved",
    "duplicate_domain",
    "duplicate_permission",
    "duplicate_role",
    "duplicate_tenant_id",
    "duplicate_tenant_name",
    "flow_not_found",
    "invalid_argument",
    "invalid_tenant_attribute",
    "missing_field",
    "missing_id",
    "missing_name",
    "permission_not_found",
    "rate_limited",
    "role_not_found",
    "route_not_found",
    "service_unavailable",
    "system_permission",
    "tenant_has_successors",
    "tenant_not_found",
    "unauthorized",
    "undefined_tenant_attribute",
    "unknown_permission",
    "unknown_role",
    "unknown_server_error",
]

CODE_BAD_REQUEST = "E011001"
"""Generic bad request: the body is not JSON or not a JSON object."""
CODE_MISSING_ARGUMENTS = "E011002"
"""A required field is missing or empty ("The name field is required")."""
CODE_VALIDATION_FAILURE = "E011003"
"""The request is well formed but conflicts with state (duplicate id, name or domain)."""
CODE_INVALID_ARGUMENT = "E011004"
"""A field has a bad type or value (malformed domain, unknown authType or unit)."""
CODE_UNKNOWN_SERVER_ERROR = "E010009"
"""Unknown server error; Descope also answers it for a wrong method on a known route."""
CODE_FLOW_NOT_FOUND = "E103003"
"""Exporting a flow that does not exist (a 500, as captured from the real service)."""
CODE_RATE_LIMITED = "E130429"
"""Rate limited (429, with a ``Retry-After`` header)."""
CODE_TENANT_NOT_FOUND = "E099001"
"""Emulator-invented: Descope publishes no tenant-not-found code."""
CODE_ROLE_NOT_FOUND = "E099002"
"""Emulator-invented: Descope publishes no role-not-found code."""
CODE_PERMISSION_NOT_FOUND = "E099003"
"""Emulator-invented: Descope publishes no permission-not-found code."""
CODE_UNAUTHORIZED = "E099401"
"""Emulator-invented: a missing or wrong management key."""
CODE_ROUTE_NOT_FOUND = "E099404"
"""Emulator-invented: no such management route."""
CODE_SERVICE_UNAVAILABLE = "E099503"
"""Emulator-invented: an injected 503 fault."""
CODE_DATA_FILE_NOT_SAVED = "E099500"
"""Emulator-invented: the change was made in memory but the data file could not be written."""

RATE_LIMIT_DESCRIPTION = "https://docs.descope.com/rate-limit"
RATE_LIMIT_MESSAGE = "API rate limit exceeded."


class DescopeApiError(Exception):
    """An error answer in Descope's format.

    Raised by the backend for every failed operation and by the app for auth, routing
    and injected faults; the HTTP layers turn it into a response with :meth:`body`.
    """

    status: int
    """The HTTP status code."""
    code: str
    """``E`` plus six digits, sent as ``errorCode``."""
    description: str
    """Sent as ``errorDescription``."""
    message: str | None
    """Sent as ``errorMessage`` when not None."""
    extra_message: bool
    """Also send ``message`` (equal to ``errorMessage``), as Descope does for flow errors."""
    headers: dict[str, str]
    """Extra response headers, e.g. ``Retry-After``."""

    def __init__(
        self,
        status: int,
        code: str,
        description: str,
        message: str | None = None,
        *,
        extra_message: bool = False,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {description}" + (f": {message}" if message else ""))
        self.status = status
        self.code = code
        self.description = description
        self.message = message
        self.extra_message = extra_message
        self.headers = dict(headers or {})

    def to_dict(self) -> dict[str, str]:
        """The body as a dict, keys in Descope's order."""
        out = {"errorCode": self.code, "errorDescription": self.description}
        if self.message is not None:
            out["errorMessage"] = self.message
            if self.extra_message:
                out["message"] = self.message
        return out

    def body(self) -> bytes:
        """The body as compact JSON bytes."""
        return json.dumps(self.to_dict(), separators=(",", ":")).encode()


class DropConnection(Exception):
    """Raised by the app when a fault says: close the connection without answering."""


# --- request shape -------------------------------------------------------------------------


def bad_request(message: str) -> DescopeApiError:
    """400: the body could not be parsed as a JSON object."""
    return DescopeApiError(400, CODE_BAD_REQUEST, "Bad request", message)


def missing_field(field: str) -> DescopeApiError:
    """400 E011002: a required field is missing or empty."""
    return DescopeApiError(
        400,
        CODE_MISSING_ARGUMENTS,
        "Request is missing required arguments",
        f"The {field} field is required",
    )


def missing_name() -> DescopeApiError:
    """400 E011002 "The name field is required"."""
    return missing_field("name")


def missing_id() -> DescopeApiError:
    """400 E011002 "The id field is required"."""
    return missing_field("id")


def invalid_argument(message: str) -> DescopeApiError:
    """400 E011004: a field has a bad type or value."""
    return DescopeApiError(400, CODE_INVALID_ARGUMENT, "Request has invalid arguments", message)


# --- tenants -----------------------------------------------------------------------------


def tenant_not_found(tenant_id: str, status: int = 400) -> DescopeApiError:
    """Tenant not found; the status (400 or 404) is an emulator option."""
    return DescopeApiError(
        status, CODE_TENANT_NOT_FOUND, "Tenant not found", f"Tenant {tenant_id!r} not found"
    )


def duplicate_tenant_id(tenant_id: str) -> DescopeApiError:
    """400 E011003: create with an id that already exists."""
    return DescopeApiError(
        400,
        CODE_VALIDATION_FAILURE,
        "Request is invalid",
        f"Tenant with id {tenant_id!r} already exists",
    )


def duplicate_tenant_name(name: str) -> DescopeApiError:
    """400 E011003: create, update or patch to a name another tenant has."""
    return DescopeApiError(
        400,
        CODE_VALIDATION_FAILURE,
        "Request is invalid",
        f"Tenant with name {name!r} already exists",
    )


def duplicate_domain(domain: str) -> DescopeApiError:
    """400 E011003: a domain another tenant uses (only with unique_domains_across_tenants)."""
    return DescopeApiError(
        400,
        CODE_VALIDATION_FAILURE,
        "Request is invalid",
        f"Domain {domain!r} is already used by another tenant",
    )


def tenant_has_successors(tenant_id: str) -> DescopeApiError:
    """400 E011003: delete without cascade of a tenant that has child tenants."""
    return DescopeApiError(
        400,
        CODE_VALIDATION_FAILURE,
        "Request is invalid",
        f"Tenant {tenant_id!r} has successor tenants; delete them first or use cascade",
    )


# --- tenant custom attributes ------------------------------------------------------------
# Descope publishes no code or text for these. 400 E011004 ("invalid arguments") is the
# documented code closest to a value the project does not accept; the message names the
# attribute and says what to do.


def undefined_tenant_attribute(name: str, defined: list[str]) -> DescopeApiError:
    """400 E011004: a tenant's customAttributes name an attribute the project does not define."""
    known = ", ".join(repr(d) for d in defined) if defined else "none"
    return invalid_argument(
        f"Custom attribute {name!r} is not defined for tenants in this project (defined: "
        f"{known}); define it in the project's tenant custom attributes first"
    )


def invalid_tenant_attribute(name: str, problem: str) -> DescopeApiError:
    """400 E011004: a tenant custom attribute value of the wrong type (or not an option)."""
    return invalid_argument(f"Custom attribute {name!r} {problem}")


# --- roles and permissions ---------------------------------------------------------------
# Descope publishes no codes for these. The emulator follows its tenant choices: duplicates
# and changes to what cannot change are 400 E011003, a name the request refers to that does
# not exist is 400 E011004 ("invalid arguments"), and the role or permission a call addresses
# missing is "not found" with the emulator's own code and the not_found_status switch.


def _scope(tenant_id: str) -> str:
    return f"tenant {tenant_id!r}" if tenant_id else "the project"


def duplicate_role(name: str, tenant_id: str) -> DescopeApiError:
    """400 E011003: a role of that name already exists in the project or in that tenant."""
    return DescopeApiError(
        400,
        CODE_VALIDATION_FAILURE,
        "Request is invalid",
        f"Role with name {name!r} already exists in {_scope(tenant_id)}",
    )


def duplicate_permission(name: str) -> DescopeApiError:
    """400 E011003: a permission of that name already exists (system ones included)."""
    return DescopeApiError(
        400,
        CODE_VALIDATION_FAILURE,
        "Request is invalid",
        f"Permission with name {name!r} already exists",
    )


def system_permission(name: str) -> DescopeApiError:
    """400 E011003: updating or deleting one of a project's built-in permissions."""
    return DescopeApiError(
        400,
        CODE_VALIDATION_FAILURE,
        "Request is invalid",
        f"Permission {name!r} is a system permission and cannot be changed or deleted",
    )


def unknown_permission(name: str) -> DescopeApiError:
    """400 E011004: a role names a permission the project does not have."""
    return invalid_argument(f"Permission {name!r} not found; create the permission first")


def unknown_role(name: str, tenant_id: str) -> DescopeApiError:
    """400 E011004: a tenant default role that is neither a project role nor the tenant's."""
    return invalid_argument(
        f"Role {name!r} not found in the project or in tenant {tenant_id!r}; create the role "
        "first (a project role, or a role of this tenant)"
    )


def role_not_found(name_or_id: str, tenant_id: str, status: int = 400) -> DescopeApiError:
    """The role a call addresses does not exist; the status (400 or 404) is an option."""
    return DescopeApiError(
        status,
        CODE_ROLE_NOT_FOUND,
        "Role not found",
        f"Role {name_or_id!r} not found in {_scope(tenant_id)}",
    )


def permission_not_found(name_or_id: str, status: int = 400) -> DescopeApiError:
    """The permission a call addresses does not exist; the status (400 or 404) is an option."""
    return DescopeApiError(
        status,
        CODE_PERMISSION_NOT_FOUND,
        "Permission not found",
        f"Permission {name_or_id!r} not found",
    )


# --- flows -------------------------------------------------------------------------------


def flow_not_found() -> DescopeApiError:
    """500 E103003, exactly as captured from the real service."""
    return DescopeApiError(
        500,
        CODE_FLOW_NOT_FOUND,
        "Failed getting flow",
        "Failed loading flow by ID",
        extra_message=True,
    )


# --- transport-level ---------------------------------------------------------------------


def unauthorized() -> DescopeApiError:
    """401: missing or wrong ``Authorization: Bearer <projectId>:<managementKey>``."""
    return DescopeApiError(
        401, CODE_UNAUTHORIZED, "Unauthorized", "Invalid or missing management key"
    )


def rate_limited(retry_after: int) -> DescopeApiError:
    """429 E130429 with ``Retry-After``, Descope's exact body."""
    return DescopeApiError(
        429,
        CODE_RATE_LIMITED,
        RATE_LIMIT_DESCRIPTION,
        RATE_LIMIT_MESSAGE,
        headers={"Retry-After": str(retry_after)},
    )


def service_unavailable() -> DescopeApiError:
    """503 from an injected fault (the SDK retries it)."""
    return DescopeApiError(
        503, CODE_SERVICE_UNAVAILABLE, "Service unavailable", "Service temporarily unavailable"
    )


def unknown_server_error() -> DescopeApiError:
    """500 E010009; also the answer to a wrong method on a known route."""
    return DescopeApiError(500, CODE_UNKNOWN_SERVER_ERROR, "Unknown server error")


def data_file_not_saved(path: str, reason: str) -> DescopeApiError:
    """500: the request changed the state in memory, but the data file could not be written."""
    return DescopeApiError(
        500,
        CODE_DATA_FILE_NOT_SAVED,
        "Emulator data file not saved",
        f"Could not write {path} ({reason}); the change is kept in memory only. Make the "
        "file's folder writable (or free disk space), then repeat the request",
    )


def route_not_found(method: str, path: str) -> DescopeApiError:
    """404: no management route has this path."""
    return DescopeApiError(404, CODE_ROUTE_NOT_FOUND, "Not found", f"No route for {method} {path}")


# --- per-tenant SSO ------------------------------------------------------------------------

__all__ += [
    "CODE_SSO_NOT_FOUND",
    "duplicate_sso_configuration",
    "sso_not_found",
    "unknown_sso_role",
]

CODE_SSO_NOT_FOUND = "E099201"
"""Emulator-invented: no SSO configuration with that ``ssoId`` in the tenant."""


def sso_not_found(tenant_id: str, sso_id: str, status: int = 400) -> DescopeApiError:
    """No SSO configuration ``sso_id`` in the tenant; the status (400 or 404) is an option."""
    return DescopeApiError(
        status,
        CODE_SSO_NOT_FOUND,
        "SSO configuration not found",
        f"Tenant {tenant_id!r} has no SSO configuration with ssoId {sso_id!r}",
    )


def duplicate_sso_configuration(tenant_id: str, sso_id: str) -> DescopeApiError:
    """400 E011003: new SSO settings with an ``ssoId`` the tenant already has."""
    return DescopeApiError(
        400,
        CODE_VALIDATION_FAILURE,
        "Request is invalid",
        f"Tenant {tenant_id!r} already has an SSO configuration with ssoId {sso_id!r}",
    )


def unknown_sso_role(role_name: str) -> DescopeApiError:
    """400 E011003: an SSO role mapping or default SSO role names a role that does not exist."""
    return DescopeApiError(
        400,
        CODE_VALIDATION_FAILURE,
        "Request is invalid",
        f"Role {role_name!r} does not exist; create it first",
    )


# --- the HTTP server's own refusals --------------------------------------------------------
# Not Descope behaviour: what keeps the emulator safe to leave running on a developer's
# machine (no DNS rebinding, no cross-site admin writes, no request smuggling, bounded
# threads). Emulator-invented codes, in Descope's format.

__all__ += [
    "CODE_CONTENT_TYPE",
    "CODE_FORBIDDEN_HOST",
    "CODE_FORBIDDEN_ORIGIN",
    "CODE_LENGTH_REQUIRED",
    "CODE_MALFORMED_REQUEST",
    "CODE_TOO_MANY_CONNECTIONS",
    "admin_needs_json",
    "chunked_body",
    "foreign_host",
    "foreign_origin",
    "malformed_request",
    "too_many_connections",
]

CODE_FORBIDDEN_HOST = "E099421"
"""Emulator-invented: the ``Host`` header is not an address the emulator listens on."""
CODE_FORBIDDEN_ORIGIN = "E099403"
"""Emulator-invented: an admin write from a foreign ``Origin`` (a web page)."""
CODE_CONTENT_TYPE = "E099415"
"""Emulator-invented: an admin write whose body is not ``application/json``."""
CODE_LENGTH_REQUIRED = "E099411"
"""Emulator-invented: a body framed by ``Transfer-Encoding`` instead of ``Content-Length``."""
CODE_MALFORMED_REQUEST = "E099400"
"""Emulator-invented: a request the HTTP parser refused (request line, version, headers,
method)."""
CODE_TOO_MANY_CONNECTIONS = "E099502"
"""Emulator-invented: every connection slot of the server is taken."""

_SHOWN = 80
"""At most this many characters of a header value are repeated in a message."""


def _shown(value: str | None) -> str:
    """A header value for a message: repr, cut to `_SHOWN` characters."""
    if value is None:
        return "none"
    return repr(value[:_SHOWN] + ("…" if len(value) > _SHOWN else ""))


def foreign_host(host: str | None, allowed: list[str]) -> DescopeApiError:
    """421: a ``Host`` that is not the emulator's own (DNS rebinding, or a wrong address)."""
    return DescopeApiError(
        421,
        CODE_FORBIDDEN_HOST,
        "Misdirected request",
        f"Host {_shown(host)} is not an address this emulator listens on; send the request "
        f"to http://{allowed[0]} (accepted Host headers: {', '.join(allowed)})",
    )


def foreign_origin(origin: str, method: str, path: str, own: str) -> DescopeApiError:
    """403: a state-changing admin request sent by a web page of another origin."""
    return DescopeApiError(
        403,
        CODE_FORBIDDEN_ORIGIN,
        "Origin not allowed",
        f"{method} {path} from Origin {_shown(origin)} is refused: web pages may not change "
        f"the emulator; send it from a script or curl (no Origin header) or from {own}",
    )


def admin_needs_json(content_type: str | None, method: str, path: str) -> DescopeApiError:
    """415: a state-changing admin request whose body is not declared JSON."""
    return DescopeApiError(
        415,
        CODE_CONTENT_TYPE,
        "Unsupported media type",
        f"{method} {path} needs Content-Type: application/json (got {_shown(content_type)}); "
        "send a JSON body with that header, e.g. curl -H 'Content-Type: application/json' "
        "-d '{}'",
    )


def chunked_body(transfer_encoding: str) -> DescopeApiError:
    """411: a body framed by ``Transfer-Encoding``; only ``Content-Length`` is read."""
    return DescopeApiError(
        411,
        CODE_LENGTH_REQUIRED,
        "Length required",
        f"Transfer-Encoding {_shown(transfer_encoding)} is not supported; send the body "
        "with a Content-Length header instead",
    )


def too_many_connections(limit: int) -> DescopeApiError:
    """503: the server already serves its maximum number of connections."""
    return DescopeApiError(
        503,
        CODE_TOO_MANY_CONNECTIONS,
        "Too many connections",
        f"The emulator already serves {limit} connections; close idle ones, or start it "
        "with a higher --max-connections",
    )


def malformed_request(status: int, reason: str) -> DescopeApiError:
    """A request the HTTP parser refused (``status`` is its choice: 400, 414, 431, 501, 505)."""
    return DescopeApiError(
        status,
        CODE_MALFORMED_REQUEST,
        "Malformed request",
        f"{reason}; send an HTTP/1.1 request (GET, POST, PUT, PATCH or DELETE) with a request "
        "line and each header under 64 KiB and at most 100 headers",
    )


# --- access keys -------------------------------------------------------------------------

__all__ += ["CODE_ACCESS_KEY_NOT_FOUND", "access_key_not_found"]

CODE_ACCESS_KEY_NOT_FOUND = "E099301"
"""Emulator-invented: no access key with that id."""


def access_key_not_found(key_id: str, status: int = 400) -> DescopeApiError:
    """No access key ``key_id``; the status (400 or 404) is an option."""
    return DescopeApiError(
        status,
        CODE_ACCESS_KEY_NOT_FOUND,
        "Access key not found",
        f"Access key {key_id!r} not found",
    )
