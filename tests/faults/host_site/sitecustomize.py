"""Loaded by the fault tests' provider host only (its PYTHONPATH starts with this folder).

Shortens the Descope SDK's own 503 retry delays (0.1 s, 5 s, 5 s) to the values in
``DESCOPE_TEST_SDK_RETRY_DELAYS`` (comma-separated seconds) so 503 bursts stay fast. Timing
only: the SDK still retries the same statuses the same number of times.
"""

from __future__ import annotations

import os

_delays = os.environ.get("DESCOPE_TEST_SDK_RETRY_DELAYS", "").strip()
if _delays:
    import descope._http_client_base as _base
    import descope.http_client as _sync

    _values = [float(v) for v in _delays.split(",")]
    for _module in (_base, _sync):
        if hasattr(_module, "_RETRY_DELAYS_SECONDS"):
            setattr(_module, "_RETRY_DELAYS_SECONDS", _values)  # noqa: B010
