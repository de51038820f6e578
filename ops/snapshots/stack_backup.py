"""`stack-backup`: save the Pulumi state of a stack with ``pulumi stack export``.

The export is Pulumi's own checkpoint format (``{"version": 3, "deployment": {...}}``): every
resource's inputs and outputs, with secrets kept ENCRYPTED by the stack's secrets provider, so
the file is no more sensitive than the state backend itself. It is still written with mode 0600.
To put the state back: ``pulumi stack import --stack <stack> --file <file>``. `ops restore` can
also read it, to put a tenant's or flow's recorded content back into code.

It needs the pulumi CLI. Without it, `ops backup` (the content backup, read straight from
Descope) still works.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from ops.errors import OpsError
from ops.files import utc_stamp
from ops.pulumi_cli import INSTALL_HINT, find_pulumi, run_pulumi
from ops.stack import StackSettings


def stack_backup(stack: StackSettings, *, now: datetime | None = None) -> Path:
    """Export the stack's state to ``<backupDir>/<UTC ts>-stack.json`` (mode 0600)."""
    pulumi = find_pulumi()
    if pulumi is None:
        raise OpsError(
            f"{INSTALL_HINT} `stack-backup` runs `pulumi stack export`, so it needs the CLI. "
            f"Without it, `python -m ops backup --stack {stack.name}` still saves every tenant, "
            "flow and the theme as Descope holds them."
        )
    target = stack.backup_dir / f"{utc_stamp(now)}-stack.json"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Create it private first: pulumi then writes into a file only we can read.
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as exc:
        raise OpsError(f"Cannot create {target}: {exc.strerror or exc}.") from None
    code = run_pulumi(
        ["stack", "export", "--stack", stack.name, "--file", str(target)],
        cwd=stack.project_dir,
        executable=pulumi,
    )
    if code != 0:
        target.unlink(missing_ok=True)
        raise OpsError(
            f"`pulumi stack export --stack {stack.name}` failed (exit {code}); see its output "
            "above. Check that you are logged in to the stack's backend (`pulumi whoami`) "
            "and that the stack exists (`pulumi stack ls`)."
        )
    os.chmod(target, 0o600)
    return target
