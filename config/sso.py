"""Tenants' ``sso:`` entries in a configuration file: split off, checked, cross-checked.

The rules of one entry are `model.sso`'s; here are the ones that need the whole file and the
stack:

- one owner per field: a tenant that declares ``sso:`` does not declare ``settings.domains``
  or ``settings.authType`` (`model.sso.SSO_OWNED_SETTINGS`), neither in its entry nor through
  ``defaults:``; they are the default SSO configuration's (or, managed by the customer, the
  customer's);
- an OIDC ``clientSecret`` is a ``${name}`` reference to a *stack secret*: the name must be one
  of the stack's secret variables (`config.stack.secret_variable_names`); a plain variable or
  an unknown name is refused, saying how to set it. The reference is never substituted
  (`keep_secret_references`): the value is not needed to check the file and never enters it;
- group mappings and default SSO roles name roles the tenant can be given
  (`model.roles.default_role_problems`), when the file manages roles;
- `sso_domains` lists the SSO domains an entry claims, for the one rule on domains across
  tenants and configurations (`model.domains`, applied by `config.validate`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from model.idp import secret_reference_name
from model.roles import default_role_problems
from model.sso import SSO_OWNED_SETTINGS, TenantSSO, tenant_sso_problems
from model.text import shown

if TYPE_CHECKING:
    from config.loader import YamlPath
    from config.reporting import MergedTenant, Reporter

SSO_KEY = "sso"
PROJECT = "descope-config"


def _configurations(raw: Any) -> Iterator[tuple[tuple[str | int, ...], Mapping[str, Any]]]:
    """(path inside ``sso``, mapping) of each configuration an ``sso:`` value writes."""
    if not isinstance(raw, Mapping):
        return
    yield (), raw
    extra = raw.get("additional")
    for index, item in enumerate(extra if isinstance(extra, list) else []):
        if isinstance(item, Mapping):
            yield ("additional", index), item


def secret_reference_paths(data: Any) -> dict[YamlPath, Any]:
    """The value at every ``tenants[i].sso(.additional[j]).oidc.clientSecret`` of a document."""
    found: dict[YamlPath, Any] = {}
    tenants = data.get("tenants") if isinstance(data, Mapping) else None
    for index, entry in enumerate(tenants if isinstance(tenants, list) else []):
        if not isinstance(entry, Mapping):
            continue
        for inner, configuration in _configurations(entry.get(SSO_KEY)):
            oidc = configuration.get("oidc")
            if isinstance(oidc, Mapping) and "clientSecret" in oidc:
                found[("tenants", index, SSO_KEY, *inner, "oidc", "clientSecret")] = oidc[
                    "clientSecret"
                ]
    return found


def keep_secret_references(
    substituted: Any, raw: Mapping[YamlPath, Any], problems: list[tuple[YamlPath, str]]
) -> tuple[Any, list[tuple[YamlPath, str]]]:
    """`substituted` with every client secret put back as written, and `problems` without
    theirs: a secret reference names a stack secret, it is not text to fill in."""
    for path, value in raw.items():
        node = substituted
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return substituted, [(path, message) for path, message in problems if path not in raw]


@dataclass(frozen=True)
class SecretSources:
    """What the stack says about the variables a client secret may name."""

    secret: Collection[str]
    """Variables set as stack secrets."""
    plain: Collection[str]
    """Every other variable of the stack."""
    plain_allowed: bool = False
    """The emulator's stack: a client secret may name a plain variable."""


def check_sso(
    report: Reporter,
    tenants: list[MergedTenant],
    data: Mapping[str, Any],
    secrets: SecretSources,
) -> dict[str, TenantSSO]:
    """Report every problem of the tenants' ``sso:`` entries; the valid ones, by tenant id."""
    valid: dict[str, TenantSSO] = {}
    for tenant in tenants:
        if tenant.sso is None:
            continue
        base: YamlPath = ("tenants", tenant.index, SSO_KEY)
        _check_ownership(report, tenant)
        problems = tenant_sso_problems(tenant.sso)
        for problem in problems:
            report.add((*base, *problem.path), problem.message)
        _check_secret_references(report, base, tenant.sso, secrets)
        tenant_id = tenant.merged.get("id")
        if not problems and isinstance(tenant_id, str):
            valid[tenant_id] = TenantSSO.model_validate(tenant.sso)
    _check_roles(report, tenants, data)
    return valid


def _check_ownership(report: Reporter, tenant: MergedTenant) -> None:
    settings = tenant.merged.get("settings")
    if not isinstance(settings, Mapping):
        return
    for key in SSO_OWNED_SETTINGS:
        if key in settings and settings[key] is not None:
            where = "sso.domains" if key == "domains" else "sso (saml: or oidc:)"
            owner = (
                "the customer sets them up (sso.managedBy: customer)"
                if isinstance(tenant.sso, Mapping) and tenant.sso.get("managedBy") == "customer"
                else f"they are declared in {where}"
            )
            tenant_id = tenant.merged.get("id")
            who = f'tenant "{shown(tenant_id)}"' if isinstance(tenant_id, str) else "the tenant"
            report.add(
                tenant.origin(("settings", key)),
                f"{who} declares sso:, which owns its SSO {key}: {owner}. Remove "
                f"settings.{key} (each field is declared once; a tenant settings write keeps "
                f"what Descope holds for it).",
            )


def _check_secret_references(
    report: Reporter, base: YamlPath, raw: Any, secrets: SecretSources
) -> None:
    for inner, configuration in _configurations(raw):
        oidc = configuration.get("oidc")
        reference = oidc.get("clientSecret") if isinstance(oidc, Mapping) else None
        if not isinstance(reference, str):
            continue
        try:
            name = secret_reference_name(reference)
        except ValueError:
            continue  # the model says what is wrong with it
        if name in secrets.secret or (secrets.plain_allowed and name in secrets.plain):
            continue
        path = (*base, *inner, "oidc", "clientSecret")
        how = f"`pulumi config set --secret {PROJECT}:{name} <the client secret>`"
        if name in secrets.plain:
            report.add(
                path,
                f"{PROJECT}:{name} is set in plain text, so the client secret would be in "
                f"Pulumi.<stack>.yaml and in the state unencrypted. Set it as a secret: {how} "
                "(then rotate it at the IdP, since the old value may be in backups).",
            )
        else:
            report.add(
                path,
                f"refers to {PROJECT}:{shown(name)}, which the stack does not set as a secret. "
                f"Set it with {how}.",
            )


def _check_roles(report: Reporter, tenants: list[MergedTenant], data: Mapping[str, Any]) -> None:
    roles = data.get("roles")
    if not isinstance(roles, list):
        return  # project roles are managed outside the file: role names are not checked
    tenant_roles = {
        t.merged["id"]: (("tenants", t.index, "roles"), t.roles)
        for t in tenants
        if isinstance(t.merged.get("id"), str) and isinstance(t.roles, list)
    }

    def locate(path: YamlPath) -> str:
        return f"on line {report.line_of(path)}"

    for tenant in tenants:
        tenant_id = tenant.merged.get("id")
        if not isinstance(tenant_id, str) or tenant.sso is None:
            continue
        base: YamlPath = ("tenants", tenant.index, SSO_KEY)
        for inner, configuration in _configurations(tenant.sso):
            named: list[tuple[YamlPath, str]] = []
            listed = configuration.get("defaultRoles")
            for k, name in enumerate(listed if isinstance(listed, list) else []):
                if isinstance(name, str):
                    named.append(((*base, *inner, "defaultRoles", k), name))
            mappings = configuration.get("groupMappings")
            for k, mapping in enumerate(mappings if isinstance(mappings, list) else []):
                role = mapping.get("role") if isinstance(mapping, Mapping) else None
                if isinstance(role, str):
                    named.append(((*base, *inner, "groupMappings", k, "role"), role))
            for problem in default_role_problems(
                tenant_id,
                named,
                roles,
                tenant_roles,
                locate=locate,
                listed_in="its SSO configuration",
            ):
                report.add(problem.path, problem.message)


def sso_domains(tenant: MergedTenant) -> Iterator[tuple[YamlPath, str]]:
    """Every SSO domain the tenant's ``sso:`` declares, with where (sso, sso.additional)."""
    base: YamlPath = ("tenants", tenant.index, SSO_KEY)
    for inner, configuration in _configurations(tenant.sso):
        domains = configuration.get("domains")
        for k, domain in enumerate(domains if isinstance(domains, list) else []):
            if isinstance(domain, str):
                yield (*base, *inner, "domains", k), domain
