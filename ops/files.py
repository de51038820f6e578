"""Writing files safely: whole or not at all, private when they hold a project's content."""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ops.errors import OpsError
from providers.backups import fsync_folder


def utc_stamp(now: datetime | None = None) -> str:
    """A UTC timestamp that sorts as text in time order: ``20250131T235959.123Z``."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y%m%dT%H%M%S.") + f"{moment.microsecond // 1000:03d}Z"


def utc_iso(now: datetime | None = None) -> str:
    """``2025-01-31T23:59:59Z`` for the ``takenAt`` fields."""
    return (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def json_text(data: Any) -> str:
    """Pretty JSON with sorted keys and a trailing newline: one text for one content."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


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
        raise OpsError(f"Cannot write {path}: {exc.strerror or exc}.") from None
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
            raise OpsError(f"Cannot write {path}: {exc.strerror or exc}.") from None
        raise
    fsync_folder(path.parent)
    return path


def missing_folders(paths: Iterable[Path]) -> list[Path]:
    """The folders `write_atomic` would create to write `paths`: their ancestors that do not
    exist, each once, outermost first."""
    missing: dict[Path, None] = {}
    for path in paths:
        folder = path.absolute().parent
        chain: list[Path] = []
        while not folder.exists() and folder != folder.parent:
            chain.append(folder)
            folder = folder.parent
        missing.update(dict.fromkeys(reversed(chain)))
    return sorted(missing, key=lambda folder: len(folder.parts))


def remove_empty_folders(folders: Iterable[Path]) -> None:
    """Remove each of `folders` that is empty, innermost first (`missing_folders`, after a
    write that was undone); a folder that holds anything, or is gone, is left as it is."""
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        with contextlib.suppress(OSError):
            folder.rmdir()


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


def read_json(path: Path, what: str) -> Any:
    """Parse a JSON file, or raise an `OpsError` naming it and saying what is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise OpsError(f"{what} {path} does not exist. Check the path.") from None
    except OSError as exc:
        raise OpsError(f"Cannot read {what} {path}: {exc.strerror or exc}.") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise OpsError(f"{what} {path} is not valid JSON ({exc}).") from None
