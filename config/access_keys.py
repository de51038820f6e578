"""Tenants' ``accessKeys:`` entries in a configuration file: split off, checked, cross-checked.

The rules of one key, and the names unique within the tenant, are `model.access_keys`'s; here
is the one that needs the whole file: a key's roles name roles its tenant can be given (a
project role, one of the tenant's own, or a built-in one; `model.roles.default_role_problems`),
when the file manages roles. Another tenant's role, or one declared nowhere, is refused with
the line where it is listed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from model.access_keys import AccessKeySpec, access_keys_problems
from model.problems import Problem
from model.roles import default_role_problems
from model.text import shown

if TYPE_CHECKING:
    from config.loader import YamlPath
    from config.reporting import MergedTenant, Reporter

ACCESS_KEYS_KEY = "accessKeys"


def check_access_keys(
    report: Reporter, tenants: list[MergedTenant], data: dict[str, Any]
) -> dict[str, list[AccessKeySpec]]:
    """Report every problem of the tenants' ``accessKeys``; the valid ones, by tenant id.

    A tenant whose list has a problem is left out of the result (the load fails anyway)."""
    roles = data.get("roles")
    tenant_roles: dict[str, tuple[YamlPath, Any]] = {
        tenant.merged["id"]: (("tenants", tenant.index, "roles"), tenant.roles)
        for tenant in tenants
        if isinstance(tenant.merged.get("id"), str) and isinstance(tenant.roles, list)
    }
    found: dict[str, list[AccessKeySpec]] = {}
    for tenant in tenants:
        tenant_id = tenant.merged.get("id")
        if tenant.access_keys is None or not isinstance(tenant_id, str):
            continue
        where: YamlPath = ("tenants", tenant.index, ACCESS_KEYS_KEY)

        def locate(path: YamlPath, at: YamlPath = where) -> str:
            return f"on line {report.line_of((*at, *path))}"

        problems = access_keys_problems(tenant.access_keys, locate=locate)
        for problem in problems:
            report.add((*where, *problem.path), problem.message)
        if isinstance(roles, list):
            problems += _role_problems(report, tenant, roles, tenant_roles)
        if not problems:
            found[tenant_id] = [AccessKeySpec.model_validate(k) for k in tenant.access_keys]
    return found


def _role_problems(
    report: Reporter,
    tenant: MergedTenant,
    roles: list[Any],
    tenant_roles: dict[str, tuple[YamlPath, Any]],
) -> list[Problem]:
    """What each key's roles name, checked as a tenant's default roles are."""
    where: YamlPath = ("tenants", tenant.index, ACCESS_KEYS_KEY)
    keys = tenant.access_keys
    problems: list[Problem] = []
    for index, key in enumerate(keys if isinstance(keys, list) else []):
        listed = key.get("roles") if isinstance(key, dict) else None
        if not isinstance(listed, list):
            continue
        written = [
            ((*where, index, "roles", k), name)
            for k, name in enumerate(listed)
            if isinstance(name, str)
        ]
        for problem in default_role_problems(
            tenant.merged["id"],
            written,
            roles,
            tenant_roles,
            locate=lambda path: f"on line {report.line_of(path)}",
            listed_in=f'the roles of access key "{shown(str(key.get("name")))}"',
        ):
            report.add(problem.path, problem.message)
            problems.append(problem)
    return problems
