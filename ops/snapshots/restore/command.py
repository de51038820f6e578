"""`python -m ops restore`: what to restore chosen from the source, the source's origin
checked, the plan applied and its outcome printed (see `ops.snapshots.restore`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from model.ownership import SETTING as LEFT_SETTING
from ops.errors import OpsError
from ops.progress import Progress
from ops.snapshots.restore.applying import restore
from ops.snapshots.restore.sources import Source, choose, read_source
from ops.stack import StackSettings


def _stack_project_id(stack: StackSettings) -> str | None:
    """The Descope project the stack manages, as the providers find it (stack config first,
    then ``DESCOPE_PROJECT_ID``); None when neither says."""
    return stack.get("descope:projectId") or os.environ.get("DESCOPE_PROJECT_ID") or None


def _refuse_other_origin(stack: StackSettings, source: Source) -> None:
    """Refuse a source taken from another Descope project or another stack (as far as it says
    where it was taken)."""
    project_id = _stack_project_id(stack)
    other_project = None not in (source.project_id, project_id) and source.project_id != project_id
    other_stack = source.stack is not None and source.stack != stack.name
    if not (other_project or other_stack):
        return
    taken = ", ".join(
        part
        for part in (
            f"Descope project {source.project_id}" if source.project_id else "",
            f"stack {source.stack}" if source.stack else "",
        )
        if part
    )
    manages = f" (Descope project {project_id})" if project_id else ""
    raise OpsError(
        f"Not restoring: {source.path} was taken from {taken}, not from stack {stack.name}"
        f"{manages}. Restoring it would write another project's or stack's content into this "
        "stack's code, and `pulumi up` would then create it here. If that is what you mean "
        "(copying a customer between stacks), run again with --from-other-stack."
    )


def _with_tenant_roles(
    source: Source, chosen: list[str], named: list[str], tenants: list[str], *, with_roles: bool
) -> list[str]:
    """The roles to restore: those `chosen` (`named` with --role, or all with --all), and each
    chosen tenant's own roles the source holds; without `with_roles`, a tenant's own role only
    when `named`."""
    if not with_roles:
        return [r for r in chosen if r in named or not source.roles[r].get("tenantId")]
    own = [key for key, role in source.roles.items() if role.get("tenantId") in tenants]
    return list(dict.fromkeys([*chosen, *sorted(own)]))


def _sub_tenant_notes(source: Source, tenants: list[str]) -> list[str]:
    """What to know about the sub-tenants a tenant snapshot holds: a restored one names its
    parent (which `pulumi up` needs in the file or in Descope), one left out is listed."""
    notes: list[str] = []
    for child, parent in source.parents.items():
        if child in tenants and parent not in tenants:
            notes.append(
                f"tenant {child}: restored with parent: {parent}; `pulumi up` creates a missing "
                f"one under {parent}, which must be declared in the file or exist in Descope"
            )
        elif parent in tenants and child not in tenants:
            notes.append(
                f"tenant {parent}: its sub-tenant {child} is in {source.path.name} too, not "
                f"restored: add --tenant {child} to restore it"
            )
    return notes


def _holdings(source: Source) -> str:
    return (
        f"It holds tenants: {', '.join(sorted(source.tenant_ids)) or 'none'}; "
        f"roles: {', '.join(sorted(source.roles)) or 'none'}; "
        f"permissions: {', '.join(sorted(source.permissions)) or 'none'}; "
        f"flows: {', '.join(sorted(source.flows)) or 'none'}; "
        f"theme: {'yes' if source.theme is not None else 'no'}."
    )


def run(
    stack: StackSettings,
    source_path: Path,
    *,
    tenants: list[str],
    flows: list[str],
    theme: bool = False,
    everything: bool,
    force: bool,
    roles: list[str] | None = None,
    permissions: list[str] | None = None,
    with_roles: bool = True,
    with_sso: bool = True,
    from_other_stack: bool = False,
) -> int:
    """`restore` from the command line: each chosen tenant comes with its own roles
    (`with_roles`) and its SSO configurations (`with_sso`) as the source holds them; a source
    taken from another stack or Descope project only with `from_other_stack`. A kind the stack
    leaves to another tool is refused when named, and skipped by `everything`."""
    left = _refuse_left(
        stack,
        {"tenants": tenants, "flows": flows, "theme": theme, "roles": roles},
        permissions=permissions,
    )
    with Progress("restore") as progress:
        with progress.doing(f"read {source_path.name}"):
            source = read_source(source_path)
        if not from_other_stack:
            _refuse_other_origin(stack, source)
        if not (tenants or flows or theme or everything or roles or permissions):
            raise OpsError(
                f"Say what to restore from {source_path}: --tenant ID, --role NAME "
                "(TENANT/NAME for a tenant's own role), --permission NAME and/or --flow ID (each "
                f"may be repeated), --theme, or --all. {_holdings(source)}"
            )
        if theme and source.theme is None:
            raise OpsError(
                f"The theme is not in {source_path} ({source.kind}). {_holdings(source)} "
                "Choose a full backup, a theme snapshot or a stack export that holds it."
            )
        chosen = choose(source, "tenant", tenants, everything and "tenants" not in left)
        result = restore(
            stack,
            source,
            tenants=chosen,
            flows=choose(source, "flow", flows, everything and "flows" not in left),
            roles=_with_tenant_roles(
                source,
                choose(source, "role", roles or [], everything and "roles" not in left),
                roles or [],
                chosen,
                with_roles=with_roles,
            ),
            permissions=choose(
                source, "permission", permissions or [], everything and "permissions" not in left
            ),
            theme=theme or (everything and "theme" not in left),
            force=force,
            progress=progress,
            sso=with_sso,
        )
    if result.removed_temp_files:
        print(
            f"Removed {len(result.removed_temp_files)} temp file(s) an interrupted restore left "
            f"behind: {', '.join(str(p) for p in result.removed_temp_files)}"
        )
    print(f"Restored from {source_path} ({source.kind}) into the code of stack {stack.name}:")
    for line in [*result.outcomes, *_sub_tenant_notes(source, chosen)]:
        print(f"  {line}")
    for name in result.secrets:
        print(
            f"The SSO client secret is not in any backup (Descope never returns it): set it "
            f"with `pulumi config set --secret descope-config:{name} <the client secret> --stack "
            f"{stack.name}` before `pulumi up`."
        )
    if result.written:
        print("Files changed: " + ", ".join(str(p) for p in result.written))
    else:
        print("The code already held this content; no file changed.")
        return 0
    print(
        f"Next: review with `git diff`, then `pulumi preview --stack {stack.name}` shows what "
        f"the restore changes in Descope, and `pulumi up --stack {stack.name}` applies it."
    )
    return 0


def _refuse_left(
    stack: StackSettings, asked: dict[str, Any], *, permissions: list[str] | None
) -> frozenset[str]:
    """The kinds the stack leaves to another tool; an `OpsError` when `asked` (by kind) or
    `permissions` names one: written into code, it would be refused by the stack."""
    left = stack.options.unmanaged
    named = [kind for kind, wanted in {**asked, "permissions": permissions}.items() if wanted]
    refused = [kind for kind in named if kind in left]
    if refused:
        raise OpsError(
            f"Stack {stack.name} leaves {', '.join(refused)} to another tool ({LEFT_SETTING} "
            f"in {stack.file.name}): written into its code, they would be refused, since the "
            "stack does not manage them. Restore them with the tool that owns them (the backup "
            "holds their content), or take them out of leaveUnmanaged first."
        )
    return left
