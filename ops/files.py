"""Writing files safely: whole or not at all, private when they hold a project's content."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ops.errors import OpsError


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


def write_atomic(path: Path, text: str, *, mode: int = 0o644) -> Path:
    """Write `text` to `path` in one step (temp file in the same folder, then rename).

    Readers see the old file or the new one, never half of it. `mode` is set before the
    content is written, so a private file (0600) is never readable by others, even briefly.
    A folder created for a private file is private too (0700).
    """
    private = mode & 0o077 == 0
    try:
        path.parent.mkdir(mode=0o700 if private else 0o777, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OpsError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OpsError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    return path


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
