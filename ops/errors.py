"""The one error the `ops` commands raise: a message for the person at the terminal.

Every failure the commands foresee becomes an `OpsError` whose text names the file, stack,
tenant, flow or setting concerned and says what to do. `ops.cli` prints it and exits 1.
"""

from __future__ import annotations


class OpsError(Exception):
    """A failure of an `ops` command, worded for the user (no traceback is shown)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class Interrupted(OpsError):
    """A run stopped by Ctrl-C after letting its steps under way finish: `ops.cli` prints the
    message and exits 130, as a shell does for a command ended by SIGINT."""

    exit_code = 130
