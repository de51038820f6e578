"""The interpreter check every entry point runs before it imports anything newer Pythons need.

The project's code uses Python 3.11's typing and standard library; on an older interpreter an
import fails deep inside with a traceback. ``python -m ops``, ``python -m config`` and
``python -m emulator`` (and the installed commands) call `stop_if_too_old` first and give one
line instead. This module must stay importable by Python 3.7 and newer.
"""

from __future__ import annotations

import sys

MINIMUM_PYTHON = (3, 11)
"""The oldest Python the project runs on (pyproject.toml's requires-python, the Makefile's
PYTHON_MIN)."""


def too_old(command: str, version: tuple[int, ...]) -> str | None:
    """Why `version` cannot run `command`, and what to do; None when it can."""
    if tuple(version[:2]) >= MINIMUM_PYTHON:
        return None
    needed = ".".join(str(n) for n in MINIMUM_PYTHON)
    found = ".".join(str(n) for n in version[:3])
    return (
        f"error: {command} needs Python {needed} or newer; this is Python {found} "
        f"({sys.executable}). Use the project's virtualenv (`make setup`, then "
        f"`.venv/bin/{command} ...`), or pick another interpreter: "
        f"`make demo PYTHON=python{needed}`."
    )


def stop_if_too_old(command: str) -> None:
    """Exit with status 1 and one line on stderr when this interpreter cannot run `command`."""
    problem = too_old(command, tuple(sys.version_info[:3]))
    if problem:
        print(problem, file=sys.stderr)
        sys.exit(1)
