"""A local emulator of the Descope management API (tenants, SSO, roles, permissions, flows,
theme, license).

Stdlib only (``emulator.transport`` aside, which needs httpx, and ``emulator.tls``, which
needs cryptography and is imported only for ``--tls-cert``), importing nothing from
the project's other packages. Split the moto way:

- the core every resource stands on: :mod:`emulator.options` (the switches),
  :mod:`emulator.tenant` (the tenant entity), :mod:`emulator.context` (``ProjectContext``:
  lock, clock, options, the tenant table), :mod:`emulator.routing` (what a route is),
  :mod:`emulator.records` (typed reads of the data file), :mod:`emulator.fields` (request
  field readers), :mod:`emulator.exceptions` (every error code and text);
- :mod:`emulator.resources`: one folder per resource (tenants, settings, roles, attributes,
  flows and theme, access keys, SSO, license), each with its ``models`` (entities and one
  method per operation, no HTTP), ``responses`` (its routes) and ``persistence`` (its part of
  the data file);
- :mod:`emulator.backend`: ``DescopeBackend``, the resource models composed over one context;
- :mod:`emulator.urls`: the route table joined from the resources' routes;
  :mod:`emulator.responses`: parse and serialise; :mod:`emulator.persistence`: the data file
  (state across runs), joined from the resources' parts;
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
from emulator.backend import DescopeBackend
from emulator.exceptions import DescopeApiError, DropConnection
from emulator.faults import Burst, Counters, FaultPlan, Faults, RateLimit
from emulator.options import DEFAULT_MANAGEMENT_KEY, DEFAULT_PROJECT_ID, EmulatorOptions
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
