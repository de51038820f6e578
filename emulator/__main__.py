"""Run the emulator: ``python -m emulator [--port 8787] [--host 127.0.0.1] ...``.

The first line printed is the base URL (flushed at once), for scripts to read; then it
serves until SIGINT or SIGTERM. Defaults work without arguments.

A start-up problem (an unusable ``--data-file``, ``--tenant-attributes`` or ``--roles`` file,
a port in use or out of range) is one line on stderr, ``python -m emulator: error: ...``, and
exit status 2; no traceback.
"""

from __future__ import annotations

import argparse
import errno
import json
import math
import signal
import ssl
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from emulator.app import EmulatorApp
from emulator.faults import DESCOPE_BACKEND_LIMIT, FaultPlan, PerClientLimit
from emulator.options import DEFAULT_MANAGEMENT_KEY, DEFAULT_PROJECT_ID, EmulatorOptions
from emulator.persistence import DataFileError
from emulator.resources.attributes.models import parse_definitions
from emulator.resources.roles.models import parse_role_seed
from emulator.server import DEFAULT_MAX_CONNECTIONS, DEFAULT_READ_TIMEOUT, EmulatorServer

PROG = "python -m emulator"
USAGE_ERROR = 2


_ROLES_SHAPE = (
    '{"permissions": [{"name": ...}], "roles": [{"name": ..., "permissionNames": [...]}]}'
)
_ATTRIBUTES_SHAPE = '{"plan": {"type": "singleselect", "displayName": "Plan", "options": [...]}}'


class StartupError(Exception):
    """A problem that stops the emulator from starting; the message is one line for the user."""


def _positive(kind: Callable[[str], float]) -> Callable[[str], float]:
    """An argparse type: ``kind(text)``, refused unless a finite number above 0."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            value = 0
        if not 0 < value < math.inf:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number above 0")
        return value

    return parse


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG, description="Local emulator of the Descope management API."
    )
    p.add_argument("--host", default="127.0.0.1", help="bind address (default: loopback)")
    p.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also answer requests whose Host header is NAME:port (repeatable; localhost, "
        "127.0.0.1, [::1] and the bound address always are)",
    )
    p.add_argument(
        "--read-timeout",
        type=_positive(float),
        default=DEFAULT_READ_TIMEOUT,
        metavar="SECONDS",
        help=f"close a connection silent this long (default {DEFAULT_READ_TIMEOUT:g})",
    )
    p.add_argument(
        "--max-connections",
        type=_positive(int),
        default=DEFAULT_MAX_CONNECTIONS,
        metavar="N",
        help=f"connections served at once, more are answered 503 (default "
        f"{DEFAULT_MAX_CONNECTIONS})",
    )
    p.add_argument(
        "--tls-cert",
        metavar="PATH",
        help="serve HTTPS with a self-signed certificate made at start for localhost, "
        "127.0.0.1 and ::1, and write that certificate (no key) to PATH, for the clients "
        "that are to trust it (SSL_CERT_FILE=PATH); the URL printed is then https://",
    )
    p.add_argument(
        "--descope-rate-limits",
        action="store_true",
        help="enforce Descope's backend limit per client IP: 1,000 requests per 10 s, then "
        "429 with Retry-After for a 10 s backoff (GET /emulator/rate-limit tells the busiest "
        "window and the requests refused)",
    )
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
    p.add_argument(
        "--data-file",
        metavar="PATH",
        help="keep the project's state in this JSON file: loaded at start if it exists, "
        "saved after every change",
    )
    p.add_argument(
        "--tenant-attributes",
        metavar="FILE.json",
        help='tenant custom-attribute definitions, {"plan": {"type": "string", '
        '"displayName": "Plan"}, ...}',
    )
    p.add_argument(
        "--require-attribute-definitions",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="refuse tenant custom attributes that are undefined or of the wrong type "
        "(default: on)",
    )
    p.add_argument(
        "--roles",
        metavar="FILE.json",
        help='project permissions and roles besides the built-ins, {"permissions": [...], '
        '"roles": [{"name": "member", "permissionNames": []}]}',
    )
    p.add_argument(
        "--require-existing-roles",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="refuse tenant default roles that do not exist (default: on)",
    )
    p.add_argument(
        "--cascade-permission-changes",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="renaming or deleting a permission changes the roles carrying it (default: on)",
    )
    p.add_argument(
        "--infra-put-merges",
        action="store_true",
        help="PUT /v1/mgmt/infra merges its data into the project configuration instead of "
        "replacing it (unpublished either way; default: replaces)",
    )
    return p


def _json_file(option: str, path: str, shape: str) -> Any:
    """The JSON in the file given to ``option``, or a StartupError naming it."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise StartupError(
            f"cannot read {option} file {path}: {error.strerror or error}; check the path"
        ) from None
    except ValueError as error:
        raise StartupError(
            f"{option} file {path} is not valid JSON ({error}); write it as {shape}"
        ) from None


def _started_server(app: EmulatorApp, args: argparse.Namespace) -> EmulatorServer:
    """The server listening on ``--host:--port``, or a StartupError naming the address."""
    host, port = args.host, args.port
    address = f"{host}:{port}"
    if not 0 <= port <= 65535:
        raise StartupError(
            f"cannot listen on {address}: the port must be between 0 and 65535; "
            "pass --port with a port in that range (0 picks a free one)"
        )
    tls = _tls_context(args.tls_cert) if args.tls_cert else None
    limit = PerClientLimit(DESCOPE_BACKEND_LIMIT) if args.descope_rate_limits else None
    try:
        return EmulatorServer(
            app,
            host=host,
            port=port,
            read_timeout=args.read_timeout,
            max_connections=args.max_connections,
            allowed_hosts=args.allow_host,
            tls=tls,
            rate_limit_per_ip=limit,
        ).start()
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise StartupError(
                f"cannot listen on {address}: the address is already in use; stop what "
                "listens there, or pass another --port (0 picks a free one)"
            ) from None
        raise StartupError(
            f"cannot listen on {address}: {error.strerror or error}; check --host and --port"
        ) from None


def _tls_context(path: str) -> ssl.SSLContext:
    """A server context with a new certificate, written to `path`, or a StartupError."""
    from emulator.tls import make_certificate  # noqa: PLC0415 - cryptography only for TLS

    certificate = make_certificate()
    try:
        certificate.write_certificate(path)
    except OSError as error:
        raise StartupError(
            f"cannot write the --tls-cert file {path}: {error.strerror or error}; "
            "pass a path in a writable folder"
        ) from None
    return certificate.server_context()


def _app(args: argparse.Namespace) -> EmulatorApp:
    options = EmulatorOptions(
        project_id=args.project_id,
        management_key=args.management_key,
        not_found_status=args.not_found_status,
        normalize_domains=args.normalize_domains,
        unique_domains_across_tenants=args.unique_domains,
        default_tier=args.tier,
        allow_duplicate_sso_domains_in_other_tenants=args.allow_duplicate_sso_domains,
        require_attribute_definitions=args.require_attribute_definitions,
        require_existing_roles=args.require_existing_roles,
        cascade_permission_changes=args.cascade_permission_changes,
        infra_put_merges=args.infra_put_merges,
    )
    attributes = None
    if args.tenant_attributes is not None:
        attributes = _json_file("--tenant-attributes", args.tenant_attributes, _ATTRIBUTES_SHAPE)
        try:
            parse_definitions(attributes)
        except ValueError as error:
            raise StartupError(
                f"--tenant-attributes file {args.tenant_attributes}: {error}"
            ) from None
    roles = None
    if args.roles is not None:
        roles = _json_file("--roles", args.roles, _ROLES_SHAPE)
        try:
            parse_role_seed(roles)
        except ValueError as error:
            raise StartupError(f"--roles file {args.roles}: {error}") from None
    plan = None
    if args.latency_ms:
        try:
            plan = FaultPlan.from_json({"latencyMs": args.latency_ms})
        except ValueError as error:
            raise StartupError(f"--latency-ms {args.latency_ms:g}: {error}") from None
    try:
        app = EmulatorApp(
            options, data_file=args.data_file, tenant_attributes=attributes, roles=roles
        )
    except DataFileError as error:
        raise StartupError(str(error)) from None
    if plan is not None:
        app.set_faults(plan)
    return app


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        app = _app(args)
        server = _started_server(app, args)
    except StartupError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr, flush=True)
        return USAGE_ERROR
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    with server:
        print(server.url, flush=True)
        print(f"project id: {app.options.project_id} (management key not shown)", flush=True)
        if app.data_file is not None:
            print(f"data file: {app.data_file.path}", flush=True)
        if args.tls_cert:
            print(f"TLS certificate to trust: {args.tls_cert}", flush=True)
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
