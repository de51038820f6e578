"""The messages of one resource's errors: a tenant (create, adopt, roll back, delete), a tenant
as a unit (what goes with it on delete and on an id change) and access keys. Imported through
`providers.errors`, the one place every user-facing message is found."""

from __future__ import annotations

from typing import cast

from providers.errors.base import (
    NOTHING_CHANGED,
    AnswerNotUnderstood,
    DescopeApiError,
    DescopeProviderError,
    InvalidInputError,
    PartialFailure,
    TenantAlreadyExists,
    answer_of,
    explain,
)


def tenant_already_exists(
    tenant_id: str, project_id: str | None, cause: DescopeApiError
) -> TenantAlreadyExists:
    """Create found a tenant with this id already in the project: say how to adopt it."""
    where = f" in project {project_id}" if project_id else ""
    error = explain(
        cause,
        f'a tenant with id "{tenant_id}" already exists{where}',
        action="To manage the existing tenant, set `adopt: true` on the tenant with id "
        f'"{tenant_id}" in the configuration (its current state is saved to the backups '
        "folder first); otherwise choose another id.",
        cls=TenantAlreadyExists,
    )
    return cast(TenantAlreadyExists, error)


def tenant_left_over(
    tenant_id: str, project_id: str | None, cause: DescopeApiError
) -> TenantAlreadyExists:
    """Create found a tenant with this id that holds exactly what the configuration declares
    (most likely left by a run that was interrupted after creating it): adopting it is safe."""
    where = f" in project {project_id}" if project_id else ""
    error = explain(
        cause,
        f'a tenant with id "{tenant_id}" already exists{where} and holds exactly what the '
        "configuration declares for it (most likely created by a run that was interrupted "
        "before Pulumi recorded it)",
        action=f'Setting `adopt: true` on the tenant with id "{tenant_id}" is safe: its state '
        "is saved to the backups folder first, and adopting it changes nothing in Descope. "
        "Then run again.",
        cls=TenantAlreadyExists,
    )
    return cast(TenantAlreadyExists, error)


def tenant_name_taken(
    tenant_id: str, name: str, holder_id: str, cause: DescopeApiError
) -> DescopeApiError:
    """Create was refused because another tenant holds the name: most often an id change."""
    return explain(
        cause,
        f'the name "{name}" is already used by tenant "{holder_id}", and tenant names are '
        "unique in a project; nothing was changed in Descope",
        action=f'If you changed this tenant\'s id from "{holder_id}" to "{tenant_id}", add '
        f"`previousId: {holder_id}` to its entry: `pulumi up` then replaces the tenant (saving "
        "it to the backups folder, deleting it, creating it under the new id); where removed "
        "tenants are kept (retainOnDelete), set `retainOnDelete: false` on the entry and run "
        "`pulumi up` first. Otherwise give one of the two tenants another name.",
    )


def create_rolled_back(step: str, cause: DescopeApiError, made: str = "tenant") -> PartialFailure:
    """Create made the `made` (a tenant, an access key), a later `step` failed, and it was
    deleted again."""
    error = explain(
        cause,
        f"the {made} was created but {step} failed, so it was deleted again and nothing changed "
        "in Descope",
        action=cause.action or "Fix the value Descope rejected and run again.",
        cls=PartialFailure,
    )
    return cast(PartialFailure, error)


def rollback_failed(
    tenant_id: str, step: str, cause: DescopeApiError, rollback: DescopeProviderError
) -> PartialFailure:
    """Create made the tenant, a later step failed, and deleting it again failed too: say
    exactly what is left."""
    error = explain(
        cause,
        f"the tenant was created but {step} failed, and deleting it again also failed "
        f"({answer_of(rollback)})",
        action=f'Tenant "{tenant_id}" now exists in Descope, with the name and tenant fields '
        f"of the configuration but without {step.removeprefix('setting ')}, and is not in "
        "Pulumi's state: delete it in the Descope console, or set `adopt: true` on it to "
        "manage it (its state is saved to the backups folder first), then run again.",
        cls=PartialFailure,
    )
    return cast(PartialFailure, error)


def adopt_incomplete(tenant_id: str, snapshot: str, cause: DescopeApiError) -> PartialFailure:
    """Adopting an existing tenant failed while bringing it to the desired state."""
    error = explain(
        cause,
        f'the existing tenant "{tenant_id}" was being adopted and may be partly changed; its '
        f"state before adoption is saved in {snapshot}",
        action=cause.action or "Fix the value Descope rejected and run again.",
        cls=PartialFailure,
    )
    return cast(PartialFailure, error)


def tenant_gone(doing: str, tenant_id: str, cause: DescopeApiError) -> DescopeApiError:
    """An update found the tenant missing: it was deleted outside Pulumi."""
    return explain(
        cause,
        f'tenant "{tenant_id}" no longer exists in Descope (deleted outside Pulumi?)',
        action="Run `pulumi refresh` to drop it from the state, "
        "then `pulumi up` to create it again.",
    )


def tenant_delete_refused(cause: DescopeApiError) -> DescopeApiError:
    """Descope answered 400 to a tenant delete: most often the tenant has sub-tenants."""
    return explain(
        cause,
        "Descope refused to delete the tenant",
        action="If the tenant has sub-tenants, set cascadeDelete: true on it and run pulumi up, "
        "or delete the sub-tenants first.",
    )


def invalid_inputs(doing: str, problems: list[tuple[str, str]]) -> InvalidInputError:
    """Inputs reached create/update without passing check (a program bug or an old state)."""
    listing = "; ".join(f"{field or 'tenant'}: {message}" for field, message in problems)
    return InvalidInputError(
        f"Unable to {doing}:",
        f"the inputs are not valid ({listing}).",
        action="Fix the configuration and run again.",
    )


# --- a tenant as a unit: what goes with it on delete and replace ------------------------------

UNIT_RULE = (
    "a tenant is deleted only with a snapshot of everything Descope deletes with it (its "
    "settings, SSO configurations, tenant roles and, with cascadeDelete, its sub-tenants)"
)


def unit_part_unreadable(tenant_id: str, part: str, cause: DescopeApiError) -> DescopeApiError:
    """A part of what goes with a tenant (`part`: ``its SSO configurations``, ``the settings of
    sub-tenant "kid"``) could not be read before its delete: the delete is refused."""
    return DescopeApiError(
        f'Refusing to delete Descope tenant "{tenant_id}":',
        f"{part} could not be read ({answer_of(cause)}), and {UNIT_RULE}. {NOTHING_CHANGED}",
        action="Run `pulumi up` (or `pulumi destroy`) again once Descope answers; if it keeps "
        "failing, take a full backup (`python -m ops backup`) to see what fails to load.",
        status=cause.status,
        code=cause.code,
    )


def unit_deleted(subject: str, summary: str, path: str) -> str:
    """The warning a tenant delete logs: what went with the tenant and where it was saved."""
    return (
        f"Deleting {subject}{summary}. All of it was saved to {path} first; "
        "`python -m ops restore` reads it back."
    )


def unit_moved(old_id: str, new_id: str, moved: str, path: str) -> str:
    """The warning of a replace that moved the old tenant's SSO and roles to the new tenant."""
    return (
        f'Tenant id changed from "{old_id}" to "{new_id}": {moved} of "{old_id}" were made again '
        f'on "{new_id}" from the snapshot {path}.'
    )


def unit_not_movable(old_id: str, new_id: str, what: str, why: str) -> InvalidInputError:
    """A tenant id change (``previousId``) that could not take `what` along: refused in the
    diff, before anything changes."""
    return InvalidInputError(
        f'Unable to change the id of Descope tenant "{old_id}" to "{new_id}":',
        f"{what} cannot be made again on the new tenant: {why}. {NOTHING_CHANGED}",
        action="Keep the id (remove previousId and set id back), or first declare this "
        "configuration in the tenants file (sso:, with its clientSecret) so that the code "
        "makes it on the new tenant, then change the id.",
    )


def unit_move_failed(old_id: str, new_id: str, path: str, cause: DescopeApiError) -> PartialFailure:
    """Making the old tenant's SSO or roles again on the new tenant failed half-way."""
    return cast(
        PartialFailure,
        explain(
            cause,
            f'tenant "{new_id}" was created in place of "{old_id}", but making the old '
            f"tenant's SSO configurations and roles again on it failed; all of it is saved in "
            f"{path}",
            action=f'Tenant "{new_id}" is in Descope but not in Pulumi\'s state: set `adopt: '
            "true` on it and run `pulumi up` (the next run also says so), then put the roles "
            f"and SSO configurations still missing back from {path} (`python -m ops restore`).",
            cls=PartialFailure,
        ),
    )


def gone_with_tenant(subject: str, tenant_id: str, path: str | None) -> str:
    """What an SSO configuration's or a role's delete says when it finds nothing: true words
    whether its tenant was deleted by this run (its snapshot names `path`) or not."""
    if not tenant_id:
        return f"{subject} was already deleted outside Pulumi."
    if path is not None:
        return (
            f'{subject} went with Descope tenant "{tenant_id}", deleted (or replaced) by this '
            f"run; it is saved in the tenant's snapshot {path}."
        )
    return (
        f"{subject} was not found in Descope: it was deleted outside Pulumi, or with its tenant "
        "by an earlier run."
    )


# --- access keys (`providers.access_key`) ----------------------------------------------------

SECRET_NOT_SHOWN = "(not shown: an answer to a create may hold the key's secret)"
"""What a message shows instead of an excerpt of an access-key create's answer."""
ADOPTED_WITHOUT_SECRET = (
    "its secret is not known: Descope returns an access key's secret only when it creates the "
    "key. To get one from Pulumi, change the key's rotation value: the next `pulumi up` "
    "replaces the key and outputs the new secret."
)
"""Said (logged, and by the ``cleartextKnown`` output) of an adopted access key."""


def secret_hidden(error: AnswerNotUnderstood) -> AnswerNotUnderstood:
    """`error` about an access-key create's answer, with the excerpt left out."""
    return AnswerNotUnderstood(
        error.doing,
        call=error.call,
        expected=error.expected,
        excerpt=SECRET_NOT_SHOWN,
        status=error.status,
        outcome=error.outcome,
    )


def access_key_exists(doing: str, subject: str, key_id: str) -> DescopeApiError:
    """Create found a key of that name in the tenant, and the entry does not adopt it."""
    return DescopeApiError(
        f"Unable to {doing}:",
        f"Descope already has {subject} (id {key_id}); nothing was changed.",
        action="To manage it, set `adopt: true` on the key's entry (its secret stays unknown: "
        "Descope returns it only at creation; change `rotation` later to replace the key by a "
        "new one whose secret Pulumi outputs); otherwise give the declared key another name.",
    )


def access_key_ambiguous(doing: str, subject: str, key_ids: str) -> DescopeApiError:
    """Create found several keys of that name in the tenant: none can be told to be the one."""
    return DescopeApiError(
        f"Unable to {doing}:",
        f"Descope has several keys that are {subject} (ids {key_ids}); nothing was changed.",
        action="Delete or rename all but one of them in the Descope console (a key's name is how "
        "it is found), then run again.",
    )


def access_key_adopt_refused(doing: str, subject: str, held: str, declared: str) -> DescopeApiError:
    """Adopt found the key, but with roles or an expiry the API cannot change in place."""
    return DescopeApiError(
        f"Unable to {doing}:",
        f"{subject} exists, but Descope holds {held} and the configuration declares {declared}; "
        "an access key's roles and expiry cannot be changed in place, so nothing was changed.",
        action="Declare the roles and expireTime Descope holds and run again (then change them "
        "in a reviewed commit: the key is replaced by a new one), or remove `adopt: true` and "
        "give the declared key another name.",
    )


def access_key_gone(subject: str, cause: DescopeApiError) -> DescopeApiError:
    """An update found the key missing: deleted outside Pulumi (or with its tenant)."""
    return explain(
        cause,
        f"{subject} no longer exists in Descope (deleted outside Pulumi, or with its tenant?)",
        action="Run `pulumi refresh` to drop it from the state, then `pulumi up` to create a "
        "new key (with a new secret).",
    )
