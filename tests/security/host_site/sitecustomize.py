"""Loaded by the security tests' provider host only (its PYTHONPATH starts with this folder).

Turns on Python logging at ``DESCOPE_TEST_LOG_LEVEL`` (e.g. DEBUG) to stderr, so the sweep
sees every log line the providers, the SDK and httpx would write if a user turned logging up.
"""

from __future__ import annotations

import logging
import os
import sys

_level = os.environ.get("DESCOPE_TEST_LOG_LEVEL", "").strip()
if _level:
    logging.basicConfig(
        level=_level, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s"
    )
