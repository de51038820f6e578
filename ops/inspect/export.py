"""`export`: an existing Descope project, written as this project's configuration.

Writes the tenants YAML (the project's permissions and roles; every tenant with its settings
and its own roles, marked ``adopt: true`` so the first ``pulumi up`` takes over the existing
tenants instead of failing on them), one normalised JSON file per flow
(``<flowsDir>/<flow id>.json``) and the theme (``<flowsDir>/theme.json``). Values are written
as Descope holds them; nothing is factored into ``defaults:``. Output is deterministic:
exporting an unchanged project again gives the same bytes. Roles and permissions are written
exactly as Descope holds them, so the first ``pulumi up`` takes them over as they are
(`providers.authz`); Descope's built-in ones are left out.

Descope has no API that reads the tenant custom-attribute definitions, so ``tenantAttributes``
is not written (custom attributes are then not checked before a deploy) and the export says
which attributes the tenants use, to declare from the console's list.

Flow and theme files are written with variables (the stack's own ``descope-config:*``
variables unless ``--no-vars``, and every ``--var name=value``): where a string holds a
variable's value, ``${name}`` is written instead (`config.variables.template`), so that an export
from one stack becomes the file every stack shares. Loading the files with the same variables
gives Descope's content back exactly. The tenants YAML is written without variables.

Each tenant's SSO is written as its ``sso:`` (`ops.project.sso`): its configurations as Descope
holds them, an OIDC client secret as a ``${name}`` placeholder (Descope never returns one; the
output lists the stack secrets to set), or ``managedBy: customer`` when the tenant's settings enable
Descope's SSO Setup Suite.

A kind the stack leaves to another tool (``descope-config:leaveUnmanaged``) is neither read
nor written: the file would otherwise declare what the stack refuses to manage.

The files are checked with `config.load_configuration` before anything is written, and no
existing file is overwritten without ``--force``. A flow id that makes no plain file name
(``../x``, ``a/b``, NUL, overlong, or the same as another's but for case:
`model.filenames`) stops the export before anything is read or written, naming each flow, and
no file is written outside the flows folder (a symbolic link there that leads out is refused).

A tenant whose values the configuration does not accept (``Big.COM`` as a domain, say: the
model wants it lowercase) stops the export before anything is written, with every such
problem named by tenant and field. ``--write-invalid`` writes those tenants as Descope holds
them instead, for the user to fix in the file (`python -m ops validate` lists what to fix).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config import ConfigurationErrors, dump_tenants_yaml, load_configuration
from config.stack import PROJECT, SETTINGS
from config.variables import MIN_TEMPLATE_LENGTH, too_short
from config.writer import DEFAULT_SCHEMA_REFERENCE
from model import Problem, TenantSpec, normalise_flow_export, normalise_theme, tenant_problems
from model.filenames import OutsideFolder, file_name_problems, path_inside, same_file_key
from model.ownership import SETTING as LEFT_SETTING
from model.roles import default_role_problems
from model.sso import tenant_sso_problems
from model.text import shown
from ops.errors import OpsError, ids_not_file_names, outside_folder
from ops.progress import Progress
from ops.project import authorization
from ops.project.convert import content_text, data_from_descope
from ops.project.live import Descope, connect
from ops.project.reader import ProjectSnapshot, Reading, read_project
from ops.project.sso import (
    ExportedSSO,
    customer_sets_it_up,
    sso_from_descope,
    without_owned_settings,
)
from ops.stack import StackSettings
from standin.files import write_atomic

THEME_FILE = "theme.json"
PROJECT_THEME_FILE = "project-theme.json"
"""The theme's file when a flow's file is `THEME_FILE` (a flow whose id is ``theme``)."""
SCHEMA_FILE = Path("config") / "tenants.schema.json"
"""The configuration's JSON Schema, in the project folder."""


@dataclass(frozen=True)
class InvalidTenant:
    """A tenant Descope holds with values the configuration does not accept."""

    id: str
    data: dict[str, Any]
    """The tenant in the configuration's keys, as Descope holds it (with ``adopt: true``)."""
    problems: list[Problem]

    def lines(self) -> list[str]:
        """One line per problem: ``tenant "big": selfProvisioningDomains[0]: ...``."""
        return [
            f'tenant "{self.id}": {f"{p.field}: " if p.field else ""}{p.message}'
            for p in self.problems
        ]


@dataclass(frozen=True)
class ExportFiles:
    """The text of every file to write: the YAML, and flow/theme files by name."""

    yaml: str
    flow_files: dict[str, str]
    """File name (in the flows folder) -> text; the theme file included."""
    tenant_count: int
    flow_count: int
    invalid: list[InvalidTenant] = field(default_factory=list)
    """Tenants written as Descope holds them although the configuration refuses them."""
    checkable_yaml: str = ""
    """The YAML without the `invalid` tenants, which must validate (`yaml` when none)."""
    uses: Counter[str] = field(default_factory=Counter)
    """How many values of the flow and theme files each variable was written back in."""
    role_count: int = 0
    """Roles written: the project's and the tenants' own."""
    permission_count: int = 0
    refused_authorization: list[str] = field(default_factory=list)
    """What the configuration refuses in the roles and permissions written, one line each."""
    attributes_used: list[str] = field(default_factory=list)
    """The custom attributes the tenants carry (their definitions cannot be read)."""

    @property
    def has_refused(self) -> bool:
        return bool(self.invalid or self.refused_authorization)

    sso: dict[str, ExportedSSO] = field(default_factory=dict)
    """Each tenant's SSO as written, by tenant id (tenants without SSO left out)."""

    @property
    def secrets(self) -> list[str]:
        """The stack secrets the written client secret references name."""
        return sorted({name for exported in self.sso.values() for name in exported.secrets})


@dataclass(frozen=True)
class _FileRef:
    """A flow or theme entry for the YAML writer."""

    id: str
    file: Path
    delete_on_remove: bool = False


def schema_reference(project_dir: Path, out: Path) -> str:
    """The project's tenants schema as seen from the folder of `out` (for the editor comment)."""
    schema = (project_dir / SCHEMA_FILE).absolute()
    try:
        return Path(os.path.relpath(schema, out.absolute().parent)).as_posix()
    except ValueError:  # pragma: no cover - another drive on Windows
        return schema.as_posix()


def tenant_entries(
    project: ProjectSnapshot,
) -> tuple[list[TenantSpec], list[InvalidTenant], dict[str, ExportedSSO]]:
    """Every tenant of the snapshot (``adopt: true``), its settings and SSO read: those the
    model accepts, the others, and each one's SSO (`ops.project.sso`)."""
    valid: list[TenantSpec] = []
    invalid: list[InvalidTenant] = []
    sso: dict[str, ExportedSSO] = {}
    for tenant_id, held in project.tenants.items():
        settings = held.settings or {}
        data = {**data_from_descope(held.tenant, settings), "adopt": True}
        exported = sso_from_descope(
            tenant_id, held.sso or [], customer=customer_sets_it_up(settings)
        )
        problems = tenant_problems(data)
        if exported.data is not None:
            sso[tenant_id] = exported
            data["settings"] = without_owned_settings(data.get("settings"))
            problems = tenant_problems(data) + [
                Problem(("sso", *p.path), p.message) for p in tenant_sso_problems(exported.data)
            ]
        if problems:
            invalid.append(InvalidTenant(tenant_id, data, problems))
        else:
            valid.append(TenantSpec.model_validate(data))
    return valid, invalid, sso


def with_default_roles_checked(
    valid: list[TenantSpec], invalid: list[InvalidTenant], held: authorization.Held
) -> tuple[list[TenantSpec], list[InvalidTenant]]:
    """The tenants again, those whose default roles name no role Descope holds (a role deleted
    after the tenant named it) moved to the refused ones."""
    kept: list[TenantSpec] = []
    for tenant in valid:
        written = [(("defaultRoles", i), name) for i, name in enumerate(tenant.defaultRoles)]
        own = {tenant.id: (("roles",), held.tenant_roles.get(tenant.id, []))}
        problems = default_role_problems(tenant.id, written, held.roles, own)
        if problems:
            data = {**tenant.model_dump(mode="json", exclude_defaults=True), "adopt": True}
            invalid.append(InvalidTenant(tenant.id, data, problems))
        else:
            kept.append(tenant)
    return kept, sorted(invalid, key=lambda t: t.id)


def refusal(
    project_id: str, invalid: list[InvalidTenant], stack: str, refused: list[str] | None = None
) -> OpsError:
    """Why nothing was written, every problem, and the two ways on."""
    lines = [line for tenant in invalid for line in tenant.lines()] + list(refused or [])
    what = " and ".join(
        part
        for part in (
            f"{len(invalid)} tenant(s)" if invalid else "",
            f"{len(refused or [])} role or permission problem(s)" if refused else "",
        )
        if part
    )
    return OpsError(
        f"Descope project {project_id} holds {what} with values the "
        "configuration does not accept, so nothing was written:\n"
        + "".join(f"  {line}\n" for line in lines)
        + "Fix these values in the Descope console and export again, or export with "
        "--write-invalid to write them as Descope holds them; "
        f"`python -m ops validate --stack {stack}` then lists what to fix in the file."
    )


def file_names(project_id: str, flow_ids: list[str]) -> str:
    """The theme's file name, once every flow id is known to make a plain file name
    (``<id>.json``, `model.filenames`), none the same as another's or the theme's on a
    case-insensitive file system; else `OpsError` naming each flow, before anything is read
    or written."""
    taken = {same_file_key(f"{flow_id}.json") for flow_id in flow_ids}
    theme_name = THEME_FILE if same_file_key(THEME_FILE) not in taken else PROJECT_THEME_FILE
    names = {f'flow "{shown(flow_id)}"': f"{flow_id}.json" for flow_id in flow_ids}
    problems = file_name_problems({**names, "the theme": theme_name})
    if problems:
        raise ids_not_file_names(
            f"Descope project {project_id}",
            problems,
            outcome="nothing was written",
            fix="Give each of these flows a plain id in the Descope console (letters, digits, "
            '".", "-" and "_", unique regardless of case: save the flow under the new id, then '
            "delete the old one), then export again.",
        )
    return theme_name


def build_export(
    descope: Descope,
    *,
    schema: str | None = None,
    variables: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    left: frozenset[str] = frozenset(),
) -> ExportFiles:
    """Read the project and render the files, except the kinds `left` to another tool.

    Tenants the configuration does not accept are rendered as Descope holds them and listed in
    `ExportFiles.invalid`; `schema` is the editor's schema reference (default: the writer's).
    `variables` are written back into the flow and theme files (`config.variables.template`).
    `progress` is told of each step (see `ops.progress`).
    """
    project = read_project(
        descope,
        Reading(
            settings=[] if "tenants" in left else None,
            sso=[] if "tenants" in left else None,
            flows=[] if "flows" in left else None,
            theme="theme" not in left,
            flow_ids_checked=lambda ids: file_names(descope.project_id, ids),
        ),
        progress,
    )
    theme_name = file_names(project.project_id, project.flow_ids)
    valid, invalid, sso = tenant_entries(project) if "tenants" not in left else ([], [], {})
    held = project.authorization([t.id for t in valid] + [t.id for t in invalid])
    valid, invalid = with_default_roles_checked(valid, invalid, held)
    refused = held.problems()
    files: dict[str, str] = {}
    uses: Counter[str] = Counter()
    flows: list[_FileRef] = []
    for flow_id, export in project.flows.items():
        name = f"{flow_id}.json"
        files[name], used = content_text(normalise_flow_export(export), variables)
        uses += used
        flows.append(_FileRef(flow_id, Path(name)))
    if "theme" not in left:
        files[theme_name], used = content_text(
            {"theme": normalise_theme(project.theme or {})}, variables
        )
        uses += used
    comment = (
        f"Exported from Descope project {descope.project_id} by `python -m ops export`.\n"
        "Every tenant is marked adopt: true: the first `pulumi up` manages the existing\n"
        "tenant instead of failing because it exists; roles and permissions are written as\n"
        "Descope holds them, so it takes them over as they are. Descope has no API that reads\n"
        "the tenant custom-attribute definitions: declare them under tenantAttributes: from\n"
        "the console (Tenants, Custom Attributes) to have tenants' values checked. Flow and\n"
        "theme files are resolved against the stack's flowsDir (else this file's folder)."
    )
    theme = _FileRef("theme", Path(theme_name)) if "theme" not in left else None

    tenant_sso = {tid: exported.data for tid, exported in sso.items() if exported.data}

    def render(tenants: Sequence[TenantSpec | Mapping[str, Any]], *, roles: bool = True) -> str:
        return dump_tenants_yaml(
            tenants,
            flows,
            theme,
            permissions=held.permission_specs() if roles and "permissions" not in left else None,
            roles=held.role_specs() if roles and "roles" not in left else None,
            tenant_roles=held.tenant_role_specs() if roles else None,
            tenant_sso=tenant_sso,
            schema=schema or DEFAULT_SCHEMA_REFERENCE,
            comment=comment,
        )

    everything: list[TenantSpec | Mapping[str, Any]] = [*valid, *(t.data for t in invalid)]
    everything.sort(key=lambda t: t.id if isinstance(t, TenantSpec) else str(t.get("id", "")))
    text = render(everything)
    checkable = render(valid, roles=not refused) if invalid or refused else text
    return ExportFiles(
        text,
        files,
        len(everything),
        len(flows),
        invalid,
        checkable,
        uses,
        role_count=len(held.roles if "roles" not in left else [])
        + sum(len(r) for r in held.tenant_roles.values()),
        permission_count=len(held.permissions if "permissions" not in left else []),
        refused_authorization=refused,
        attributes_used=sorted(
            {name for t in everything for name in _attributes_of(t)},
        ),
        sso=sso,
    )


def _attributes_of(tenant: TenantSpec | Mapping[str, Any]) -> list[str]:
    values = (
        tenant.customAttributes
        if isinstance(tenant, TenantSpec)
        else tenant.get("customAttributes") or {}
    )
    return [str(name) for name in values]


def validate(files: ExportFiles, variables: Mapping[str, str]) -> None:
    """Load the rendered files with the configuration loader, in a scratch folder."""
    with tempfile.TemporaryDirectory(prefix="descope-export-") as scratch:
        root = Path(scratch)
        (root / "flows").mkdir()
        for name, text in files.flow_files.items():
            (root / "flows" / name).write_text(text, encoding="utf-8")
        (root / "tenants.yaml").write_text(files.checkable_yaml or files.yaml, encoding="utf-8")
        try:
            load_configuration(
                root / "tenants.yaml",
                variables=variables,
                flows_dir=root / "flows",
                secret_variables=files.secrets,
            )
        except ConfigurationErrors as exc:
            raise OpsError(
                "The exported configuration does not validate, so nothing was written. This is "
                f"a bug in the export; please report it with these problems:\n{exc}"
            ) from None


def write_export(files: ExportFiles, out: Path, flows_dir: Path, *, force: bool) -> list[Path]:
    """Write every file; refuses (writing nothing) if any exists, unless `force`, or if a flow
    or theme file would land outside `flows_dir` (through a symbolic link there)."""
    targets = {out: files.yaml} | {_inside(flows_dir, n): t for n, t in files.flow_files.items()}
    existing = [str(p) for p in targets if p.exists()]
    if existing and not force:
        raise OpsError(
            f"Not overwriting existing files: {', '.join(existing)}. Pass --force to replace "
            "them, or choose another --out / --flows-dir."
        )
    return [write_atomic(path, text) for path, text in targets.items()]


def _inside(flows_dir: Path, name: str) -> Path:
    """``flows_dir / name``, once it is known to stay inside `flows_dir`, links resolved."""
    try:
        return path_inside(flows_dir, name)
    except OutsideFolder as exc:
        raise outside_folder(
            f'the file "{shown(name)}"',
            flows_dir / name,
            flows_dir,
            str(exc),
            "Nothing was written. Remove the link, or choose another --flows-dir.",
        ) from None


def write_back_variables(
    stack: StackSettings, given: Mapping[str, str], *, stack_variables: bool
) -> dict[str, str]:
    """The variables written back into flow and theme files: the stack's own (unless
    `stack_variables` is false), then each ``--var`` (`given`), which wins over the stack's."""
    return {**(stack.variables if stack_variables else {}), **given}


def variable_notes(stack: StackSettings, given: Mapping[str, str], uses: Counter[str]) -> list[str]:
    """What to know about the variables now in the files: where each was written, those the
    stack does not define or defines with another value, and given ones too short to be used.

    Values are never printed: a variable may hold anything.
    """
    notes = [
        f"${{{name}}} written in {count} place(s) in the flow and theme files."
        for name, count in sorted(uses.items())
    ]
    missing = [name for name in sorted(uses) if name not in stack.variables]
    if missing:
        names = ", ".join(f"descope-config:{name}" for name in missing)
        notes.append(
            f"{stack.file.name} does not define {names}: set it in every stack that deploys "
            f"these files (`pulumi config set {names.split(', ')[0]} <value> --stack <stack>`), "
            "or `pulumi preview` reports the unknown variable."
        )
    differing = [
        name
        for name in sorted(uses)
        if name in stack.variables and name in given and given[name] != stack.variables[name]
    ]
    if differing:
        notes.append(
            f"--var {', '.join(differing)} differs from the value in {stack.file.name}: stack "
            f"{stack.name} loads these files with its own value, other content than Descope holds."
        )
    short = too_short(given)
    if short:
        notes.append(
            f"--var {', '.join(short)}: values shorter than {MIN_TEMPLATE_LENGTH} characters are "
            "never written back (they turn up by coincidence in unrelated text)."
        )
    return notes


def sso_notes(stack: StackSettings, files: ExportFiles) -> list[str]:
    """What to do about the SSO written: the client secrets to set, display names to check."""
    notes: list[str] = []
    options = stack.options
    usable = set(options.secret_variables)
    if options.plain_secrets_allowed:
        usable.update(options.variables)
    unset = [name for name in files.secrets if name not in usable]
    if unset:
        commands = "; ".join(
            f"pulumi config set --secret descope-config:{name} <the client secret> "
            f"--stack {stack.name}"
            for name in unset
        )
        notes.append(
            f"OIDC client secrets are written as ${{name}} (Descope never returns them): set "
            f"each before `pulumi up`: {commands}."
        )
    for tenant_id, exported in sorted(files.sso.items()):
        if exported.unnamed:
            notes.append(
                f"tenant {tenant_id}: SSO configuration(s) {', '.join(exported.unnamed)} are "
                "written with their ssoId as displayName (Descope's answers do not carry it): "
                "write the name the console shows."
            )
        if exported.skipped:
            notes.append(
                f"tenant {tenant_id}: SSO configuration(s) disabled (auth type none) or never "
                "configured, left out: "
                f"{', '.join(s or 'default' for s in exported.skipped)}."
            )
    return notes


def run(
    stack: StackSettings,
    *,
    out: Path | None = None,
    flows_dir: Path | None = None,
    force: bool,
    write_invalid: bool = False,
    variables: Mapping[str, str] | None = None,
    stack_variables: bool = True,
) -> int:
    """`python -m ops export`: `variables` are the ``--var`` values; `stack_variables` false
    (``--no-vars``) leaves the stack's own variables out of the write-back."""
    target = out or stack.tenants_file
    flows_target = flows_dir or stack.files_base
    given = dict(variables or {})
    settings = sorted(set(given) & set(SETTINGS))
    if settings:
        raise OpsError(
            f"--var {', '.join(settings)}: {PROJECT}:{settings[0]} is a stack setting, not a "
            "${...} variable. Choose another name."
        )
    write_back = write_back_variables(stack, given, stack_variables=stack_variables)
    loading = {**stack.variables, **given}
    descope = connect(stack)
    with Progress("export") as progress:
        files = build_export(
            descope,
            schema=schema_reference(stack.project_dir, target),
            variables=write_back,
            progress=progress,
            left=stack.options.unmanaged,
        )
        if files.has_refused and not write_invalid:
            raise refusal(
                descope.project_id, files.invalid, stack.name, files.refused_authorization
            )
        with progress.doing("validate the files"):
            validate(files, loading)
        written = write_export(files, target, flows_target, force=force)
        if not files.has_refused:
            with progress.doing("load the written configuration"):
                load_configuration(
                    target,
                    variables=loading,
                    flows_dir=flows_target,
                    secret_variables=files.secrets,
                )
    print(
        f"Exported Descope project {descope.project_id}: {files.tenant_count} tenant(s), "
        f"{files.role_count} role(s), {files.permission_count} permission(s), "
        f"{files.flow_count} flow(s)"
        + ("" if "theme" in stack.options.unmanaged else " and the theme")
        + "; "
        + ("the configuration validates." if not files.has_refused else "see the warning below.")
    )
    for path in written:
        print(f"  wrote {path}")
    if stack.options.unmanaged:
        print(
            f"  Not exported: {', '.join(sorted(stack.options.unmanaged))}, which stack "
            f"{stack.name} leaves to another tool ({LEFT_SETTING})."
        )
    for note in variable_notes(stack, given, files.uses):
        print(f"  {note}")
    for note in sso_notes(stack, files):
        print(f"  {note}")
    if flows_target.resolve() != stack.files_base.resolve():
        print(
            f"  The flow files are in {flows_target}: set descope-config:flowsDir to that "
            f"folder in {stack.file.name} to use them with stack {stack.name}."
        )
    if files.attributes_used:
        print(
            "  tenantAttributes: not written: Descope has no API that reads the tenant custom-"
            f"attribute definitions. The tenants use {', '.join(files.attributes_used)}: declare "
            "them under tenantAttributes: as the Descope console lists them (Tenants, Custom "
            "Attributes) to have their values checked before a deploy."
        )
    if files.has_refused:
        _warn_invalid(files.invalid, stack, target, files.refused_authorization)
        return 0
    print("Next: review the files, then `pulumi preview` to see the stack adopt them.")
    return 0


def _warn_invalid(
    invalid: list[InvalidTenant], stack: StackSettings, target: Path, refused: list[str]
) -> None:
    """Say what was written although the configuration refuses it, and what next."""
    lines = [line for tenant in invalid for line in tenant.lines()] + refused
    what = f"{len(invalid)} tenant(s)" if invalid else "roles and permissions"
    print(
        f"warning: {what} were written as Descope holds them (--write-invalid), "
        "but the configuration does not accept them:\n"
        + "".join(f"  {line}\n" for line in lines)
        + f"Fix them in {target}: `python -m ops validate --stack {stack.name}` lists what to "
        "fix, with line numbers. `pulumi preview` and `pulumi up` refuse the file until then.",
        file=sys.stderr,
    )
