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

from ops.files import json_text, utc_iso, utc_stamp, write_atomic
from ops.live import Descope, connect
from ops.stack import StackSettings, load_stack_configuration

BACKUP_FORMAT = "descope-config-backup/1"


def take_backup(
    descope: Descope, tenant_ids: list[str], *, stack: str, now: datetime | None = None
) -> tuple[dict[str, Any], list[str]]:
    """The backup document, and the declared tenant ids Descope does not hold."""
    tenants: list[dict[str, Any]] = []
    missing: list[str] = []
    for tenant_id in sorted(tenant_ids):
        tenant = descope.tenant(tenant_id)
        if tenant is None:
            missing.append(tenant_id)
            continue
        tenants.append(
            {
                "tenant": tenant,
                "settings": descope.settings(tenant_id),
                "sso": descope.sso_configurations(tenant_id),
            }
        )
    flows = [export for fid in descope.flow_ids() if (export := descope.flow(fid)) is not None]
    document = {
        "format": BACKUP_FORMAT,
        "takenAt": utc_iso(now),
        "projectId": descope.project_id,
        "stack": stack,
        "tenants": tenants,
        "flows": flows,
        "theme": descope.theme(),
    }
    return document, missing


def write_backup(document: dict[str, Any], backup_dir: Path, now: datetime | None = None) -> Path:
    """Write the document as ``<backup_dir>/<UTC ts>-full-backup.json``, 0600, atomically."""
    return write_atomic(
        backup_dir / f"{utc_stamp(now)}-full-backup.json", json_text(document), mode=0o600
    )


def run(stack: StackSettings) -> int:
    configuration = load_stack_configuration(stack)
    descope = connect(stack)
    document, missing = take_backup(
        descope, [t.id for t in configuration.tenants], stack=stack.name
    )
    path = write_backup(document, stack.backup_dir)
    print(
        f"Wrote {path} (mode 0600): {len(document['tenants'])} tenant(s), "
        f"{len(document['flows'])} flow(s) and the theme of Descope project {descope.project_id}."
    )
    if missing:
        print(f"Declared but not in Descope, so not in the backup: {', '.join(missing)}.")
    print(f"Restore into code with: python -m ops restore {path} --stack {stack.name} --all")
    return 0
