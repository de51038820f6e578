"""`demo`: the dev stack deployed to the local emulator, by pulumi or by a stand-in for it.

1. The emulator: on the stack's ``descope:baseUrl`` (a loopback address), with the stack's
   project id and key, its project kept in ``.pulumi-local/emulator-<stack>.json`` so that the
   next demo meets the same Descope; unless an emulator already answers there (then it is used
   and left running). Its project is given what a real project must hold before a deploy and
   no API can write (`project_needs`): the tenant custom-attribute definitions (declared under
   ``tenantAttributes:``; without them the emulator does not check attributes) and the roles
   the tenants name.
2. Loads and validates the configuration and prints what it declares.
3. With the pulumi CLI on PATH: ``pulumi stack select --create``, ``pulumi up --yes`` and
   ``pulumi preview --expect-no-changes``, on a local file backend in ``.pulumi-local/`` (no
   account, empty passphrase: this is for the emulator only).
   Without it: says how to install it, then stands in for ``pulumi up --refresh --yes``
   (`ops.deploy.verbs`: runs ``__main__.py`` for the stack and plays what it registers by Pulumi's
   rules through the real provider host, with its state in
   ``.pulumi-local/standin-<stack>.json``; Descope is read first, so edits made to the
   emulator since the last demo are undone); then a stand-in ``pulumi preview`` must find
   nothing to do. A second demo changes nothing; a tenant removed from the YAML is deleted (snapshot
   first), unless protected; ``adopt`` works as under ``pulumi up``.

``--fresh`` starts from an empty emulator and an empty state: the running emulator is reset
(once it has taken the stack's key), or its data file removed; the state file is removed.

`serve` (``python -m ops emulator --stack dev``, ``make emulator``) starts the same emulator in
the foreground and leaves it running until Ctrl-C, for the daily workflow's verbs and reports.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

import httpx
from descope import AuthException, DescopeClient

from config import Configuration
from emulator.server import EmulatorServer
from ops.deploy import verbs
from ops.deploy.verbs import local_backend_env, local_folder, standin_state_file
from ops.errors import OpsError
from ops.pulumi_cli import find_pulumi, run_pulumi
from ops.stack import StackSettings, load_stack_configuration
from standin.changes import render
from standin.engine import Engine
from standin.program import registrations
from standin.results import DEFAULT_PROVIDER_TYPE
from standin.state import stack_lock

LOOPBACK = ("127.0.0.1", "localhost", "::1")
BUILT_IN_ROLES = ("Tenant Admin",)
"""Roles a fresh Descope project already has."""


def project_needs(configuration: Configuration) -> dict[str, Any]:
    """What the emulator's project must hold for the configuration to deploy, and no published
    API writes.

    Returns the emulator's start-up keywords: the tenant custom-attribute definitions the
    configuration declares (``tenantAttributes:``; in a real project they are defined in the
    console), or, for a configuration without them (free-form values), the emulator's check of
    undefined attributes turned off, as such a configuration assumes; and the roles the tenants
    name as default roles (``Tenant Admin`` exists already) when the configuration does not
    declare its roles (a ``roles:`` key): declared roles are created by the deploy.
    """
    role_names = dict.fromkeys(r for t in configuration.tenants for r in t.defaultRoles)
    if configuration.roles is not None:
        role_names = {}  # declared under roles: the deploy creates them
    roles = {"roles": [{"name": r} for r in role_names if r not in BUILT_IN_ROLES]}
    if configuration.tenant_attributes is None:
        return {"require_attribute_definitions": False, "roles": roles}
    declared = {
        name: {k: v for k, v in definition.as_data(name).items() if v is not None}
        for name, definition in configuration.tenant_attributes.items()
    }
    return {"tenant_attributes": declared, "roles": roles}


def emulator_answers(base_url: str) -> bool:
    """Whether a Descope emulator already answers at `base_url`."""
    try:
        response = httpx.get(f"{base_url}/emulator/health", timeout=1.0)
    except httpx.HTTPError:
        return False
    return response.status_code == 200


def emulator_file(stack: StackSettings) -> Path:
    return local_folder(stack) / f"emulator-{stack.name}.json"


@contextmanager
def running_emulator(
    stack: StackSettings, needs: dict[str, Any] | None = None
) -> Iterator[tuple[str, bool]]:
    """The stack's emulator URL, and whether it started with an empty project; the emulator
    is started there (its project kept in `emulator_file`) for the duration if none answers.

    ``needs`` (`project_needs`' form) is given to the emulator it starts, or added to the
    one that already answers (attributes and roles it lacks; what it has is kept).
    """
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
    needs = needs or {}
    if emulator_answers(base_url):
        print(f"An emulator already answers at {base_url}; using it (and leaving it running).")
        _add_needs(base_url, settings.project_id, settings.management_key, needs)
        yield base_url, False
        return
    data_file = emulator_file(stack)
    empty = not data_file.exists()
    data_file.parent.mkdir(exist_ok=True)
    try:
        server = EmulatorServer(
            host=parts.hostname,
            port=parts.port,
            project_id=settings.project_id,
            management_key=settings.management_key,
            data_file=data_file,
            **needs,
        )
        server.start()
    except ValueError as exc:
        raise OpsError(f"Cannot start the emulator: {exc}") from None
    except OSError as exc:
        raise OpsError(
            f"Cannot start the emulator on {base_url} ({exc.strerror or exc}): something else "
            "uses that port. Stop it, or change descope:baseUrl in "
            f"{stack.file.name} to a free port."
        ) from None
    print(
        f"Started the Descope emulator at {base_url} (project {settings.project_id}, kept in "
        f"{data_file.relative_to(stack.project_dir)})."
    )
    try:
        yield base_url, empty
    finally:
        server.stop()
        print(
            f"Stopped the emulator. `python -m ops emulator --stack {stack.name}` (`make "
            f"emulator STACK={stack.name}`) brings it back with this project, for the daily "
            "workflow's commands."
        )


def _add_needs(base_url: str, project_id: str, key: str, needs: dict[str, Any]) -> None:
    """Give a running emulator the attribute definitions and project roles it lacks (and its
    check of undefined attributes turned off, for a configuration without definitions)."""
    attributes: dict[str, Any] = needs.get("tenant_attributes", {})
    roles: list[dict[str, Any]] = needs.get("roles", {}).get("roles", [])
    try:
        if needs.get("require_attribute_definitions") is False:
            httpx.post(
                f"{base_url}/emulator/options",
                json={"requireAttributeDefinitions": False},
                timeout=5.0,
            ).raise_for_status()
        held = httpx.get(f"{base_url}/emulator/tenant-attributes", timeout=5.0)
        held.raise_for_status()
        missing = {n: d for n, d in attributes.items() if n not in held.json()}
        if missing:
            httpx.post(
                f"{base_url}/emulator/tenant-attributes",
                json={**held.json(), **missing},
                timeout=5.0,
            ).raise_for_status()
        sdk = DescopeClient(project_id, management_key=key, base_url=base_url)
        present = {r["name"] for r in sdk.mgmt.role.load_all()["roles"] if not r.get("tenantId")}
        created = [r["name"] for r in roles if r["name"] not in present]
        for name in created:
            sdk.mgmt.role.create(name)
    except AuthException as exc:
        if exc.status_code == 401:
            raise key_refused(base_url, project_id) from None
        raise _not_given(base_url, exc) from None
    except (httpx.HTTPError, ValueError) as exc:
        raise _not_given(base_url, exc) from None
    if missing or created:
        print(
            f"Added to it what the configuration uses: {len(missing)} tenant custom "
            f"attribute(s), {len(created)} role(s)."
        )


def _not_given(base_url: str, exc: Exception) -> OpsError:
    return OpsError(
        f"The emulator at {base_url} could not be given the custom attributes and roles the "
        f"configuration uses ({exc}). Stop it and run the demo again to start a fresh one."
    )


def key_refused(base_url: str, project_id: str) -> OpsError:
    """The emulator at `base_url` refused the stack's project id and key (a 401)."""
    return OpsError(
        f"The emulator at {base_url} refused project {project_id} with the stack's management "
        "key (401): it was started for another project or with another key. Check "
        "descope:projectId and descope:managementKey in the stack file (and "
        "DESCOPE_MANAGEMENT_KEY, which wins when set); if they are right, the emulator is "
        "someone else's: stop it, or point descope:baseUrl at another port."
    )


def reset_running(stack: StackSettings, base_url: str) -> None:
    """``--fresh`` with an emulator answering at `base_url`: empty its project (and its data
    file), once it has shown it is this stack's (it takes the stack's project id and key)."""
    settings = stack.connection()
    try:
        answer = httpx.get(
            f"{base_url}/v1/mgmt/tenant/all",
            headers={"Authorization": f"Bearer {settings.project_id}:{settings.management_key}"},
            timeout=5.0,
        )
        if answer.status_code == 401:
            raise key_refused(base_url, settings.project_id)
        httpx.post(f"{base_url}/emulator/reset", timeout=5.0).raise_for_status()
    except httpx.HTTPError as exc:
        raise OpsError(
            f"--fresh: the emulator at {base_url} could not be reset ({exc}). Stop it (Ctrl-C "
            "where it runs) and run the command again: a new one starts empty."
        ) from None
    print(f"Reset the emulator running at {base_url}: its project is empty (--fresh).")


def start_fresh(stack: StackSettings) -> None:
    """``--fresh``: an empty emulator project (the running emulator reset, or its data file
    removed) and an empty stand-in state."""
    base_url = stack.connection().base_url
    # Not under a run that holds the stack: its state would be lost under it.
    with stack_lock(stack.project_dir, stack.name, f"python -m ops --fresh --stack {stack.name}"):
        running = bool(base_url) and emulator_answers(str(base_url))
        if running:
            reset_running(stack, str(base_url))
        for file in (standin_state_file(stack), *(() if running else (emulator_file(stack),))):
            if file.exists():
                file.unlink()
                print(f"Removed {file.relative_to(stack.project_dir)} (--fresh).")


def serve(stack: StackSettings, *, fresh: bool = False, stop: threading.Event | None = None) -> int:
    """``ops emulator``: the stack's emulator in the foreground, as the demo starts it (its
    project kept in `emulator_file`, given what the configuration needs), until Ctrl-C or
    `stop`. With one already answering there, say so and leave it."""
    configuration = load_stack_configuration(stack)
    if fresh:
        start_fresh(stack)
    base_url = stack.connection().base_url
    if base_url and emulator_answers(base_url):
        print(f"An emulator already runs at {base_url}; nothing to start.")
        return 0
    stop = stop or _stop_on_signals()
    with running_emulator(stack, project_needs(configuration)) as (url, _):
        print(
            f"Serving stack {stack.name}'s Descope at {url} until Ctrl-C. In another shell: "
            f"`python -m ops report --stack {stack.name}`, `python -m ops preview --stack "
            f"{stack.name}`, `python -m ops up --stack {stack.name}`.",
            flush=True,
        )
        while not stop.wait(0.5):
            pass
    return 0


def _stop_on_signals() -> threading.Event:
    """An event set by SIGINT or SIGTERM (Ctrl-C stops the emulator, without a traceback)."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    return stop


def _with_pulumi(stack: StackSettings, pulumi: str) -> None:
    env = local_backend_env(stack)
    print(f"Using the pulumi CLI ({pulumi}) with the local file backend {local_folder(stack)}.")
    for args in (
        ["stack", "select", stack.name, "--create"],
        ["up", "--yes", "--stack", stack.name],
        ["preview", "--expect-no-changes", "--stack", stack.name],
    ):
        code = run_pulumi(args, cwd=stack.project_dir, env=env, executable=pulumi)
        if code != 0:
            raise OpsError(f"`pulumi {' '.join(args)}` failed (exit {code}); see its output above.")
    print("Done: the preview after `pulumi up` shows no changes.")


def _stand_in(
    stack: StackSettings, configuration: Configuration, *, emulator_was_empty: bool
) -> None:
    """`up --refresh --yes` on the stand-in (Descope read first: the emulator may have been
    edited since the last demo), then a preview that must find nothing to do."""
    state_file = standin_state_file(stack)
    if emulator_was_empty and state_file.exists():
        with stack_lock(stack.project_dir, stack.name, f"python -m ops demo --stack {stack.name}"):
            print(
                f"The emulator started with an empty project, so {state_file.name} (the state "
                "of the last demo) no longer describes it: starting from an empty state."
            )
            state_file.unlink()
    verbs.stand_in(stack, verbs.Options("up", refresh=True, yes=True), configuration=configuration)
    preview = verbs.play(stack, _quiet_preview(stack, configuration), save=False)
    if not preview.ok or preview.changes:
        details = "\n".join(preview.errors) or render(preview, planned=True)
        raise OpsError(
            "The preview right after `up` is not empty; this is a bug in a provider, please "
            f"report it:\n{details}"
        )
    descope = sum(1 for step in preview.steps if step.type != DEFAULT_PROVIDER_TYPE)
    print(
        f"No changes left: a preview after this up finds nothing to do for the {descope} "
        f"Descope resources. Next: edit config/, then `python -m ops preview --stack "
        f"{stack.name}` and `python -m ops up --stack {stack.name}` (or `make preview`, "
        "`make up`)."
    )


def _quiet_preview(stack: StackSettings, configuration: Configuration) -> verbs.Operation:
    """A preview of the program on a state, printing only the program's warnings."""
    config = stack.engine_config()
    secrets = stack.engine_secret_keys(configuration)
    program = registrations(stack.project_dir, stack=stack.name, config=config, secret_keys=secrets)
    engine = Engine(stack.project_dir)
    return lambda state, _: engine.preview(state, program.registrations, config, secrets)


def run(stack: StackSettings, *, use_pulumi: bool = True, fresh: bool = False) -> int:
    configuration = load_stack_configuration(stack)
    if fresh:
        start_fresh(stack)
    print(
        f"Configuration {stack.tenants_file} is valid: {len(configuration.tenants)} tenant(s) "
        f"({', '.join(t.id for t in configuration.tenants) or 'none'}), "
        f"{len(configuration.flows)} flow(s) "
        f"({', '.join(f.id for f in configuration.flows) or 'none'}), "
        f"theme {'managed' if configuration.theme is not None else 'not managed'}."
    )
    with running_emulator(stack, project_needs(configuration)) as (_, empty):
        pulumi = find_pulumi() if use_pulumi else None
        if pulumi is not None:
            _with_pulumi(stack, pulumi)
        else:
            _stand_in(stack, configuration, emulator_was_empty=empty)
    return 0
