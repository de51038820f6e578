"""Roles and permissions: what a valid role or permission name is.

Descope matches roles and permissions by name (a tenant's default roles, a role's permissions),
so a name is the identity of a role: non-empty, without control or invisible formatting
characters (`model.text`), without leading or trailing spaces, and at most
`limits.ROLE_NAME_LENGTH` / `limits.PERMISSION_NAME_LENGTH` long.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from model.limits import PERMISSION_NAME_LENGTH, ROLE_NAME_LENGTH
from model.text import check_plain_text, check_trimmed

RoleName = Annotated[
    str,
    Field(min_length=1, max_length=ROLE_NAME_LENGTH.value),
    AfterValidator(check_plain_text),
    AfterValidator(check_trimmed),
]
"""A role's name, as roles, default roles and SSO role mappings write it."""
PermissionName = Annotated[
    str,
    Field(min_length=1, max_length=PERMISSION_NAME_LENGTH.value),
    AfterValidator(check_plain_text),
    AfterValidator(check_trimmed),
]
"""A permission's name, as permissions and roles write it."""
