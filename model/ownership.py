"""The kinds of Descope objects a stack may leave to another tool (``leaveUnmanaged``).

A project may also be managed by Descope's own Terraform/Pulumi provider, whose
``descope_project`` writes whole sections of the project (roles and permissions, flows, styles,
attributes) at once. A kind named in the setting is never written, deleted nor compared by this
program: the configuration may not declare it (`config.stack`), the program registers none of
it, a resource of it still in a stack's state is forgotten at the next ``up`` rather than
deleted (`providers.runtime`), and ``ops`` says it is not compared.

The one home of the kinds' names and of how the setting's text is read, for `config` (which
validates it) and `providers` (which only reads it), which may not import each other.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

SETTING = "descope-config:leaveUnmanaged"
"""The stack setting, namespaced."""
KINDS = ("permissions", "roles", "tenantAttributes", "flows", "theme", "tenants", "accessKeys")
"""What the setting may name: the kinds the program manages, each named by its key in the
configuration file (``accessKeys``: the tenants' access keys). A tenant's own roles and its
SSO configurations are part of ``tenants``."""


def named_kinds(text: str | None) -> list[object] | None:
    """The names `text` (the setting's value) lists, as written: comma-separated text
    (``flows, theme``) or a list (a YAML list reaches a program as JSON text); [] when unset or
    blank; None when it opens as a list and is not valid JSON."""
    if text is None or not text.strip():
        return []
    if text.strip().startswith("["):
        try:
            loaded: list[object] = json.loads(text)  # valid JSON opening with [ is a list
        except ValueError:
            return None
        return loaded
    return [part.strip() for part in text.split(",") if part.strip()]


def unmanaged_kinds(text: str | None) -> frozenset[str]:
    """The known kinds `text` names (anything else is ignored: `config.stack` refuses it before
    any resource is registered)."""
    return frozenset(name for name in named_kinds(text) or [] if name in KINDS)


def kinds_of(type_name: str, props: Mapping[str, Any]) -> frozenset[str]:
    """The kinds a resource of `type_name` (``Flow``, ``Role`` ...) with state `props` belongs
    to: a tenant's own role, SSO configuration or access key belongs to ``tenants`` too (it is
    deleted with its tenant), an access key to ``accessKeys``."""
    if type_name == "Role":
        return frozenset({"tenants"}) if props.get("tenantId") else frozenset({"roles"})
    return {
        "Permission": frozenset({"permissions"}),
        "Flow": frozenset({"flows"}),
        "Theme": frozenset({"theme"}),
        "Tenant": frozenset({"tenants"}),
        "AttributeDefinition": frozenset({"tenantAttributes"}),
        "SSOConfiguration": frozenset({"tenants"}),
        "AccessKey": frozenset({"accessKeys", "tenants"}),
    }.get(type_name, frozenset())
