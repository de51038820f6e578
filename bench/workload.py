"""Generated tenants and flows: the bench's workload, also used by the fault tests.

A bench tenant is a typical B2B customer tenant: a name, one self-provisioning domain, two
custom attributes and SSO settings (SAML, one SSO domain, a 30-minute session). It has no
default roles, so creating it needs exactly two API calls (create + settings).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from model import TenantSpec

TENANT_ATTRIBUTES: dict[str, dict[str, Any]] = {
    "plan": {"type": "string", "displayName": "Plan"},
    "seats": {"type": "number", "displayName": "Seats"},
}
"""The custom attributes the workload's tenants carry, as the project must define them."""


def tenant_spec(index: int, *, prefix: str = "t", settings: bool = True) -> dict[str, Any]:
    """The YAML form of tenant number `index`."""
    spec: dict[str, Any] = {
        "id": f"{prefix}{index:05d}",
        "name": f"Tenant {prefix}{index:05d}",
        "selfProvisioningDomains": [f"{prefix}{index}.example.com"],
        "customAttributes": {"plan": "pro", "seats": index % 500 + 1},
    }
    if settings:
        spec["settings"] = {
            "domains": [f"sso.{prefix}{index}.example.com"],
            "authType": "saml",
            "sessionTokenExpiration": 30,
            "sessionTokenExpirationUnit": "minutes",
        }
    return spec


def tenant_props(spec: dict[str, Any]) -> dict[str, Any]:
    """The props the program's `Tenant` resource registers for `spec` (canonical, ``tenantId``)."""
    from providers.answers.tenant import tenant_props as resource_props  # noqa: PLC0415

    return resource_props(TenantSpec.model_validate(spec))


def sso_props(
    tenant_id: str, index: int, *, sso_id: str = "", oidc: bool = False
) -> dict[str, Any]:
    """A typical customer SSO configuration of a tenant, as the SSO resource's inputs: SAML by
    metadata, or OIDC by issuer with its client secret; one SSO domain, one default role-free
    mapping set (the bench's project has no roles)."""
    props: dict[str, Any] = {
        "tenantId": tenant_id,
        "ssoId": sso_id,
        "displayName": f"IdP {sso_id}" if sso_id else "",
        "domains": [f"login{'-' + sso_id if sso_id else ''}.{tenant_id}.example.com"],
        "redirectUrl": f"https://app.example.com/{tenant_id}/after-sso",
    }
    if oidc:
        props["oidc"] = {"issuer": f"https://idp.{tenant_id}.example.com", "clientId": f"c{index}"}
        props["clientSecret"] = f"bench-client-secret-{index}"
    else:
        props["saml"] = {"metadataUrl": f"https://idp.{tenant_id}.example.com/saml/metadata"}
    return props


def renamed(spec: dict[str, Any], suffix: str = " (renamed)") -> dict[str, Any]:
    """`spec` with another name: an update that leaves the settings alone."""
    changed = copy.deepcopy(spec)
    changed["name"] = spec["name"] + suffix
    return changed


def longer_sessions(spec: dict[str, Any], minutes: int = 45) -> dict[str, Any]:
    """`spec` with another session lifetime: an update of the settings only."""
    changed = copy.deepcopy(spec)
    changed.setdefault("settings", {})
    changed["settings"]["sessionTokenExpiration"] = minutes
    changed["settings"]["sessionTokenExpirationUnit"] = "minutes"
    return changed


def flow_export(flow_id: str, *, revision: int = 1, screens: int = 2) -> dict[str, Any]:
    """A small, valid flow export (``{"flow": ..., "screens": [...]}``)."""
    return {
        "flow": {
            "id": flow_id,
            "name": f"Flow {flow_id} r{revision}",
            "description": f"revision {revision}",
            "dsl": {"start": {"next": "screen-0"}, "revision": revision},
            "disabled": False,
        },
        "screens": [
            {
                "id": f"{flow_id}-screen-{n}",
                "inputs": [],
                "interactions": [{"id": f"submit-{n}", "type": "button", "label": "Go"}],
                "htmlTemplate": {"body": f"<p>{flow_id} {n} r{revision}</p>"},
            }
            for n in range(screens)
        ],
    }


def write_tenants_yaml(path: Path, count: int) -> int:
    """Write a configuration file declaring `count` tenants; returns its size in bytes.

    Tenants are written one flow-style mapping per line, as people keep long lists, so the
    file stays within the loader's size limit.
    """
    lines = ["defaults:", "  customAttributes: {plan: pro}", "tenants:"]
    for index in range(count):
        spec = {
            "id": f"c{index:05d}",
            "name": f"Customer {index:05d}",
            "selfProvisioningDomains": [f"c{index}.example.com"],
        }
        lines.append("  - " + yaml.safe_dump(spec, default_flow_style=True, width=1000).strip())
    text = "\n".join(lines) + "\n"
    path.write_text(text, encoding="utf-8")
    return len(text.encode())
