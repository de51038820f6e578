"""Writing files safely: whole or not at all, private when they hold a project's content.

The stand-in's state file and checkpoints are written so (`write_atomic`), and so are the
commands' exports and backups. A failure is a `StandinError` naming the file.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from standin.errors import StandinError

__all__ = [
    "TEMP_SUFFIX",
    "fsync_folder",
    "remove_stale_temp_files",
    "temp_prefix",
    "utc_iso",
    "write_atomic",
]


def utc_iso(now: datetime | None = None) -> str:
    """``2025-01-31T23:59:59Z`` for the ``takenAt`` fields."""
    return (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable: the folder's entry reaches the disk too (best effort:
    a folder that cannot be opened or synced is left as it is)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


TEMP_SUFFIX = ".tmp"


def temp_prefix(path: Path, tag: str = "") -> str:
    """The name a temp file for `path` starts with: ``.<name>.`` or ``.<name>.<tag>-``."""
    return f".{path.name}.{tag}-" if tag else f".{path.name}."


def write_atomic(path: Path, text: str, *, mode: int = 0o644, tag: str = "") -> Path:
    """Write `text` to `path` in one step (temp file in the same folder, then rename).

    Readers see the old file or the new one, never half of it: the temp file is flushed and
    fsynced before the rename, and the folder after it. `mode` is set before the content is
    written, so a private file (0600) is never readable by others, even briefly. A folder
    created for a private file is private too (0700). The temp file (named `temp_prefix`, with
    `tag`) is removed whatever stops the write, an interrupt included.
    """
    private = mode & 0o077 == 0
    try:
        path.parent.mkdir(mode=0o700 if private else 0o777, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            dir=path.parent, prefix=temp_prefix(path, tag), suffix=TEMP_SUFFIX
        )
    except OSError as exc:
        raise StandinError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise StandinError(f"Cannot write {path}: {exc.strerror or exc}.") from None
        raise
    fsync_folder(path.parent)
    return path


def remove_stale_temp_files(folders: Iterable[Path], tag: str) -> list[Path]:
    """Remove the temp files that `write_atomic` with `tag` left in `folders` when a process
    was killed mid-write; only names of that form (``.<name>.<tag>-XXXX.tmp``) are touched.

    Returns the files removed.
    """
    pattern = re.compile(rf"^\..+\.{re.escape(tag)}-[A-Za-z0-9_]+{re.escape(TEMP_SUFFIX)}$")
    removed: list[Path] = []
    for folder in dict.fromkeys(folders):
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue  # a folder that does not exist (yet) holds nothing stale
        for name in names:
            candidate = folder / name
            if not pattern.match(name) or candidate.is_symlink() or not candidate.is_file():
                continue
            try:
                candidate.unlink()
            except OSError:
                continue  # gone already, or not ours to remove: left alone
            removed.append(candidate)
    return removed
