"""Snapshots of what Descope held before we deleted, replaced, adopted or overwrote it.

One JSON file per operation, written durably and atomically (a temporary file in the same
folder, flushed and fsynced, then ``os.replace`` and an fsync of the folder), in a folder only
its owner can read (0700, files 0600). File names sort by
time and say what they hold::

    20250101T120000.123456Z-tenant-acme-delete.json

The id part is `model.filenames.name_part` of the resource's id: an id that is not a plain file
name (``acme/sso``, ``../x``) is percent-encoded there (``acme%2Fsso``), so a snapshot is never
refused for its id, and never written outside its folder; the body holds the id as it is.

The body::

    {"format": "descope-config-snapshot/1", "kind": "tenant", "id": "acme",
     "reason": "delete", "takenAt": "2025-01-01T12:00:00.123456Z", "projectId": "P2ab...",
     "content": {"tenant": {...as loaded...}, "settings": {...as loaded...},
                 "sso": [...], "roles": [...], "subTenants": [...]}}

A tenant's content is the tenant with everything Descope deletes with it
(`providers.tenant_unit`); one written by an earlier release has only tenant and settings.

Snapshots hold configuration as Descope returns it, never a credential, and only content that
fitted its wire shape (`providers.wire`). `snapshot_before` is how a provider takes one before
a destructive step: a folder that cannot take it (a file in the way, read-only, full) refuses
the step, naming the folder and the setting that chooses it. `read_snapshot` is the way back
in for restore tooling. An SSO snapshot (kind ``sso``) holds
the configuration as Descope loads it: Descope never returns the OIDC client secret. Used by
the tenant, flow, theme, role, permission and SSO providers: keep the API. A project snapshot
(kind ``project``, the attribute definition provider's) holds the whole project configuration
as ``GET /v1/mgmt/infra`` answered it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from model.filenames import name_part
from providers import errors

__all__ = [
    "FORMAT",
    "Kind",
    "Reason",
    "Snapshot",
    "SnapshotFormatError",
    "read_snapshot",
    "remember_tenant_snapshot",
    "snapshot_before",
    "tenant_snapshot_taken",
    "write_snapshot",
]

FORMAT = "descope-config-snapshot/1"
Kind = Literal["tenant", "flow", "theme", "role", "permission", "sso", "accessKey", "project"]
Reason = Literal["delete", "replace", "adopt", "overwrite", "backup"]
_KINDS = frozenset({"tenant", "flow", "theme", "role", "permission", "sso", "accessKey", "project"})
_REASONS = frozenset({"delete", "replace", "adopt", "overwrite", "backup"})

log = logging.getLogger(__name__)
_name_lock = threading.Lock()
_tenant_snapshots: dict[str, Path] = {}
"""Tenant id -> the snapshot this process took before deleting it (`remember_tenant_snapshot`)."""


class SnapshotFormatError(ValueError):
    """A file is not a snapshot this version can read; the message names the file."""


@dataclass(frozen=True)
class Snapshot:
    """One snapshot file, read back."""

    path: Path
    kind: Kind
    id: str
    reason: Reason
    taken_at: datetime
    project_id: str | None
    content: dict[str, Any]


def _folder(backup_dir: str | os.PathLike[str]) -> Path:
    folder = Path(backup_dir)
    if not folder.is_dir():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
    return folder


def write_snapshot(
    backup_dir: str | os.PathLike[str],
    *,
    kind: Kind,
    resource_id: str,
    reason: Reason,
    content: Mapping[str, Any],
    project_id: str | None = None,
    warning: Callable[[Path], str] | None = None,
) -> Path:
    """Save `content` as one snapshot file in `backup_dir` and return its path.

    The file appears complete or not at all. Thread-safe: two snapshots taken in the same
    microsecond get distinct names. Logs the path at WARNING so the user sees where it went:
    `warning(path)` if given, else a line saying what was saved.
    """
    if kind not in _KINDS:
        raise ValueError(f"unknown snapshot kind {kind!r}")
    if reason not in _REASONS:
        raise ValueError(f"unknown snapshot reason {reason!r}")
    folder = _folder(backup_dir)
    now = datetime.now(UTC)
    body = {
        "format": FORMAT,
        "kind": kind,
        "id": resource_id,
        "reason": reason,
        "takenAt": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "projectId": project_id,
        "content": dict(content),
    }
    text = json.dumps(body, indent=2, sort_keys=False, ensure_ascii=False, default=str) + "\n"
    fd, temp_name = tempfile.mkstemp(prefix=".snapshot-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o600)
        stem = f"{now.strftime('%Y%m%dT%H%M%S.%fZ')}-{kind}-{name_part(resource_id)}-{reason}"
        with _name_lock:
            path = folder / f"{stem}.json"
            counter = 2
            while path.exists():
                path = folder / f"{stem}-{counter}.json"
                counter += 1
            os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temp_name).unlink(missing_ok=True)
        raise
    fsync_folder(folder)
    if warning is not None:
        log.warning("%s", warning(path))
    else:
        log.warning("Saved a snapshot of %s %r before %s: %s", kind, resource_id, reason, path)
    return path


def fsync_folder(folder: Path) -> None:
    """Make the rename durable: the folder's entry reaches the disk too."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def snapshot_before(
    backup_dir: str | os.PathLike[str],
    *,
    refusing: str,
    subject: str,
    kind: Kind,
    resource_id: str,
    reason: Reason,
    content: Mapping[str, Any],
    project_id: str | None = None,
    warning: Callable[[Path], str] | None = None,
    outcome: str = "Nothing was changed in Descope.",
) -> Path:
    """`write_snapshot` before a destructive step (`refusing`: ``delete``, ``overwrite``,
    ``adopt``) of `subject` (``Descope tenant "acme"``).

    A snapshot that cannot be written raises `SnapshotRefused` naming the subject, the step
    refused, the folder and ``descope-config:backupDir``; `outcome` says what that leaves in
    Descope.
    """
    try:
        return write_snapshot(
            backup_dir,
            kind=kind,
            resource_id=resource_id,
            reason=reason,
            content=content,
            project_id=project_id,
            warning=warning,
        )
    except OSError as exc:
        folder = str(Path(backup_dir).absolute())
        raise errors.snapshot_refused(subject, refusing, folder, exc, outcome=outcome) from None


def remember_tenant_snapshot(tenant_id: str, path: Path) -> None:
    """Record that this process deleted tenant `tenant_id` after saving it to `path`.

    One provider host serves a whole ``pulumi up``: the delete half of a replace and the create
    that follows it, and the deletes of the tenant's SSO configurations and roles that come
    after, ask `tenant_snapshot_taken` which snapshot holds what went with the tenant."""
    with _name_lock:
        _tenant_snapshots[tenant_id] = path


def tenant_snapshot_taken(tenant_id: str) -> Path | None:
    """The snapshot this process took before deleting tenant `tenant_id`, if it deleted it."""
    with _name_lock:
        return _tenant_snapshots.get(tenant_id)


def read_snapshot(path: str | os.PathLike[str]) -> Snapshot:
    """Read one snapshot file; raises `SnapshotFormatError` if it is not one."""
    file = Path(path)
    try:
        body = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SnapshotFormatError(f"{file} is not a readable snapshot: {exc}") from None
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise SnapshotFormatError(f'{file} is not a snapshot in format "{FORMAT}".')
    kind, reason, content = body.get("kind"), body.get("reason"), body.get("content")
    if kind not in _KINDS or reason not in _REASONS or not isinstance(content, dict):
        raise SnapshotFormatError(f"{file} has a bad kind, reason or content.")
    try:
        taken_at = datetime.strptime(str(body.get("takenAt")), "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        raise SnapshotFormatError(f"{file} has a bad takenAt time.") from None
    project_id = body.get("projectId")
    return Snapshot(
        path=file,
        kind=kind,
        id=str(body.get("id", "")),
        reason=reason,
        taken_at=taken_at.replace(tzinfo=UTC),
        project_id=str(project_id) if project_id is not None else None,
        content=content,
    )
