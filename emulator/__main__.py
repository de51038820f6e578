"""Run the emulator: ``python -m emulator [--port 8787] [--host 127.0.0.1] ...``.

The first line printed is the base URL (flushed at once), for scripts to read; then it
serves until SIGINT or SIGTERM. Defaults work without arguments.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from emulator.app import EmulatorApp
from emulator.faults import FaultPlan
from emulator.models import DEFAULT_MANAGEMENT_KEY, DEFAULT_PROJECT_ID, EmulatorOptions
from emulator.server import EmulatorServer


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m emulator", description="Local emulator of the Descope management API."
    )
    p.add_argument("--host", default="127.0.0.1", help="bind address (default: loopback)")
    p.add_argument("--port", type=int, default=8787, help="0 picks a free port (default 8787)")
    p.add_argument("--project-id", default=DEFAULT_PROJECT_ID, help="keep it under 32 characters")
    p.add_argument("--management-key", default=DEFAULT_MANAGEMENT_KEY)
    p.add_argument("--latency-ms", type=float, default=0.0, help="fixed latency per request")
    p.add_argument("--not-found-status", type=int, choices=(400, 404), default=400)
    p.add_argument("--normalize-domains", action="store_true")
    p.add_argument("--unique-domains", action="store_true", help="domains unique across tenants")
    p.add_argument("--tier", default="tier4", help="rateLimitTier the license endpoint answers")
    p.add_argument(
        "--allow-duplicate-sso-domains",
        action="store_true",
        help="SSO domains may repeat across tenants (allowDuplicateSSODomainsInOtherTenants)",
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    options = EmulatorOptions(
        project_id=args.project_id,
        management_key=args.management_key,
        not_found_status=args.not_found_status,
        normalize_domains=args.normalize_domains,
        unique_domains_across_tenants=args.unique_domains,
        default_tier=args.tier,
        allow_duplicate_sso_domains_in_other_tenants=args.allow_duplicate_sso_domains,
    )
    app = EmulatorApp(options)
    if args.latency_ms:
        app.set_faults(FaultPlan(latency_ms=args.latency_ms))
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    with EmulatorServer(app, host=args.host, port=args.port) as server:
        print(server.url, flush=True)
        print(f"project id: {options.project_id} (management key not shown)", flush=True)
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
