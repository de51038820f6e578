"""Ids that become file names, and paths that must stay inside their folder: the one home of
those rules, for `ops` (export, restore) and `providers` (snapshots) alike.

A *plain file name* is one every common file system stores as written, in its own folder:

- not empty, and not starting with ``.`` (which makes a hidden file; ``.`` and ``..`` name
  folders, not files);
- no folder separator (``/``, ``\\``) and none of the characters Windows refuses in a name
  (``< > : " | ? *``);
- no control or invisible formatting character (NUL, line feed, escape, ...: `model.text`);
- not ending with a space or a dot (Windows drops them), and not a name Windows reserves for a
  device (``CON``, ``NUL``, ``COM1``, ``LPT1``, ... with any extension);
- at most `MAX_NAME_BYTES` bytes in UTF-8, the extension included.

`file_name_problem` says what is wrong with a name; callers refuse it, naming the flow or
tenant whose id it was made from. `same_file_names` finds names that one file system keeps
apart and another (macOS's, Windows's: case-insensitive, Unicode-normalising) takes for the same
file. `name_part` is the reversible encoding for the one place where refusing would block a
legitimate id: the id part of a snapshot's file name (the snapshot's body holds the id too).

`path_inside` joins a folder and a relative path given by the user or made from an id, and
checks that the result, symbolic links resolved, is still inside the folder: an absolute path,
a ``..`` that climbs out, or a link that leads elsewhere is refused before anything is read or
written there.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath, PureWindowsPath
from urllib.parse import quote

from model.text import describe_character, first_refused, shown

MAX_NAME_BYTES = 255
"""The longest file name (in UTF-8 bytes) ext4, APFS and NTFS all store."""
WINDOWS_FORBIDDEN = '<>:"|?*'
"""Characters Windows refuses in a file name (besides ``/``, ``\\`` and control characters)."""
WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{n}" for n in range(1, 10)}
    | {f"LPT{n}" for n in range(1, 10)}
)
"""Device names Windows reserves, with or without an extension (``nul.json`` included)."""
MAX_NAME_PART = 80
"""The longest id part `name_part` writes before it shortens the part with a digest."""


def file_name_problem(name: str) -> str | None:
    """What keeps `name` from being a plain, portable file name, worded for a message (without
    the name itself, which the caller shows), or None when it is one."""
    if not name:
        return "is empty."
    for separator in ("/", "\\"):
        if separator in name:
            return f'contains "{separator}", which separates folders in a path.'
    if name.startswith("."):
        return (
            'starts with ".": "." and ".." name folders, and any other such name makes a hidden '
            "file."
        )
    refused = first_refused(name)
    if refused is not None:
        return f"contains {describe_character(name[refused])}, which a file name cannot hold."
    forbidden = next((char for char in name if char in WINDOWS_FORBIDDEN), None)
    if forbidden is not None:
        return f'contains "{forbidden}", which Windows does not accept in a file name.'
    if name[-1] in " .":
        return "ends with a space or a dot, which Windows drops from a file name."
    if name.split(".", 1)[0].rstrip(" ").upper() in WINDOWS_RESERVED:
        return f'is "{name.split(".", 1)[0]}", a name Windows reserves for a device.'
    size = len(name.encode("utf-8", "surrogatepass"))
    if size > MAX_NAME_BYTES:
        return f"is {size} bytes long in UTF-8; a file name holds at most {MAX_NAME_BYTES} bytes."
    return None


def same_file_key(name: str) -> str:
    """What a case-insensitive, Unicode-normalising file system compares for `name`."""
    return unicodedata.normalize("NFC", name).casefold()


def same_file_names(names: Iterable[str]) -> list[list[str]]:
    """Groups of two or more of `names` that differ only in case or Unicode normalization, so
    that macOS and Windows would store them as one file; each group in the order given."""
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(same_file_key(name), []).append(name)
    return [group for group in groups.values() if len(set(group)) > 1]


def file_name_problems(
    files: Mapping[str, str], *, beside: Mapping[str, str] | None = None
) -> list[str]:
    """One line per file of `files` whose name is not a plain file name, then one per group of
    names that are one file on a case-insensitive file system, `beside` included.

    `files` and `beside` map what each file holds (``flow "login"``, ``the theme``) to its name;
    `files` are the names to be made (checked for plainness and against each other), `beside`
    those already in use there (relative paths; only checked against `files`).
    Each line starts with what the file holds: ``flow "../x": its file name "../x.json" contains
    "/", which separates folders in a path.``
    """
    lines = [
        f'{what}: its file name "{shown(name)}" {problem}'
        for what, name in files.items()
        if (problem := file_name_problem(name)) is not None
    ]
    holders: dict[str, list[str]] = {}
    for what, name in [*files.items(), *(beside or {}).items()]:
        holders.setdefault(name, []).append(what)
    new = {same_file_key(name) for name in files.values()}
    for group in same_file_names(holders):
        if same_file_key(group[0]) not in new:
            continue
        whats = [what for name in group for what in holders[name]]
        names = [f'"{shown(name)}"' for name in group]
        lines.append(
            f"{' and '.join(whats)}: their file names {' and '.join(names)} differ only in case "
            "(or Unicode form), so a case-insensitive file system (macOS, Windows) keeps them as "
            "one file."
        )
    return lines


def name_part(resource_id: str) -> str:
    """`resource_id` as a part of a file name, encoded reversibly: every character but ASCII
    letters, digits, ``-``, ``_``, ``.`` and ``~`` is percent-encoded as UTF-8 (``acme/sso`` is
    ``acme%2Fsso``; ``urllib.parse.unquote`` gives it back), and a leading ``.`` is ``%2E``; an
    empty id is written ``_``. A part longer than `MAX_NAME_PART` characters is cut and ended with
    ``~`` and 12 hex digits of the id's SHA-256, so it stays short and distinct; the id itself
    must then be read from where the name's owner keeps it (a snapshot's body)."""
    if not resource_id:
        return "_"
    encoded = quote(resource_id, safe="", errors="surrogatepass")
    if encoded.startswith("."):
        encoded = "%2E" + encoded[1:]
    if len(encoded) <= MAX_NAME_PART:
        return encoded
    digest = hashlib.sha256(resource_id.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    cut = encoded[: MAX_NAME_PART - 13]
    if "%" in cut[-2:]:  # never end on half an escape
        cut = cut[: cut.rindex("%")]
    return f"{cut}~{digest}"


class OutsideFolder(ValueError):
    """A path leads outside the folder it must stay in; the message says how (see
    `path_inside`), without naming the path, which the caller shows."""


def path_inside(folder: Path, relative: str) -> Path:
    """``folder / relative``, after checking that it stays inside `folder`.

    Refused (`OutsideFolder`): an absolute path (POSIX or Windows form, a drive included), a
    path holding NUL, one whose ``..`` climbs out of `folder`, and one that leads out through a
    symbolic link: `folder` and the result are compared with every link resolved (components
    that do not exist yet resolve as written). The path returned is the joined one, not the
    resolved one, so messages show it as the user wrote it.
    """
    if "\x00" in relative:
        raise OutsideFolder("contains NUL, which no path can hold.")
    if PurePosixPath(relative).is_absolute() or PureWindowsPath(relative).anchor:
        raise OutsideFolder("is an absolute path; a path relative to the folder is needed.")
    joined = folder / relative
    base = Path(os.path.realpath(folder))
    if not Path(os.path.normpath(base / relative)).is_relative_to(base):
        raise OutsideFolder('climbs out of the folder with "..".')
    resolved = Path(os.path.realpath(joined))
    if not resolved.is_relative_to(base):
        raise OutsideFolder(
            f"leads outside the folder through a symbolic link (to {shown(str(resolved))})."
        )
    return joined


__all__ = [
    "MAX_NAME_BYTES",
    "OutsideFolder",
    "file_name_problem",
    "file_name_problems",
    "name_part",
    "path_inside",
    "same_file_key",
    "same_file_names",
]
