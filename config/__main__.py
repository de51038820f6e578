"""``python -m config``: see `config.cli`."""

from __future__ import annotations

import sys

from config.cli import main

sys.exit(main())
