"""What every test against a real Descope project shares.

The tests run only when DESCOPE_TEST_PROJECT_ID and DESCOPE_TEST_MANAGEMENT_KEY are set
(DESCOPE_TEST_BASE_URL optionally points them at another address, the emulator's to try them
offline). Everything a test makes carries a prefix unique to the run (`unique_prefix`), and
each file's finalizers delete what carries it, whatever happened.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from descope import DescopeClient

from providers import client

PROJECT_ID = os.environ.get("DESCOPE_TEST_PROJECT_ID", "")
MANAGEMENT_KEY = os.environ.get("DESCOPE_TEST_MANAGEMENT_KEY", "")
BASE_URL = os.environ.get("DESCOPE_TEST_BASE_URL") or None

NEEDS_REAL_DESCOPE = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not (PROJECT_ID and MANAGEMENT_KEY),
        reason="needs DESCOPE_TEST_PROJECT_ID and DESCOPE_TEST_MANAGEMENT_KEY (a real project)",
    ),
]
"""Each test file's ``pytestmark``."""


def unique_prefix() -> str:
    """``it-<unix time>-<6 hex>``: no two runs, parallel or leftover, share it."""
    return f"it-{int(time.time())}-{secrets.token_hex(3)}"


@contextmanager
def providers_configured() -> Iterator[None]:
    """The providers' client configured for the test project, as a stack would configure it."""
    client.configure(
        {
            "descope:projectId": PROJECT_ID,
            "descope:managementKey": MANAGEMENT_KEY,
            "descope:baseUrl": BASE_URL,
        }
    )
    try:
        yield
    finally:
        client.configure({})


def sdk() -> DescopeClient:
    """The SDK itself, as the console or another tool edits the project."""
    return DescopeClient(PROJECT_ID, management_key=MANAGEMENT_KEY, base_url=BASE_URL)


def delete_prefixed(prefix: str) -> None:
    """Delete every tenant (its roles and SSO configurations with it), role and permission
    whose id or name starts with `prefix`, through the providers' configured client."""
    api = client.management()
    for held in api.tenant.load_all().get("tenants", []):
        if str(held.get("id", "")).startswith(prefix):
            api.tenant.delete(held["id"], cascade=True)
    for held in api.role.load_all().get("roles", []):
        if str(held.get("name", "")).startswith(prefix):
            api.role.delete(held["name"], tenant_id=held.get("tenantId") or None)
    for held in api.permission.load_all().get("permissions", []):
        if str(held.get("name", "")).startswith(prefix):
            api.permission.delete(held["name"])
