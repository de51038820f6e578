"""Checks over a whole configuration document, every problem collected, none stopping the rest.

Each problem goes to a `config.reporting.Reporter`, which places it on its line and names its
tenant, flow, role or permission. `check_document` runs the document model, validates each tenant
merged with the defaults as a `model.TenantSpec` (a refused one's problems worded by
`model.tenant_problems`, as the providers' `check` words them) and the checks that span tenants
and flows: unique tenant ids and names (also when they differ only in case), what each
``parent`` may name (`config.parents`: no cycle, not a renamed tenant's old id), each domain leading
to one tenant only (`model.domains`: self-provisioning domains, settings.domains and the
domains of ``sso:`` entries, the last two shared only when the project allows duplicate SSO
domains), unique flow ids, each tenant's custom attributes against the
``tenantAttributes`` definitions (`model.attributes.custom_attribute_problems`), and what roles
and permissions refer to (`model.roles.authorization_problems`, `default_role_problems`).

A tenant entry's ``roles`` (the roles that exist in that tenant only) and ``sso`` (its SSO
configurations, `config.sso`) are split off before the tenant is validated: the tenant itself
is a `model.TenantSpec`, and never carries them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import ValidationError

from config.access_keys import ACCESS_KEYS_KEY, check_access_keys
from config.document import DEFAULTS_KEYS, SETTINGS_DEFAULTS_KEYS, ConfigDocument
from config.parents import check_parents
from config.reporting import MergedTenant, Reporter, label
from config.sso import SecretSources, check_sso, sso_domains
from model import TenantSpec, problems_from_validation_error, tenant_problems
from model.access_keys import AccessKeySpec
from model.attributes import (
    AttributeDefinition,
    attribute_definition_problems,
    custom_attribute_problems,
)
from model.domains import DomainClaim, domain_claim_problems
from model.roles import (
    PermissionSpec,
    RoleSpec,
    authorization_problems,
    default_role_problems,
    tenant_roles_problems,
)
from model.sso import TenantSSO
from model.tenant import attribute_value_problem
from model.text import folded, nfc, shown

if TYPE_CHECKING:
    from collections.abc import Iterator

    from config.loader import YamlPath


UNMANAGED_WHEN_ABSENT = {
    "tenantAttributes": "write tenantAttributes: {} to define none (every custom attribute is "
    "then refused), or remove the key to leave custom attributes unchecked.",
    "permissions": "write permissions: [] to declare none (roles may then name only Descope's "
    "built-in permissions), or remove the key to leave permissions unmanaged.",
    "roles": "write roles: [] to declare none (default roles may then name only tenant roles "
    "and Descope's built-in roles), or remove the key to leave roles unmanaged.",
}
"""Sections whose absence means "managed outside this file": an empty one is not the same."""


@dataclass
class CheckedDocument:
    """What `check_document` found usable: the tenants, merged, and the declarations."""

    tenants: list[MergedTenant]
    tenant_attributes: dict[str, AttributeDefinition] | None
    """The valid attribute definitions; None when the file has no tenantAttributes."""
    permissions: list[PermissionSpec] | None
    """The declared permissions when all are valid; None when the file has no permissions."""
    roles: list[RoleSpec] | None
    """The declared project roles when all are valid; None when the file has no roles."""
    sso: dict[str, TenantSSO]
    """The valid ``sso:`` entries, by tenant id."""
    access_keys: dict[str, list[AccessKeySpec]] = field(default_factory=dict)
    """The valid ``accessKeys:`` lists, by tenant id (`config.access_keys`)."""


ENTRY_ONLY_KEYS = ("roles", "sso", ACCESS_KEYS_KEY)
"""Keys of a tenant entry that are not tenant fields: the tenant's own roles, its SSO
configurations and its access keys, split off here (the tenant resource never sees them)."""

NO_SECRETS = SecretSources(secret=(), plain=())


def check_document(
    report: Reporter,
    data: dict[str, Any],
    *,
    secrets: SecretSources = NO_SECRETS,
    allow_duplicate_sso_domains: bool = False,
) -> CheckedDocument:
    """Report every problem of the document itself; the tenants, merged, for later checks.

    `secrets` says which stack variables an SSO client secret may name (`config.sso`)."""
    tenants = data.get("tenants")
    # Each tenant is validated below, merged with the defaults; the document model checks the
    # rest, with no tenant in the list rather than validating each one twice.
    document = {**data, "tenants": []} if isinstance(tenants, list) else data
    try:
        ConfigDocument.model_validate(document)
    except ValidationError as exc:
        for problem in problems_from_validation_error(exc, ConfigDocument):
            report.add(problem.path, problem.message)

    defaults = _usable_defaults(data.get("defaults"))
    merged: list[MergedTenant] = []
    for index, written in enumerate(tenants if isinstance(tenants, list) else []):
        if not isinstance(written, dict):
            report.add(
                ("tenants", index),
                "must be a mapping with at least id and name (for example "
                "`- id: acme` then `name: Acme Corp` under it).",
            )
            continue
        own = {k: v for k, v in written.items() if k not in ENTRY_ONLY_KEYS}
        tenant = MergedTenant(
            index,
            own,
            defaults,
            roles=written.get("roles"),
            sso=written.get("sso"),
            access_keys=written.get(ACCESS_KEYS_KEY),
        )
        merged.append(tenant)
        try:
            tenant.spec = TenantSpec.model_validate(tenant.merged)
        except ValidationError:
            for problem in tenant_problems(tenant.merged):  # worded as the providers' check
                report.add(tenant.origin(problem.path), problem.message)
        if "roles" in written:
            role_problems = tenant_roles_problems(tenant.roles)
            for problem in role_problems:
                report.add(("tenants", index, "roles", *problem.path), problem.message)
            if not role_problems:
                tenant.role_specs = [RoleSpec.model_validate(r) for r in tenant.roles]
        else:
            tenant.role_specs = []
    for key, what_to_do in UNMANAGED_WHEN_ABSENT.items():
        if key in data and data[key] is None:
            report.add((key,), f"is empty: {what_to_do}")
    _check_unique_tenants(report, merged)
    _check_previous_ids(report, merged)
    check_parents(report, merged)
    _check_domains(report, merged, allow_duplicate_sso_domains)
    _check_unique_flows(report, data.get("flows"))
    definitions = _check_attributes(report, data.get("tenantAttributes"), merged)
    _check_authorization(report, data, merged)
    sso = check_sso(report, merged, data, secrets)
    return CheckedDocument(
        merged,
        definitions,
        permissions=_valid(data.get("permissions"), PermissionSpec),
        roles=_valid(data.get("roles"), RoleSpec),
        sso=sso,
        access_keys=check_access_keys(report, merged, data),
    )


Spec = TypeVar("Spec", PermissionSpec, RoleSpec)


def _valid(raw: Any, spec: type[Spec]) -> list[Spec] | None:
    """`raw` as specs when it is a list of valid entries; None otherwise (problems reported)."""
    if not isinstance(raw, list):
        return None
    try:
        return [spec.model_validate(entry) for entry in raw]
    except ValidationError:
        return None


def _check_authorization(
    report: Reporter, data: dict[str, Any], tenants: list[MergedTenant]
) -> None:
    """What roles and permissions refer to, across the file (`model.roles`), with lines.

    A section that is absent, or not a list (the document model said so), is unmanaged: what
    refers to it is not checked.
    """
    permissions = data.get("permissions")
    roles = data.get("roles")
    permissions = permissions if isinstance(permissions, list) else None
    roles = roles if isinstance(roles, list) else None
    tenant_roles = {
        tenant.merged["id"]: (("tenants", tenant.index, "roles"), tenant.roles)
        for tenant in tenants
        if isinstance(tenant.merged.get("id"), str) and isinstance(tenant.roles, list)
    }

    def locate(path: YamlPath) -> str:
        return f"on line {report.line_of(path)}"

    for problem in authorization_problems(permissions, roles, tenant_roles, locate=locate):
        report.add(problem.path, problem.message)
    if roles is None:
        return  # project roles are managed outside the file: default roles are not checked
    for tenant in tenants:
        tenant_id = tenant.merged.get("id")
        listed = tenant.merged.get("defaultRoles")
        if not isinstance(tenant_id, str) or not isinstance(listed, list):
            continue
        written = [
            (tenant.origin(("defaultRoles", k)), name)
            for k, name in enumerate(listed)
            if isinstance(name, str)
        ]
        for problem in default_role_problems(
            tenant_id, written, roles, tenant_roles, locate=locate
        ):
            report.add(problem.path, problem.message)


def _check_attributes(
    report: Reporter, raw: Any, tenants: list[MergedTenant]
) -> dict[str, AttributeDefinition] | None:
    """Each tenant's custom attributes against the valid definitions (None: unchecked).

    Also on a tenant refused for other reasons, so that every problem is reported at once. A
    value the tenant model refuses already, and an attribute whose definition is itself
    refused, are left unjudged here: their own problems say what to fix.
    """
    if not isinstance(raw, dict):
        return None  # absent, null or not a mapping: the document model said which
    definitions: dict[str, AttributeDefinition] = {}
    refused: set[str] = set()
    for name, definition in raw.items():
        if attribute_definition_problems({name: definition}):
            refused.add(name)
        else:
            definitions[name] = AttributeDefinition.model_validate(definition)
    for tenant in tenants:
        written = tenant.merged.get("customAttributes")
        if not isinstance(written, dict):
            continue
        values = {
            k: v
            for k, v in written.items()
            if isinstance(k, str) and k not in refused and attribute_value_problem(v) is None
        }
        for problem in custom_attribute_problems(values, definitions):
            report.add(tenant.origin(problem.path), problem.message)
    return definitions


def _usable_defaults(defaults: Any) -> dict[str, Any]:
    """The known, non-null keys of defaults (unknown ones are reported once, by the model)."""
    if not isinstance(defaults, dict):
        return {}
    usable = {k: v for k, v in defaults.items() if k in DEFAULTS_KEYS and v is not None}
    if isinstance(usable.get("settings"), dict):
        usable["settings"] = {
            k: v
            for k, v in usable["settings"].items()
            if k in SETTINGS_DEFAULTS_KEYS and v is not None
        }
    return usable


def _check_unique_tenants(report: Reporter, tenants: list[MergedTenant]) -> None:
    """Ids and names unique in the project, compared in NFC (`model.text.nfc`); two that
    differ only in case are refused too.

    Descope does not publish whether it compares tenant ids and names with or without case;
    two tenants that people (and perhaps Descope) cannot tell apart are refused either way.
    """
    for key in ("id", "name"):
        first: dict[str, MergedTenant] = {}
        first_folded: dict[str, MergedTenant] = {}
        for tenant in tenants:
            written = tenant.merged.get(key)
            if not isinstance(written, str):
                continue
            value = nfc(written)
            other = first.get(value)
            if other is None and folded(value) in first_folded:
                other = first_folded[folded(value)]
                other_line = report.line_of(("tenants", other.index, key))
                report.add(
                    ("tenants", tenant.index, key),
                    f'the {key} "{shown(value)}" differs only in case from "'
                    f'{shown(other.merged[key])}" of {label("tenant", other.merged, other.index)} '
                    f"on line {other_line}. Descope does not publish whether tenant {key}s are "
                    "compared with or without case, so both cannot be declared: make them differ "
                    "by more than case.",
                )
                continue
            if other is None:
                first[value] = tenant
                first_folded.setdefault(folded(value), tenant)
                continue
            other_line = report.line_of(("tenants", other.index, key))
            # Two tenants with one id are told apart by position; otherwise the id says more.
            who = (
                f"tenant #{other.index + 1}"
                if key == "id"
                else label("tenant", other.merged, other.index)
            )
            form = (
                " (written there with other Unicode characters for the same letters: one "
                "composed, one with combining accents; names are compared in NFC)"
                if written != other.merged[key]
                else ""
            )
            report.add(
                ("tenants", tenant.index, key),
                f'the {key} "{shown(value)}" is also used by {who} on line {other_line}{form}. '
                f"Tenant {key}s must be unique in the project: change one of them.",
            )


def _check_previous_ids(report: Reporter, tenants: list[MergedTenant]) -> None:
    """A previousId names an id no entry holds now, and only one entry claims it."""
    current = {t.merged["id"]: t for t in tenants if isinstance(t.merged.get("id"), str)}
    claimed: dict[str, MergedTenant] = {}
    for tenant in tenants:
        previous = tenant.merged.get("previousId")
        if not isinstance(previous, str) or previous == tenant.merged.get("id"):
            continue
        path = ("tenants", tenant.index, "previousId")
        holder = current.get(previous)
        if holder is not None:
            who = label("tenant", holder.merged, holder.index)
            report.add(
                path,
                f'the id "{previous}" is still the id of {who} '
                f"on line {report.line_of(('tenants', holder.index, 'id'))}: previousId names the "
                "id this tenant had before, which no entry may use any more. Remove previousId, "
                "or change the other entry's id.",
            )
        elif previous in claimed:
            other = claimed[previous]
            report.add(
                path,
                f'previousId "{previous}" is also claimed by '
                f"{label('tenant', other.merged, other.index)} on line "
                f"{report.line_of(('tenants', other.index, 'previousId'))}: only one tenant can "
                "take over an old id. Remove one of them.",
            )
        else:
            claimed[previous] = tenant


def _check_domains(
    report: Reporter, tenants: list[MergedTenant], allow_duplicate_sso_domains: bool
) -> None:
    """Each domain leads its users to one tenant (`model.domains`): every tenant's claims, in
    the order of the file, each problem at the later claim."""
    claims = [claim for tenant in tenants for claim in _domain_claims(tenant)]

    def locate(path: YamlPath) -> str:
        line = report.line_of(path)  # the same file as the problem's: its name is enough
        return f"at {report.file.name}:{line}" if line is not None else f"in {report.file.name}"

    for problem in domain_claim_problems(
        claims, allow_duplicate_sso_domains=allow_duplicate_sso_domains, locate=locate
    ):
        report.add(problem.path, problem.message)


def _domain_claims(tenant: MergedTenant) -> Iterator[DomainClaim]:
    """The tenant's self-provisioning domains, then its SSO domains: its ``sso:`` entry's or,
    without one, its settings.domains (with one, `config.sso` refuses settings.domains)."""
    who = label("tenant", tenant.merged, tenant.index)
    written = tenant.merged.get("selfProvisioningDomains")
    for k, domain in enumerate(written if isinstance(written, list) else []):
        if isinstance(domain, str):
            path = tenant.origin(("selfProvisioningDomains", k))
            yield DomainClaim(path, who, tenant.index, domain, sso=False)
    if tenant.sso is not None:
        for path, domain in sso_domains(tenant):
            yield DomainClaim(path, who, tenant.index, domain, sso=True)
        return
    settings = tenant.merged.get("settings")
    written = settings.get("domains") if isinstance(settings, dict) else None
    for k, domain in enumerate(written if isinstance(written, list) else []):
        if isinstance(domain, str):
            path = tenant.origin(("settings", "domains", k))
            yield DomainClaim(path, who, tenant.index, domain, sso=True)


def _check_unique_flows(report: Reporter, flows: Any) -> None:
    first: dict[str, int] = {}
    for index, entry in enumerate(flows if isinstance(flows, list) else []):
        flow_id = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(flow_id, str):
            continue
        if flow_id not in first:
            first[flow_id] = index
            continue
        other_line = report.line_of(("flows", first[flow_id], "id"))
        report.add(
            ("flows", index, "id"),
            f'the flow "{shown(flow_id)}" is already listed on line {other_line}. '
            "List each flow once.",
        )
