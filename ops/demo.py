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
   Without it: says how to install it, then stands in for ``pulumi up``: runs ``__main__.py``
   for the stack and plays what it registers by Pulumi's rules through the real provider host
   (`ops.engine`, the engine the tests use), with its state in
   ``.pulumi-local/standin-<stack>.json``; then a stand-in ``pulumi preview`` must find nothing
   to do. A second demo changes nothing; a tenant removed from the YAML is deleted (snapshot
   first), unless protected; ``adopt`` works as under ``pulumi up``.

``--fresh`` deletes both files first: an empty emulator and an empty state.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from descope import AuthException, DescopeClient

from config import Configuration
from emulator.server import EmulatorServer
from ops.engine import DEFAULT_PROVIDER_TYPE, Engine, Result
from ops.errors import OpsError
from ops.program import registrations
from ops.pulumi_cli import INSTALL_HINT, find_pulumi, run_pulumi
from ops.stack import MANAGEMENT_KEY, StackSettings, load_stack_configuration
from ops.standin_state import locked_state, stack_lock, state_file

LOOPBACK = ("127.0.0.1", "localhost", "::1")
BUILT_IN_ROLES = ("Tenant Admin",)
"""Roles a fresh Descope project already has."""


def project_needs(configuration: Configuration) -> dict[str, Any]:
    """What the emulator's project must hold for the configuration to deploy, and no API writes.

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


def local_folder(stack: StackSettings) -> Path:
    """``.pulumi-local/`` in the project: the local backend, the emulator's and stand-in's files."""
    return stack.project_dir / ".pulumi-local"


def emulator_file(stack: StackSettings) -> Path:
    return local_folder(stack) / f"emulator-{stack.name}.json"


def standin_state_file(stack: StackSettings) -> Path:
    return state_file(stack.project_dir, stack.name)


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
        print("Stopped the emulator.")


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
    except (httpx.HTTPError, AuthException, ValueError) as exc:
        raise OpsError(
            f"The emulator at {base_url} could not be given the custom attributes and roles "
            f"the configuration uses ({exc}). Stop it and run the demo again to start a fresh one."
        ) from None
    if missing or created:
        print(
            f"Added to it what the configuration uses: {len(missing)} tenant custom "
            f"attribute(s), {len(created)} role(s)."
        )


def _with_pulumi(stack: StackSettings, pulumi: str) -> None:
    backend = local_folder(stack)
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


STAND_IN = (
    "Standing in for `pulumi up` to try things offline: the program (__main__.py) runs for "
    "stack {stack}, and what it registers is played by Pulumi's rules through the same "
    "provider host `pulumi up` starts (ops/engine.py); the stand-in's state is {state}."
)
_SIGNS = {"create": "+", "update": "~", "replace": "+-", "delete": "-", "retain": "-"}


def steps_table(result: Result) -> str:
    """Each resource's step, Pulumi-style: sign, type, name, what happened (or the error)."""
    rows = []
    for step in result.steps:
        if step.op == "same" and not step.error:
            continue
        what = "failed" if step.error else {"retain": "delete (retained)"}.get(step.op, step.op)
        kind = step.type.rsplit("/", 1)[-1]
        rows.append((_SIGNS.get(step.op, " "), kind, step.name, what))
    widths = [max((len(row[i]) for row in rows), default=0) for i in range(3)]
    lines = [
        f"  {sign:<2} {kind:<{widths[1]}}  {name:<{widths[2]}}  {what}"
        for sign, kind, name, what in rows
    ]
    same = sum(1 for s in result.steps if s.op == "same" and not s.error)
    lines.append(f"Resources: {result.summary()}" if rows else f"Resources: {same} unchanged")
    return "\n".join(lines)


def _demo_command(stack: StackSettings) -> str:
    return f"python -m ops demo --stack {stack.name}"


def _stand_in(stack: StackSettings, *, emulator_was_empty: bool) -> None:
    print(INSTALL_HINT)
    config = {**stack.config, **stack.provider_config()}
    secret_keys = (MANAGEMENT_KEY,)
    command = _demo_command(stack)
    with locked_state(stack.project_dir, stack.name, config, command=command) as standin:
        if emulator_was_empty and standin.path.exists():
            print(
                f"The emulator started with an empty project, so {standin.path.name} (the state "
                "of the last demo) no longer describes it: starting from an empty state."
            )
            standin.reset()
        where = standin.path.relative_to(stack.project_dir)
        print(STAND_IN.format(stack=stack.name, state=where))
        run = registrations(
            stack.project_dir, stack=stack.name, config=config, secret_keys=secret_keys
        )
        for warning in run.warnings:
            print(f"warning: {warning}")
        engine = Engine(stack.project_dir)
        print("$ pulumi up (stand-in)")
        result = engine.up(
            standin.state,
            run.registrations,
            config,
            secret_keys,
            checkpoint=standin.checkpoint,
            stop=standin.stop,
        )
        for line in result.log:
            print(f"  {line}")
        print(steps_table(result))
        standin.finish(result, verb=command)
        if not result.ok:
            raise OpsError("`pulumi up` (stand-in) failed:\n" + "\n".join(result.errors))
        print("$ pulumi preview --expect-no-changes (stand-in)")
        preview = engine.preview(result.state, run.registrations, config, secret_keys)
    if not preview.ok or preview.changes:
        details = "\n".join(preview.errors) or steps_table(preview)
        raise OpsError(
            "The preview right after `up` is not empty; this is a bug in a provider, please "
            f"report it:\n{details}"
        )
    descope = sum(1 for step in preview.steps if step.type != DEFAULT_PROVIDER_TYPE)
    print(f"No changes: all {descope} Descope resources match the configuration.")


def run(stack: StackSettings, *, use_pulumi: bool = True, fresh: bool = False) -> int:
    configuration = load_stack_configuration(stack)
    if fresh:  # not under a run that holds the stack
        with stack_lock(stack.project_dir, stack.name, _demo_command(stack) + " --fresh"):
            for file in (emulator_file(stack), standin_state_file(stack)):
                if file.exists():
                    file.unlink()
                    print(f"Removed {file.relative_to(stack.project_dir)} (--fresh).")
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
            _stand_in(stack, emulator_was_empty=empty)
    return 0
