"""Loading a stack's configuration: `load_configuration` and what it returns.

The steps, each reporting every problem it finds before the next one runs where it can:
read the YAML safely (`config.loader`), substitute ``${variables}`` (`config.variables`), check
the document and the tenants merged with the defaults (`config.validate`), then read each flow
and theme file (which must be inside the flows folder, symbolic links resolved:
`model.filenames.path_inside`) and substitute the same variables in it, before it is checked,
normalised and hashed: a flow's content and contentHash are those of the stack's own values. Only a
configuration without any problem is returned.

An SSO client secret (``oidc.clientSecret``) is the one value never substituted: it is a
``${name}`` reference to a stack secret, checked against the names in `secret_variables`
(`config.sso`); its value never enters the configuration.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from config.document import DOCUMENT_KEYS
from config.errors import ConfigProblem, ConfigurationErrors
from config.loader import (
    MAX_JSON_BYTES,
    MAX_YAML_BYTES,
    InputError,
    gc_paused,
    parse_json,
    parse_yaml,
    read_text,
)
from config.reporting import Reporter
from config.sso import SecretSources, keep_secret_references, secret_reference_paths
from config.validate import check_document
from config.variables import json_path, substitute
from model import (
    AttributeDefinition,
    PermissionSpec,
    RoleSpec,
    TenantSpec,
    content_hash,
    flow_export_problems,
    normalise_flow_export,
    normalise_theme,
)
from model.access_keys import AccessKeySpec
from model.filenames import OutsideFolder, path_inside, same_file_key
from model.flow import theme_problems
from model.idp import SECRET_REFERENCE
from model.sso import TenantSSO
from model.text import shown

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    from config.loader import YamlPath


@dataclass(frozen=True)
class FlowEntry:
    """A flow to deploy: its id, the export file it comes from and its normalised content."""

    id: str
    file: Path
    """The export file, resolved against the flows folder."""
    delete_on_remove: bool
    """Delete the flow from Descope when the entry is removed (else only stop managing it)."""
    content: dict[str, Any] = field(repr=False)
    """`model.normalise_flow_export` of the file: what is deployed and compared."""
    content_hash: str
    """`model.content_hash` of `content`."""


@dataclass(frozen=True)
class ThemeEntry:
    """The theme to deploy: the export file and the normalised theme object inside it."""

    file: Path
    content: dict[str, Any] = field(repr=False)
    """`model.normalise_theme` of the export's "theme" object."""
    content_hash: str


@dataclass(frozen=True)
class Configuration:
    """A valid configuration: tenants with defaults merged and variables substituted."""

    source: Path
    tenants: list[TenantSpec]
    flows: list[FlowEntry]
    theme: ThemeEntry | None
    tenant_lines: dict[str, int]
    """The line of each tenant's entry in `source`, by tenant id."""
    tenant_attributes: dict[str, AttributeDefinition] | None = None
    """The project's tenant custom-attribute definitions, by name; None when the file has no
    ``tenantAttributes`` (custom attributes are then free-form, managed outside the file)."""
    attribute_lines: dict[str, int] = field(default_factory=dict)
    """The line of each attribute definition in `source`, by name."""
    permissions: list[PermissionSpec] | None = None
    """The project's permissions; None when the file has no ``permissions`` (unmanaged)."""
    roles: list[RoleSpec] | None = None
    """The project's roles; None when the file has no ``roles`` (unmanaged: tenants'
    defaultRoles are then not checked)."""
    tenant_roles: dict[str, list[RoleSpec]] = field(default_factory=dict)
    """Each tenant's own roles (Descope's tenant-scoped roles), by tenant id; [] for a tenant
    whose entry has no ``roles``. Not part of `tenants`: the tenant resource never sends them."""
    permission_lines: dict[str, int] = field(default_factory=dict)
    """The line of each permission's entry in `source`, by name."""
    role_lines: dict[str, int] = field(default_factory=dict)
    """The line of each project role's entry in `source`, by name."""
    tenant_role_lines: dict[str, dict[str, int]] = field(default_factory=dict)
    """The line of each tenant role's entry in `source`, by tenant id, then role name."""
    tenant_sso: dict[str, TenantSSO] = field(default_factory=dict)
    """Each tenant's ``sso:`` (its SSO configurations, or managedBy: customer), by tenant id;
    absent for a tenant whose entry has none. Not part of `tenants`: the SSO resources manage
    them, and a tenant listed here does not manage settings.domains or settings.authType."""
    sso_lines: dict[str, int] = field(default_factory=dict)
    """The line of each tenant's ``sso:`` key in `source`, by tenant id."""
    tenant_access_keys: dict[str, list[AccessKeySpec]] = field(default_factory=dict)
    """Each tenant's ``accessKeys:`` (`model.access_keys`), by tenant id; absent for a tenant
    whose entry has none. Not part of `tenants`: each is an access-key resource of its own."""
    key_lines: dict[str, int] = field(default_factory=dict)
    """The line of each top-level key (``flows``, ``roles`` ...) the file has."""


def load_configuration(
    path: Path,
    *,
    variables: Mapping[str, str] | None = None,
    flows_dir: Path | None = None,
    secret_variables: Collection[str] = (),
    plain_secrets_allowed: bool = False,
    allow_duplicate_sso_domains: bool = False,
) -> Configuration:
    """Read, substitute and validate the configuration file at `path`.

    Flow and theme files are resolved against `flows_dir` when given, else against the folder
    of `path`. `secret_variables` are the names of the stack's secret variables: a client
    secret must name one, and nothing else may (their values need not be in `variables`);
    `plain_secrets_allowed` (the emulator's stack) lets a client secret name a plain variable;
    `allow_duplicate_sso_domains` is the Descope project's setting of that name. Raises
    `ConfigurationErrors` listing every problem found; never anything else for any content of
    the files.
    """
    secret = frozenset(secret_variables)
    values = {k: v for k, v in (variables or {}).items() if k not in secret}
    secrets = SecretSources(
        secret=secret, plain=frozenset(values), plain_allowed=plain_secrets_allowed
    )
    with gc_paused():  # see `gc_paused`; what is left when this returns is the result
        return _load_configuration(
            Path(path), values, flows_dir, secrets, allow_duplicate_sso_domains
        )


def _load_configuration(
    path: Path,
    variables: Mapping[str, str],
    flows_dir: Path | None,
    secrets: SecretSources,
    allow_duplicate_sso_domains: bool,
) -> Configuration:
    try:
        loaded = parse_yaml(read_text(path, limit=MAX_YAML_BYTES))
    except InputError as exc:
        raise ConfigurationErrors(
            [ConfigProblem(path, exc.line, "file", "", exc.message)]
        ) from None
    if loaded.data is None:
        raise ConfigurationErrors(
            [
                ConfigProblem(
                    path,
                    None,
                    "file",
                    "",
                    "is empty. Write a mapping with at least a tenants list (tenants: [] for "
                    "none).",
                )
            ]
        )
    if not isinstance(loaded.data, dict):
        raise ConfigurationErrors(
            [
                ConfigProblem(
                    path,
                    1,
                    "file",
                    "",
                    f"must be a mapping with the keys {', '.join(DOCUMENT_KEYS[:-1])} and "
                    f"{DOCUMENT_KEYS[-1]}; found {_kind(loaded.data)}.",
                )
            ]
        )
    references = secret_reference_paths(loaded.data)
    # Names a client secret refers to are never offered as variables (an emulator stack may
    # keep one in plain text; it is still a secret), whether set as stack secrets or not.
    unlisted = frozenset(secrets.secret) | {
        match.group(1)
        for value in references.values()
        if isinstance(value, str) and (match := SECRET_REFERENCE.fullmatch(value))
    }
    substituted, found = substitute(loaded.data, variables, secrets=unlisted)
    data, substitution_problems = keep_secret_references(substituted, references, found)
    report = Reporter(path, data, loaded.lines)
    for where, line, message in loaded.problems:
        report.add(where, message, line=line)
    for where, message in substitution_problems:
        report.add(where, message)
    report.settled.update(where for where, _ in substitution_problems)
    checked = check_document(
        report, data, secrets=secrets, allow_duplicate_sso_domains=allow_duplicate_sso_domains
    )
    tenants = checked.tenants
    base = Path(flows_dir) if flows_dir is not None else path.parent
    flows = _load_flows(report, data.get("flows"), base, variables, unlisted)
    theme = _load_theme(report, data.get("theme"), base, variables, unlisted)
    if report.problems:
        raise ConfigurationErrors(report.problems)
    return Configuration(
        source=path,
        # check_document set the spec of every tenant that validated: here, every tenant.
        tenants=[tenant.spec or TenantSpec.model_validate(tenant.merged) for tenant in tenants],
        flows=flows,
        theme=theme,
        tenant_lines={
            tenant.merged["id"]: report.line_of(("tenants", tenant.index)) or 0
            for tenant in tenants
        },
        tenant_attributes=checked.tenant_attributes,
        attribute_lines={
            name: report.line_of(("tenantAttributes", name)) or 0
            for name in checked.tenant_attributes or {}
        },
        permissions=checked.permissions,
        roles=checked.roles,
        # check_document set the roles of every tenant whose roles validated: here, every one.
        tenant_roles={tenant.merged["id"]: tenant.role_specs or [] for tenant in tenants},
        permission_lines={
            p.name: report.line_of(("permissions", i)) or 0
            for i, p in enumerate(checked.permissions or [])
        },
        role_lines={
            r.name: report.line_of(("roles", i)) or 0 for i, r in enumerate(checked.roles or [])
        },
        tenant_role_lines={
            tenant.merged["id"]: {
                r.name: report.line_of(("tenants", tenant.index, "roles", i)) or 0
                for i, r in enumerate(tenant.role_specs or [])
            }
            for tenant in tenants
        },
        tenant_sso=checked.sso,
        sso_lines={
            tenant.merged["id"]: report.line_of(("tenants", tenant.index, "sso")) or 0
            for tenant in tenants
            if tenant.sso is not None
        },
        tenant_access_keys=checked.access_keys,
        key_lines={
            key: at
            for key in data
            if isinstance(key, str) and (at := report.line_of((key,))) is not None
        },
    )


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "plain text"
    return f"a single value ({value!r})"


def _inside(report: Reporter, where: YamlPath, base: Path, file: str) -> Path | None:
    """`file` in the flows folder `base`, or None after reporting that it leads outside it
    (absolute, ``..`` climbing out, a symbolic link elsewhere: `model.filenames.path_inside`)."""
    try:
        return path_inside(base, file)
    except OutsideFolder as exc:
        report.add(
            where,
            f'"{shown(file)}" is outside the flows folder {base}: the path {exc} Put the file '
            f"in {base}/ and write its path relative to that folder.",
        )
        return None


def _read_json(report: Reporter, where: YamlPath, file: Path, base: Path) -> Any:
    """The JSON in `file`, or None after reporting why it cannot be read."""
    try:
        return parse_json(read_text(file, limit=MAX_JSON_BYTES))
    except InputError as exc:
        note = (
            f" Files are looked up in {base}/ (the stack's flowsDir, or this file's folder)."
            if exc.missing
            else ""
        )
        report.add(where, f"{file} {exc.message}{note}")
        return None


def _substituted(
    report: Reporter,
    where: YamlPath,
    file: Path,
    data: Any,
    variables: Mapping[str, str],
    *,
    secrets: Collection[str],
) -> tuple[Any, set[YamlPath]]:
    """A flow or theme file's JSON with the variables substituted, and the paths that failed.

    Each problem names the file and the JSON path of the string (``$.screens[2].htmlTemplate``,
    as the file is written, before screens are sorted).
    """
    substituted, problems = substitute(data, variables, secrets=secrets)
    for path, message in problems:
        report.add(where, f"{file}: {json_path(path)}: {message}")
    return substituted, {path for path, _ in problems}


def _load_flows(
    report: Reporter,
    flows: Any,
    base: Path,
    variables: Mapping[str, str],
    secrets: Collection[str],
) -> list[FlowEntry]:
    entries: list[FlowEntry] = []
    first: dict[str, tuple[int, str]] = {}
    for index, entry in enumerate(flows if isinstance(flows, list) else []):
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            continue  # the document model reports the missing or mistyped file
        where: YamlPath = ("flows", index, "file")
        flow_id = entry.get("id")
        written = os.path.normpath(entry["file"])
        other = first.setdefault(same_file_key(written), (index, entry["file"]))
        if os.path.normpath(other[1]) != written:
            report.add(
                where,
                f'"{shown(entry["file"])}" and "{shown(other[1])}" on line '
                f"{report.line_of(('flows', other[0], 'file'))} differ only in case (or Unicode "
                "form): macOS and Windows keep them as one file. Give each flow its own file "
                "name.",
            )
            continue
        file = _inside(report, where, base, entry["file"])
        export = _read_json(report, where, file, base) if file is not None else None
        if file is None or export is None:
            continue
        export, failed = _substituted(report, where, file, export, variables, secrets=secrets)
        problems = flow_export_problems(export, flow_id if isinstance(flow_id, str) else None)
        for problem in problems:
            if problem.path not in failed:  # a reference left as written, already reported
                report.add(where, f"{file}: {problem.field or 'the file'} {problem.message}")
        if failed or problems or not isinstance(flow_id, str):
            continue
        content = normalise_flow_export(export)
        delete = entry.get("deleteOnRemove", False)
        entries.append(FlowEntry(flow_id, file, delete is True, content, content_hash(content)))
    return entries


def _load_theme(
    report: Reporter,
    theme: Any,
    base: Path,
    variables: Mapping[str, str],
    secrets: Collection[str],
) -> ThemeEntry | None:
    if not isinstance(theme, dict) or not isinstance(theme.get("file"), str):
        return None
    where: YamlPath = ("theme", "file")
    file = _inside(report, where, base, theme["file"])
    export = _read_json(report, where, file, base) if file is not None else None
    if file is None or export is None:
        return None
    if not isinstance(export, dict) or set(export) != {"theme"}:
        report.add(
            where,
            f'{file}: the file is not a theme export: expected {{"theme": {{...}}}} as '
            "Descope's theme export returns it. Export the theme again from Descope.",
        )
        return None
    export, failed = _substituted(report, where, file, export, variables, secrets=secrets)
    problems = theme_problems(export["theme"])
    for problem in problems:
        inner = ".".join(("theme", problem.field)) if problem.field else "theme"
        if ("theme", *problem.path) not in failed:
            report.add(where, f"{file}: {inner} {problem.message}")
    if failed or problems:
        return None
    content = normalise_theme(export["theme"])
    return ThemeEntry(file, content, content_hash(content))
