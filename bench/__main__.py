"""``python -m bench [--tenants 100,1000] [--rtt-ms 20,50] [--skip-sizes] [--quick] ...``."""

from __future__ import annotations

import sys

from bench.run import main

sys.exit(main())
