"""Restore, applying: a `Plan` written file by file, checked by loading the configuration
again, and every file put back as it was when anything stops it (see `ops.snapshots.restore`).
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from config import ConfigurationErrors
from ops.edit.role_entry import declared
from ops.errors import OpsError
from ops.files import missing_folders, remove_empty_folders
from ops.progress import Progress
from ops.snapshots.restore.planning import Plan, comparable, loaded_tenants, plan_restore
from ops.snapshots.restore.sources import Source
from ops.stack import StackSettings, load_stack_configuration
from standin.errors import StandinError
from standin.files import remove_stale_temp_files, write_atomic

TEMP_TAG = "restore"
"""Restore's temp files are ``.<file name>.restore-XXXX.tmp``, beside the file they replace."""


def git_dirty(path: Path) -> bool | None:
    """Whether `path` has uncommitted changes (or is untracked); None outside a git work tree."""
    folder = path.parent if path.parent.is_dir() else Path.cwd()
    try:
        inside = subprocess.run(
            ["git", "rev-parse", "--is-inside-work-tree"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
        if inside.returncode != 0 or inside.stdout.strip() != "true":
            return None
        status = subprocess.run(
            ["git", "status", "--porcelain", "--", path.name],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    if status.returncode != 0:
        return None
    return bool(status.stdout.strip())


def through_link(path: Path) -> Path:
    """The file a write to `path` changes: a symlink's target (the link stays a link)."""
    return path.resolve() if path.is_symlink() else path


def _refuse_local_edits(plan: Plan) -> None:
    states = {path: git_dirty(through_link(path)) for path in plan.targets if path.exists()}
    dirty = [str(p) for p, state in states.items() if state]
    if dirty:
        raise OpsError(
            f"Not restoring: {', '.join(dirty)} has uncommitted changes that the restore would "
            "overwrite. Commit or stash them first (`git status`), or pass --force."
        )
    outside_git = [what for path, what in plan.conflicts if states.get(path) is None]
    if outside_git:
        raise OpsError(
            f"Not restoring: {'; '.join(outside_git)} exists with other content, and it is not "
            "in git, so the change could not be undone. Pass --force to overwrite it."
        )


def _write(plan: Plan, written: list[Path]) -> None:
    """Write the plan's files, each atomically: flow and theme files first, then the YAML that
    names them, so the YAML never names a file not yet written. `written` grows as each file
    is in place. A file that is a symlink is written through it: its target changes."""
    for path, text in plan.files.items():
        write_atomic(through_link(path), text, tag=TEMP_TAG)
        written.append(path)
    if plan.yaml_changes:
        write_atomic(through_link(plan.yaml_path), plan.yaml_after, tag=TEMP_TAG)
        written.append(plan.yaml_path)


def _roll_back(
    written: list[Path], previous: Mapping[Path, str | None], created: list[Path]
) -> None:
    """Put the `written` files back as they were, the YAML first (it then names no file that
    is removed after it), then remove the folders `created` for them."""
    for path in reversed(written):
        text = previous[path]
        try:
            if text is None:
                path.unlink(missing_ok=True)
            else:
                write_atomic(through_link(path), text, tag=TEMP_TAG)
        except (OSError, OpsError) as exc:
            raise OpsError(
                f"Restore failed, and {path} could not be put back as it was ({exc}). "
                "Check it with `git diff` / `git checkout -- <file>`."
            ) from None
    remove_empty_folders(created)


def _check_effective(
    stack: StackSettings,
    plan: Plan,
    source: Source,
    roles: list[str] | None = None,
    permissions: list[str] | None = None,
) -> None:
    # raises ConfigurationErrors with every problem; the secrets to set are said afterwards
    configuration = load_stack_configuration(stack, secrets_to_set=plan.secrets)
    loaded_roles = {r.name: declared(r.model_dump()) for r in configuration.roles or []}
    for tenant_id, own in configuration.tenant_roles.items():
        loaded_roles |= {f"{tenant_id}/{r.name}": declared(r.model_dump()) for r in own}
    loaded_permissions = {p.name: declared(p.model_dump()) for p in configuration.permissions or []}
    for kind, chosen, held_now, held in (
        ("role", roles or [], loaded_roles, source.roles),
        ("permission", permissions or [], loaded_permissions, source.permissions),
    ):
        for key in chosen:
            if held_now.get(key) != declared(held[key]):
                raise OpsError(
                    f'After writing, {kind} "{key}" in {stack.tenants_file} does not load as the '
                    "backup holds it. Nothing was changed."
                )
    loaded, loaded_sso = loaded_tenants(stack, plan.secrets)
    for tenant_id, expected in plan.sso.items():
        if loaded_sso.get(tenant_id) != expected:
            raise OpsError(
                f'After writing, the SSO of tenant "{tenant_id}" in {stack.tenants_file} does '
                "not load as the backup holds it. Nothing was changed. Check the tenant's sso: "
                "entry, then restore again."
            )
    for tenant_id, spec in plan.tenants.items():
        if loaded.get(tenant_id) != comparable(spec):
            raise OpsError(
                f'After writing, tenant "{tenant_id}" in {stack.tenants_file} does not load as '
                "the backup holds it (the file's defaults: merge into it, for example "
                "customAttributes). Nothing was changed. Move the defaults into the entries, "
                "then restore again."
            )


@dataclass(frozen=True)
class RestoreResult:
    """What `restore` did."""

    written: list[Path]
    """The files changed, in the order they were written."""
    outcomes: list[str]
    """One line per chosen item: ``tenant acme: unchanged``, ``theme: restored -> <file>``."""
    removed_temp_files: list[Path]
    """Temp files an interrupted earlier restore left behind, removed by this one."""
    secrets: list[str] = field(default_factory=list)
    """Stack secrets a restored SSO client secret names that the stack does not set."""


def restore(
    stack: StackSettings,
    source: Source,
    *,
    tenants: list[str],
    flows: list[str],
    theme: bool = False,
    force: bool,
    progress: Progress | None = None,
    roles: list[str] | None = None,
    permissions: list[str] | None = None,
    sso: bool = True,
) -> RestoreResult:
    """Write the chosen tenants (with their SSO configurations unless `sso` is false), roles,
    permissions, flows and theme into code.

    Whatever stops it (a write that fails, a result that does not load as the backup holds it,
    an interrupt), the files it wrote are put back as they were and its temp files removed.
    `progress` is told of each step (see `ops.progress`).
    """
    progress = progress or Progress.silent()
    plan = plan_restore(
        stack,
        source,
        tenants,
        flows,
        theme=theme,
        roles=roles,
        permissions=permissions,
        progress=progress,
        sso=sso,
    )
    if not force:
        _refuse_local_edits(plan)
    targets = [through_link(path) for path in (plan.yaml_path, *plan.files)]
    folders = [targets[0].parent, stack.files_base, *(path.parent for path in targets[1:])]
    removed = remove_stale_temp_files(folders, TEMP_TAG)
    previous: dict[Path, str | None] = {
        path: path.read_text(encoding="utf-8") if path.exists() else None for path in plan.files
    }
    previous[plan.yaml_path] = plan.yaml_before
    created = missing_folders(previous)
    written: list[Path] = []
    try:
        _write(plan, written)
    except StandinError as exc:  # an OpsError, or a file write's failure (standin.files)
        _roll_back(written, previous, created)
        undone = " The files written before it were put back as they were." if written else ""
        raise OpsError(f"{exc} Nothing was restored.{undone}") from None
    except BaseException:
        _roll_back(written, previous, created)
        raise
    try:
        with progress.doing("check the restored configuration"):
            _check_effective(stack, plan, source, roles, permissions)
    except ConfigurationErrors as exc:
        _roll_back(written, previous, created)
        raise OpsError(
            f"The restored configuration does not validate, so it was put back as it was:\n{exc}"
        ) from None
    except BaseException:
        _roll_back(written, previous, created)
        raise
    return RestoreResult(written, plan.outcomes, removed, plan.secrets)
