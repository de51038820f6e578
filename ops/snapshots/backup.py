"""`backup`: a full content backup of what a stack manages, read straight from Descope.

One JSON file, ``<backupDir>/<UTC ts>-full-backup.json`` (``backupDir`` is the stack's
``descope-config:backupDir``, default ``backups/<stack>``), written atomically with mode 0600.
File names sort in time order. Format ``descope-config-backup/1``::

    {
      "format": "descope-config-backup/1",
      "takenAt": "2025-01-31T23:59:59Z",         # UTC
      "projectId": "P2...",
      "stack": "prod",
      "tenants": [                                 # every tenant the configuration manages
        {"tenant": {...}, "settings": {...},       # as Descope loads them (load, load_settings,
         "sso": [{tenant, saml, oidc, ssoId}]}     #   load_all SSO settings: never a secret)
      ],
      "permissions": [{...}],                      # every permission but the built-in ones
      "roles": [{...}],                            # the project's roles but the built-in one,
                                                   # and the managed tenants' own roles
      "flows": [{"flow": {...}, "screens": [...]}],  # every flow in the project, as exported
      "theme": {...}                               # the theme object of the theme export
    }

Tenants declared but not (yet) in Descope are left out and listed on the terminal. Nothing
secret is in it (Descope never returns an SSO client secret), but tenant settings, SSO
configurations and custom attributes are customer data: keep it private.
`ops restore <file>` puts chosen tenants and flows from it back into code.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from ops.errors import OpsError
from ops.files import json_text, utc_stamp
from ops.progress import Progress
from ops.project.live import Descope, connect
from ops.project.reader import Reading, read_project
from ops.stack import StackSettings, load_stack_configuration
from providers.errors import BACKUP_DIR_SETTING
from standin.errors import StandinError
from standin.files import utc_iso, write_atomic

BACKUP_FORMAT = "descope-config-backup/1"


def take_backup(
    descope: Descope,
    tenant_ids: list[str],
    *,
    stack: str,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """The backup document, and the declared tenant ids Descope does not hold.

    Read by `ops.project.reader.read_project`: one tenant listing, one settings load and one SSO
    load per managed tenant Descope holds (there is no batch endpoint for either), one
    permission listing and one role listing, one flow listing and one export per flow, one
    theme export.

    `progress` is told of each step (see `ops.progress`).
    """
    managed = set(tenant_ids)
    project = read_project(descope, Reading(settings=managed, sso=managed), progress)
    held = project.tenants
    tenants = [
        {"tenant": held[i].tenant, "settings": held[i].settings, "sso": held[i].sso}
        for i in sorted(managed & set(held))
    ]
    roles = project.authorization(tenant_ids)
    document = {
        "format": BACKUP_FORMAT,
        "takenAt": utc_iso(now),
        "projectId": project.project_id,
        "stack": stack,
        "tenants": tenants,
        "permissions": roles.wire_permissions,
        "roles": roles.wire_roles,
        "flows": list(project.flows.values()),
        "theme": project.theme,
    }
    return document, sorted(managed - set(held))


def write_backup(document: dict[str, Any], backup_dir: Path, now: datetime | None = None) -> Path:
    """Write the document as ``<backup_dir>/<UTC ts>-full-backup.json``, 0600, atomically.

    A folder that cannot take it (a file in the way, read-only, full) is an `OpsError` naming
    the folder and ``descope-config:backupDir``; no partial file is left.
    """
    try:
        return write_atomic(
            backup_dir / f"{utc_stamp(now)}-full-backup.json", json_text(document), mode=0o600
        )
    except StandinError as exc:
        raise OpsError(
            f"{exc.message} No backup was written. Make {backup_dir.absolute()} a writable "
            f"folder with free space, or set {BACKUP_DIR_SETTING} in the stack file to another "
            "folder, then run again."
        ) from None


def run(stack: StackSettings) -> int:
    configuration = load_stack_configuration(stack)
    descope = connect(stack)
    with Progress("backup") as progress:
        document, missing = take_backup(
            descope, [t.id for t in configuration.tenants], stack=stack.name, progress=progress
        )
    path = write_backup(document, stack.backup_dir)
    print(
        f"Wrote {path} (mode 0600): {len(document['tenants'])} tenant(s), "
        f"{len(document['roles'])} role(s), {len(document['permissions'])} permission(s), "
        f"{len(document['flows'])} flow(s) and the theme of Descope project {descope.project_id}."
    )
    if missing:
        print(f"Declared but not in Descope, so not in the backup: {', '.join(missing)}.")
    print(f"Restore into code with: python -m ops restore {path} --stack {stack.name} --all")
    return 0
