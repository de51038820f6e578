"""`python -m ops ...`: see `ops.cli`.

The interpreter is checked before anything is imported that needs a newer one (the code uses
3.11's typing and standard library): an older Python gets one line saying what is needed.
This file must stay importable by older Pythons.
"""

from __future__ import annotations

import sys

MINIMUM_PYTHON = (3, 11)
"""The oldest Python the project runs on (pyproject.toml's requires-python, the Makefile's
PYTHON_MIN)."""


def too_old(version: tuple[int, ...]) -> str | None:
    """Why `version` cannot run the commands, and what to do; None when it can."""
    if tuple(version[:2]) >= MINIMUM_PYTHON:
        return None
    needed = ".".join(str(n) for n in MINIMUM_PYTHON)
    found = ".".join(str(n) for n in version[:3])
    return (
        f"error: python -m ops needs Python {needed} or newer; this is Python {found} "
        f"({sys.executable}). Use the project's virtualenv (`make setup`, then "
        f"`.venv/bin/python -m ops ...`), or pick another interpreter: "
        f"`make demo PYTHON=python{needed}`."
    )


if __name__ == "__main__":
    problem = too_old(sys.version_info[:3])
    if problem:
        print(problem, file=sys.stderr)
        sys.exit(1)

    from ops.cli import main

    sys.exit(main())
