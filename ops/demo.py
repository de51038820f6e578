"""`demo`: start the emulator, deploy the stack's configuration to it, prove a second pass is empty.

1. Starts the local emulator on the stack's ``descope:baseUrl`` (a loopback address), with the
   stack's project id and key, unless an emulator already answers there; stops it at the end.
2. Loads and validates the configuration and prints what it declares.
3. With the pulumi CLI on PATH: ``pulumi stack select --create``, ``pulumi up --yes`` and
   ``pulumi preview --expect-no-changes``, on a local file backend in ``.pulumi-local/`` (no
   account, empty passphrase: this is for the emulator only).
   Without it: says how to install it, then deploys through the real providers in this
   process (`ops.apply`) and shows that a second pass finds no changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import httpx

from config import Configuration
from emulator.server import EmulatorServer
from ops import apply
from ops.errors import OpsError
from ops.pulumi_cli import INSTALL_HINT, find_pulumi, run_pulumi
from ops.stack import StackSettings, load_stack_configuration
from providers import client

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def emulator_answers(base_url: str) -> bool:
    """Whether a Descope emulator already answers at `base_url`."""
    try:
        response = httpx.get(f"{base_url}/emulator/health", timeout=1.0)
    except httpx.HTTPError:
        return False
    return response.status_code == 200


@contextmanager
def running_emulator(stack: StackSettings) -> Iterator[str]:
    """The stack's emulator URL, starting the emulator there for the duration if needed."""
    settings = stack.connection()
    base_url = settings.base_url
    parts = urlsplit(base_url or "")
    if not base_url or parts.hostname not in LOOPBACK or parts.port is None:
        raise OpsError(
            f"The demo runs against the local emulator, but stack {stack.name} "
            f"({stack.file.name}) has descope:baseUrl {base_url or 'unset'}. Use the dev stack "
            "(`make demo`), or set descope:baseUrl to a loopback address with a port, such as "
            "http://127.0.0.1:8787."
        )
    if emulator_answers(base_url):
        print(f"An emulator already answers at {base_url}; using it (and leaving it running).")
        yield base_url
        return
    server = EmulatorServer(
        host=parts.hostname,
        port=parts.port,
        project_id=settings.project_id,
        management_key=settings.management_key,
    )
    try:
        server.start()
    except OSError as exc:
        raise OpsError(
            f"Cannot start the emulator on {base_url} ({exc.strerror or exc}): something else "
            "uses that port. Stop it, or change descope:baseUrl in "
            f"{stack.file.name} to a free port."
        ) from None
    print(f"Started the Descope emulator at {base_url} (project {settings.project_id}).")
    try:
        yield base_url
    finally:
        server.stop()
        print("Stopped the emulator.")


def _with_pulumi(stack: StackSettings, pulumi: str) -> None:
    backend = stack.project_dir / ".pulumi-local"
    backend.mkdir(exist_ok=True)
    env = {"PULUMI_BACKEND_URL": backend.as_uri(), "PULUMI_CONFIG_PASSPHRASE": ""}
    print(f"Using the pulumi CLI ({pulumi}) with the local file backend {backend}.")
    for args in (
        ["stack", "select", stack.name, "--create"],
        ["up", "--yes", "--stack", stack.name],
        ["preview", "--expect-no-changes", "--stack", stack.name],
    ):
        code = run_pulumi(args, cwd=stack.project_dir, env=env, executable=pulumi)
        if code != 0:
            raise OpsError(f"`pulumi {' '.join(args)}` failed (exit {code}); see its output above.")
    print("Done: the preview after `pulumi up` shows no changes.")


def _without_pulumi(stack: StackSettings, configuration: Configuration) -> None:
    print(INSTALL_HINT)
    print(
        "Meanwhile, the same providers `pulumi up` runs deploy the configuration in this "
        "process (no state is kept):"
    )
    client.configure(stack.provider_config())
    planned = apply.plan(configuration, stack.backup_dir)
    print(apply.table(apply.apply(planned)))
    print("Second pass (refresh and diff every resource):")
    print(apply.table(apply.verify(planned)))
    print(f"No changes: all {len(planned)} resources match the configuration.")


def run(stack: StackSettings, *, use_pulumi: bool = True) -> int:
    configuration = load_stack_configuration(stack)
    print(
        f"Configuration {stack.tenants_file} is valid: {len(configuration.tenants)} tenant(s) "
        f"({', '.join(t.id for t in configuration.tenants) or 'none'}), "
        f"{len(configuration.flows)} flow(s) "
        f"({', '.join(f.id for f in configuration.flows) or 'none'}), "
        f"theme {'managed' if configuration.theme is not None else 'not managed'}."
    )
    with running_emulator(stack):
        pulumi = find_pulumi() if use_pulumi else None
        if pulumi is not None:
            _with_pulumi(stack, pulumi)
        else:
            _without_pulumi(stack, configuration)
    return 0
