"""A local emulator of the Descope management API (tenants, SSO, roles, permissions, flows,
theme, license).

Stdlib only (``emulator.transport`` aside, which needs httpx, and ``emulator.tls``, which
needs cryptography and is imported only for ``--tls-cert``), importing nothing from
the project's other packages. Split the moto way:

- :mod:`emulator.models`: options, entities, the backend (no HTTP);
- :mod:`emulator.sso`, :mod:`emulator.sso_backend`, :mod:`emulator.sso_responses`: per-tenant
  SSO state, operations, routes and handlers;
- :mod:`emulator.roles`: roles and permissions; :mod:`emulator.attributes`: tenant
  custom-attribute definitions; :mod:`emulator.fields`: request field readers;
- :mod:`emulator.persistence`: the data file (state across runs);
- :mod:`emulator.exceptions`: every error code and text;
- :mod:`emulator.urls`: the route table; :mod:`emulator.responses`: parse and serialise;
- :mod:`emulator.faults`: injected faults and request counters;
- :mod:`emulator.app`: ``EmulatorApp.handle``, the whole emulator as a function;
- :mod:`emulator.server`: ``EmulatorServer``, the app over HTTP;
- :mod:`emulator.guard`: what the server refuses before reading a body (foreign ``Host`` or
  ``Origin``, non-JSON admin writes, chunked bodies);
- :mod:`emulator.transport`: ``EmulatorTransport``, the app as an httpx transport.

Run it with ``python -m emulator``.
"""

# ruff: noqa: E402
from __future__ import annotations

from requires_python import stop_if_too_old

# Before any import an older Python cannot take: one line, no traceback (E402 below: on purpose).
stop_if_too_old("python -m emulator")

from emulator.app import EmulatorApp, EmulatorResponse
from emulator.exceptions import DescopeApiError, DropConnection
from emulator.faults import Burst, Counters, FaultPlan, Faults, RateLimit
from emulator.models import (
    DEFAULT_MANAGEMENT_KEY,
    DEFAULT_PROJECT_ID,
    DescopeBackend,
    EmulatorOptions,
)
from emulator.persistence import DataFileError
from emulator.server import EmulatorServer

__all__ = [
    "DEFAULT_MANAGEMENT_KEY",
    "DEFAULT_PROJECT_ID",
    "Burst",
    "Counters",
    "DataFileError",
    "DescopeApiError",
    "DescopeBackend",
    "DropConnection",
    "EmulatorApp",
    "EmulatorOptions",
    "EmulatorResponse",
    "EmulatorServer",
    "FaultPlan",
    "Faults",
    "RateLimit",
]
