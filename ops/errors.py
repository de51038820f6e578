"""The one error the `ops` commands raise: a message for the person at the terminal.

Every failure the commands foresee becomes an `OpsError` whose text names the file, stack,
tenant, flow or setting concerned and says what to do. `ops.cli` prints it and exits 1, as it
does the stand-in engine's `standin.errors.StandinError`, of which `OpsError` is one.
"""

from __future__ import annotations

from pathlib import Path

from model.text import shown
from standin.errors import StandinError


class OpsError(StandinError):
    """A failure of an `ops` command, worded for the user (no traceback is shown). A
    `standin.errors.StandinError`, as the stand-in engine's failures are: `ops.cli` prints
    both alike (`standin.errors.Interrupted`, a run stopped by Ctrl-C, exits 130)."""


def ids_not_file_names(holder: str, lines: list[str], *, outcome: str, fix: str) -> OpsError:
    """`holder` (``Descope project P2...``, a backup file) holds flows whose ids cannot be file
    names (`model.filenames.file_name_problems` gives the `lines`), so `outcome`; `fix` says
    what to do."""
    return OpsError(
        f"{holder} holds flows whose ids cannot be used as file names, so {outcome}:\n"
        + "".join(f"  {line}\n" for line in lines)
        + fix
    )


def outside_folder(what: str, path: Path, folder: Path, why: str, fix: str) -> OpsError:
    """The file of `what` (``flow "login"``, ``the theme``), `path`, built from an id or a
    ``file:`` entry, leads outside `folder`: `why` says how (`model.filenames.OutsideFolder`),
    `fix` what to do."""
    return OpsError(
        f"Not writing {what} to {shown(str(path))}: the path {why} It must stay inside {folder}. "
        f"{fix}"
    )
