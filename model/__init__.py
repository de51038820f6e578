"""What makes a tenant, a tenant's SSO (`model.sso`, its IdP settings `model.idp`), a flow, a
tenant attribute definition or a role valid, and which tenant a domain leads to
(`model.domains`): the one home of those rules.

Both the YAML loader (`config`) and the providers' `check` (`providers`) import this package,
so a rule and its wording are written once. It imports nothing else from the project.
"""

from __future__ import annotations

from model.attributes import (
    AttributeDefinition,
    attribute_definition_problems,
    custom_attribute_problems,
)
from model.flow import (
    FLOW_VOLATILE_KEYS,
    SCREEN_VOLATILE_KEYS,
    THEME_VOLATILE_KEYS,
    content_hash,
    flow_export_problems,
    normalise_flow_export,
    normalise_theme,
)
from model.problems import Problem, problems_from_validation_error
from model.roles import (
    BUILTIN_PERMISSIONS,
    BUILTIN_ROLES,
    PermissionSpec,
    RoleSpec,
    authorization_problems,
    default_role_problems,
)
from model.tenant import (
    MANAGEMENT_KEYS,
    RESOURCE_OPTION_KEYS,
    TENANT_ID_PATTERN,
    SessionSettings,
    TenantSpec,
    tenant_problems,
)

__all__ = [
    "BUILTIN_PERMISSIONS",
    "BUILTIN_ROLES",
    "FLOW_VOLATILE_KEYS",
    "MANAGEMENT_KEYS",
    "RESOURCE_OPTION_KEYS",
    "SCREEN_VOLATILE_KEYS",
    "TENANT_ID_PATTERN",
    "THEME_VOLATILE_KEYS",
    "AttributeDefinition",
    "PermissionSpec",
    "Problem",
    "RoleSpec",
    "SessionSettings",
    "TenantSpec",
    "attribute_definition_problems",
    "authorization_problems",
    "content_hash",
    "custom_attribute_problems",
    "default_role_problems",
    "flow_export_problems",
    "normalise_flow_export",
    "normalise_theme",
    "problems_from_validation_error",
    "tenant_problems",
]
