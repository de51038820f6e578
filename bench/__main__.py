"""``python -m bench [--tenants 100,1000] [--latency-ms 20] [--json PATH] [--quick]``."""

from __future__ import annotations

import sys

from bench.run import main

sys.exit(main())
