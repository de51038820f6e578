"""The license route (the SDK asks it once per client, for its rate-limit tier)."""

from __future__ import annotations

from emulator.resources.license.models import License
from emulator.routing import Route

__all__ = ["LICENSE_PATH", "ROUTES"]

LICENSE_PATH = "/v1/mgmt/license"

ROUTES: list[Route[License]] = [
    Route("GET", LICENSE_PATH, "license", lambda license_, query, body: license_.get_license()),
]
"""The one license route."""
