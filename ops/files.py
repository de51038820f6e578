"""Files for the commands: timestamps, JSON text, the folders a write creates, reading JSON.

Writing a file whole or not at all (`standin.files.write_atomic`) is the stand-in's, whose
state file needs it too; the commands import it from there.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ops.errors import OpsError


def utc_stamp(now: datetime | None = None) -> str:
    """A UTC timestamp that sorts as text in time order: ``20250131T235959.123Z``."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y%m%dT%H%M%S.") + f"{moment.microsecond // 1000:03d}Z"


def json_text(data: Any) -> str:
    """Pretty JSON with sorted keys and a trailing newline: one text for one content."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


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
