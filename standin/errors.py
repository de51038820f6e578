"""The error the stand-in engine raises: a message for the person at the terminal.

Every failure the stand-in foresees (a state file it cannot read or write, a lock held by
another run, a sealed secret whose key is missing, a program that stops the run) becomes a
`StandinError` whose text names the file or stack concerned and says what to do. The commands'
own error, `ops.errors.OpsError`, is one too, so the command line prints both alike.
"""

from __future__ import annotations

__all__ = ["Interrupted", "StandinError"]


class StandinError(Exception):
    """A failure worded for the user (no traceback is shown)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class Interrupted(StandinError):
    """A run stopped by Ctrl-C after letting its steps under way finish: the command line prints
    the message and exits 130, as a shell does for a command ended by SIGINT."""

    exit_code = 130
