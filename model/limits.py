"""The caps on everything a configuration carries, each with where it comes from.

Descope publishes few limits. Where its own code states one (its Terraform provider validates
names and descriptions before they reach the API; its OpenAPI-generated .NET models give the
wire types) we use it; everywhere else the cap is ours, generous, and says so. The README's
limits table lists `LIMITS`, and a test holds the two together.
"""

from __future__ import annotations

from dataclasses import dataclass

DESCOPE_TERRAFORM = "Descope (its Terraform provider's validation)"
DESCOPE_WIRE = "Descope's wire type: int32 (its OpenAPI-generated .NET models)"
JSON_NUMBERS = "ours: exact in a 64-bit float, as protobuf's JSON (Descope's API) reads numbers"
DNS = "DNS (RFC 1035)"
OURS = "ours"


@dataclass(frozen=True)
class Limit:
    """At most `value` of `what`; `source` says whose limit it is."""

    value: int
    what: str
    source: str


TENANT_ID_LENGTH = Limit(64, "characters in a tenant id", OURS)
TENANT_NAME_LENGTH = Limit(100, "characters in a tenant name", OURS)
DOMAIN_LENGTH = Limit(253, "characters in a domain", DNS)
SELF_PROVISIONING_DOMAINS = Limit(100, "self-provisioning domains of a tenant", OURS)
SSO_DOMAINS = Limit(100, "SSO domains of a tenant (settings.domains)", OURS)
CUSTOM_ATTRIBUTES = Limit(100, "custom attributes of a tenant", OURS)
CUSTOM_ATTRIBUTE_NAME_LENGTH = Limit(64, "characters in a tenant's custom attribute name", OURS)
CUSTOM_ATTRIBUTE_TEXT_LENGTH = Limit(1000, "characters in a custom attribute text value", OURS)
CUSTOM_ATTRIBUTE_LIST_ITEMS = Limit(100, "items in a custom attribute list value", OURS)
SAFE_INTEGER = Limit(2**53 - 1, "size of a whole number in a custom attribute", JSON_NUMBERS)
DEFAULT_ROLES = Limit(100, "default roles of a tenant", OURS)
SSO_EXCLUSIONS = Limit(1000, "user ids in enforceSSOExclusions", OURS)
USER_ID_LENGTH = Limit(254, "characters in a user id of enforceSSOExclusions", OURS)
LIFETIME = Limit(2**31 - 1, "value of a token lifetime or inactivityTime", DESCOPE_WIRE)
PERMISSIONS = Limit(1000, "permissions in the project", OURS)
PERMISSION_NAME_LENGTH = Limit(100, "characters in a permission name", DESCOPE_TERRAFORM)
PROJECT_ROLES = Limit(1000, "project roles", OURS)
TENANT_ROLES = Limit(100, "roles of one tenant", OURS)
ROLE_NAME_LENGTH = Limit(100, "characters in a role name", DESCOPE_TERRAFORM)
ROLE_PERMISSIONS = Limit(1000, "permissions of one role", OURS)
DESCRIPTION_LENGTH = Limit(254, "characters in a role or permission description", DESCOPE_TERRAFORM)
TENANT_ATTRIBUTES = Limit(100, "attribute definitions in tenantAttributes", OURS)
ATTRIBUTE_NAME_LENGTH = Limit(20, "characters in an attribute definition's name", DESCOPE_TERRAFORM)
ATTRIBUTE_DISPLAY_NAME_LENGTH = Limit(
    254, "characters in an attribute displayName", DESCOPE_TERRAFORM
)
ATTRIBUTE_OPTIONS = Limit(100, "options of a select attribute", OURS)
ATTRIBUTE_OPTION_LENGTH = Limit(254, "characters in a select attribute's option", OURS)

SSO_CONFIGURATIONS = Limit(20, "SSO configurations of a tenant (sso and sso.additional)", OURS)
SSO_GROUP_MAPPINGS = Limit(100, "group mappings of an SSO configuration", OURS)
SSO_GROUPS = Limit(100, "IdP groups in one SSO group mapping", OURS)
SSO_GROUP_NAME_LENGTH = Limit(254, "characters in an IdP group name", OURS)
SSO_DEFAULT_ROLES = Limit(100, "default roles of an SSO configuration", OURS)
SSO_URL_LENGTH = Limit(2048, "characters in an SSO URL (metadata, IdP, OIDC, redirect)", OURS)
SSO_TEXT_LENGTH = Limit(
    254, "characters in an SSO name, entity id, client id or IdP attribute name", OURS
)
SSO_CERTIFICATE_LENGTH = Limit(20_000, "characters in an IdP certificate", OURS)
SSO_ADDITIONAL_CERTIFICATES = Limit(10, "additional IdP certificates of a SAML configuration", OURS)
SSO_SCOPES = Limit(50, "OIDC scopes of an SSO configuration", OURS)
SSO_CUSTOM_ATTRIBUTES = Limit(100, "custom attributes in an SSO attribute mapping", OURS)

ACCESS_KEYS = Limit(100, "access keys of a tenant", OURS)
ACCESS_KEY_NAME_LENGTH = Limit(100, "characters in an access key name", OURS)
ACCESS_KEY_DESCRIPTION_LENGTH = Limit(254, "characters in an access key description", OURS)
ACCESS_KEY_ROLES = Limit(100, "roles of an access key", OURS)
ACCESS_KEY_PERMITTED_IPS = Limit(100, "permitted IPs of an access key", OURS)
ACCESS_KEY_ROTATION_LENGTH = Limit(100, "characters in an access key's rotation token", OURS)
ACCESS_KEY_EXPIRE_TIME = Limit(
    2**31 - 1,
    "value of an access key's expireTime (Unix seconds)",
    "Descope's wire type: int32 (its published API description)",
)

LIMITS: tuple[Limit, ...] = tuple(v for v in list(globals().values()) if isinstance(v, Limit))
"""Every limit, in the order above."""
