"""The emulator as a plain function of a request: no sockets, usable in-process.

:meth:`EmulatorApp.handle` takes (method, path, query, headers, body) and returns an
:class:`EmulatorResponse`, or raises :class:`~emulator.exceptions.DropConnection` when a
fault says to close the connection without answering. Both the HTTP server and the
in-process httpx transport call it.

Order for a management request: count it → faults (drop, latency, 429, 503, 500) →
auth (``Authorization: Bearer <projectId>:<managementKey>``) → route → backend.

Admin routes (no auth, JSON, never counted nor faulted)::

    POST /emulator/reset            state, faults, counters, request log, switches (and the
                                    data file, when there is one, holds the fresh state)
    GET  /emulator/health           {"ok": true}
    GET  /emulator/counters         Counters.snapshot()
    POST /emulator/counters/reset
    GET  /emulator/faults           the plan and what is left of each burst
    POST /emulator/faults           replace the plan (FaultPlan JSON form)
    GET  /emulator/state            DescopeBackend.snapshot()
    GET  /emulator/options          the switches
    POST /emulator/options          change some switches: {"notFoundStatus": 404, ...}
    GET  /emulator/requests         the last requests received (Authorization removed)
    GET  /emulator/tenant-attributes  the tenant custom-attribute definitions
    POST /emulator/tenant-attributes  replace them all (the JSON form of
                                      emulator.resources.attributes.models)
"""

from __future__ import annotations

import hmac
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from emulator import exceptions as exc
from emulator.backend import DescopeBackend
from emulator.faults import Counters, FaultPlan, Faults
from emulator.options import EmulatorOptions, apply_switches
from emulator.persistence import DataFile, DataFileError, restore_state, state_json
from emulator.resources.attributes.models import (
    AttributeDefinition,
    definitions_json,
    parse_definitions,
)
from emulator.resources.roles.models import parse_role_seed
from emulator.resources.sso.configurations import redact_write_only
from emulator.responses import dispatch, dump_json, parse_body
from emulator.urls import resolve

__all__ = [
    "ADMIN_PREFIX",
    "EmulatorApp",
    "EmulatorResponse",
    "RequestRecord",
    "is_admin_write",
    "normal_path",
]

ADMIN_PREFIX = "/emulator/"
_JSON = "application/json"
_REQUEST_LOG_SIZE = 500
JsonDict = dict[str, Any]


@dataclass(frozen=True)
class EmulatorResponse:
    """One answer: status, headers (Content-Type at least) and the body bytes."""

    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class RequestRecord:
    """One management request as received, for tests to assert on."""

    method: str
    path: str
    query: str
    headers: dict[str, str] = field(repr=False)
    """Lower-cased header names; ``authorization`` is never kept."""
    body: Any
    """The parsed JSON body (an OIDC client secret redacted), or the raw text when it is not
    JSON, or None when empty."""

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": self.headers,
            "body": self.body,
        }


def normal_path(path: str) -> str:
    """The path as routed: leading slashes collapsed into one (``//emulator/x`` is
    ``/emulator/x``)."""
    if path.startswith("//"):
        return "/" + path.lstrip("/")
    return path


def is_admin_write(method: str, path: str) -> bool:
    """Whether ``method path`` (path without query) may change the emulator through its admin
    routes: anything but a GET under `ADMIN_PREFIX`."""
    return method.upper() != "GET" and normal_path(path).startswith(ADMIN_PREFIX)


def _json_response(
    status: int, data: Any, headers: Mapping[str, str] | None = None
) -> EmulatorResponse:
    return EmulatorResponse(status, {"Content-Type": _JSON, **(headers or {})}, dump_json(data))


def _error_response(error: exc.DescopeApiError) -> EmulatorResponse:
    return EmulatorResponse(error.status, {"Content-Type": _JSON, **error.headers}, error.body())


def _decode_for_log(body: bytes) -> Any:
    if not body.strip():
        return None
    try:
        return redact_write_only(parse_body(body))
    except exc.DescopeApiError:
        return body.decode("utf-8", "replace")


class EmulatorApp:
    """One emulated Descope project: options, backend state, faults, counters.

    With ``data_file`` the state is loaded from that file when it exists (raising
    :class:`~emulator.persistence.DataFileError` when it cannot be used) and saved to it
    after every request that changed it.

    ``tenant_attributes`` (the JSON form of :mod:`emulator.resources.attributes.models`;
    ValueError when bad)
    are the project's tenant custom-attribute definitions at start-up: a reset restores them,
    and they replace the definitions a data file holds. ``roles`` (the JSON form of
    :class:`~emulator.resources.roles.models.RoleSeed`; ValueError when bad) are project
    permissions and roles a fresh project has besides the built-ins: a reset restores them, and
    those missing from a data file are added to it.
    """

    def __init__(
        self,
        options: EmulatorOptions | None = None,
        *,
        backend: DescopeBackend | None = None,
        faults: Faults | None = None,
        sleep: Callable[[float], None] = time.sleep,
        data_file: str | os.PathLike[str] | None = None,
        tenant_attributes: Mapping[str, Any] | None = None,
        roles: Mapping[str, Any] | None = None,
    ) -> None:
        if backend is None:
            backend = DescopeBackend(options)
        elif options is not None:
            backend.options = options
        startup = None if tenant_attributes is None else parse_definitions(tenant_attributes)
        seed = None if roles is None else parse_role_seed(roles)
        if seed is not None:
            backend.authz.reset(seed)
        if startup is not None:
            backend.attributes.initial = startup
            backend.attributes.definitions = dict(startup)
        self.backend = backend
        self.faults = faults or Faults()
        self.counters = Counters()
        self.sleep = sleep
        self._initial_options = replace(backend.options)
        self._log_lock = threading.Lock()
        self._log: deque[RequestRecord] = deque(maxlen=_REQUEST_LOG_SIZE)
        self.data_file = None if data_file is None else DataFile(data_file)
        if self.data_file is not None:
            self._load_data_file(self.data_file, startup)

    @property
    def options(self) -> EmulatorOptions:
        return self.backend.options

    def reset(self) -> None:
        """Back to a fresh project: no tenants or flows, no faults, zero counters.

        The data file, if any, is saved with the fresh state (a 500 answer when it cannot be).
        """
        with self.backend.lock:
            self.backend.reset()
            self.backend.options = replace(self._initial_options)
        self.faults.clear()
        self.counters.reset()
        with self._log_lock:
            self._log.clear()
        self._save_after_change()

    def set_faults(self, plan: FaultPlan | Mapping[str, Any]) -> None:
        """Replace the fault plan (a FaultPlan or its JSON form)."""
        self.faults.set_plan(plan if isinstance(plan, FaultPlan) else FaultPlan.from_json(plan))

    def set_options(self, **switches: Any) -> EmulatorOptions:
        """Change switches (snake_case or camelCase names); returns the new options."""
        with self.backend.lock:
            self.backend.options = apply_switches(self.backend.options, switches)
            return self.backend.options

    def save(self) -> None:
        """Write the state to the data file now, if there is one and the state changed.

        Raises OSError when the file cannot be written.
        """
        if self.data_file is None:
            return
        with self.backend.lock:
            self.data_file.save(state_json(self.backend))

    def _load_data_file(
        self, data_file: DataFile, startup: Mapping[str, AttributeDefinition] | None
    ) -> None:
        data = data_file.read()
        if data is not None:
            try:
                restore_state(self.backend, data)
            except ValueError as error:
                raise data_file.corrupt(str(error)) from None
            if startup is not None:  # the start-up definitions win over the file's
                self.backend.attributes.definitions = dict(startup)
            self.backend.authz.ensure(self.backend.authz.seed)
        try:
            self.save()
        except OSError as error:
            raise DataFileError(
                f"cannot write the emulator data file {data_file.path}: "
                f"{error.strerror or error}; make sure its folder exists and is writable, or pass "
                "another --data-file"
            ) from None

    def _save_after_change(self) -> None:
        """Save after a request that may have changed the state; a failure is a 500 answer."""
        if self.data_file is None:
            return
        try:
            self.save()
        except OSError as error:
            reason = str(error.strerror or error)
            raise exc.data_file_not_saved(str(self.data_file.path), reason) from None

    def set_tenant_attributes(self, definitions: Mapping[str, Any]) -> JsonDict:
        """Replace every tenant attribute definition (JSON form); returns them as stored.

        Raises ValueError, changing nothing, when ``definitions`` is not valid.
        """
        parsed = parse_definitions(definitions)
        with self.backend.lock:
            self.backend.attributes.definitions = parsed
            self._save_after_change()
            return definitions_json(parsed)

    def requests(self) -> list[RequestRecord]:
        """The last management requests received, oldest first."""
        with self._log_lock:
            return list(self._log)

    # --- entry point ---------------------------------------------------------------------

    def handle(
        self,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        body: bytes,
    ) -> EmulatorResponse:
        """Answer one request; raises DropConnection to have the connection closed unanswered."""
        method = method.upper()
        path = normal_path(path)
        if path.startswith(ADMIN_PREFIX):
            return self._admin(method, path, body)

        lower = {k.lower(): v for k, v in headers.items()}
        self.counters.record(method, path, lower.get("x-descope-license"))
        kept = {k: v for k, v in lower.items() if k != "authorization"}
        with self._log_lock:
            self._log.append(RequestRecord(method, path, query, kept, _decode_for_log(body)))

        decision = self.faults.decide(path)
        if decision.kind is not None:
            self.counters.record_fault(method, path, decision.kind)
        if decision.drop:
            raise exc.DropConnection(f"{method} {path}")
        if decision.latency_seconds > 0:
            self.sleep(decision.latency_seconds)
        if decision.error is not None:
            return _error_response(decision.error)

        try:
            self._authorize(lower.get("authorization", ""))
            handler = resolve(method, path)
            answer = dispatch(self.backend, handler, query, body)
            if method != "GET":
                self._save_after_change()
            if decision.corrupt:
                return EmulatorResponse(200, {"Content-Type": _JSON}, answer[: len(answer) // 2])
            return EmulatorResponse(200, {"Content-Type": _JSON}, answer)
        except exc.DescopeApiError as error:
            return _error_response(error)

    def _authorize(self, authorization: str) -> None:
        options = self.backend.options
        expected = f"Bearer {options.project_id}:{options.management_key}"
        if not hmac.compare_digest(authorization.encode(), expected.encode()):
            raise exc.unauthorized()

    # --- admin ---------------------------------------------------------------------------

    def _admin(self, method: str, path: str, body: bytes) -> EmulatorResponse:
        route = (method, path.removeprefix(ADMIN_PREFIX).rstrip("/"))
        try:
            return _json_response(200, self._admin_route(route, body))
        except exc.DescopeApiError as error:
            return _error_response(error)
        except ValueError as error:
            return _error_response(exc.invalid_argument(str(error)))

    def _admin_route(self, route: tuple[str, str], body: bytes) -> Any:
        match route:
            case ("POST", "reset"):
                self.reset()
                return {}
            case ("GET", "health"):
                return {"ok": True}
            case ("GET", "counters"):
                return self.counters.snapshot()
            case ("POST", "counters/reset"):
                self.counters.reset()
                return {}
            case ("GET", "faults"):
                return self.faults.to_json()
            case ("POST", "faults"):
                self.set_faults(parse_body(body))
                return self.faults.to_json()
            case ("GET", "state"):
                return self.backend.snapshot()
            case ("GET", "options"):
                return self.options.switches()
            case ("POST", "options"):
                return self.set_options(**parse_body(body)).switches()
            case ("GET", "requests"):
                return {"requests": [r.to_json() for r in self.requests()]}
            case ("GET", "tenant-attributes"):
                with self.backend.lock:
                    return definitions_json(self.backend.tenant_attributes)
            case ("POST", "tenant-attributes"):
                return self.set_tenant_attributes(parse_body(body))
        raise exc.route_not_found(route[0], ADMIN_PREFIX + route[1])
