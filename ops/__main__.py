"""`python -m ops ...`: see `ops.cli`.

The interpreter is checked before anything is imported that needs a newer one
(`requires_python`): an older Python gets one line saying what is needed. This file must stay
importable by older Pythons.
"""

from __future__ import annotations

import sys

from requires_python import stop_if_too_old

if __name__ == "__main__":
    stop_if_too_old("python -m ops")

    from ops.cli import main

    sys.exit(main())
