"""`demo`: start the emulator, deploy the stack's configuration to it, prove a second pass is empty.

1. Starts the local emulator on the stack's ``descope:baseUrl`` (a loopback address), with the
   stack's project id and key, unless an emulator already answers there; stops it at the end.
   Either way the emulator's project is given the tenant custom attributes and the roles the
   configuration uses (`project_needs`), as a real project must have them before a deploy.
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
from typing import Any
from urllib.parse import urlsplit

import httpx
from descope import AuthException, DescopeClient

from config import Configuration
from emulator.server import EmulatorServer
from ops import apply
from ops.errors import OpsError
from ops.pulumi_cli import INSTALL_HINT, find_pulumi, run_pulumi
from ops.stack import StackSettings, load_stack_configuration
from providers import client

LOOPBACK = ("127.0.0.1", "localhost", "::1")
BUILT_IN_ROLES = ("Tenant Admin",)
"""Roles a fresh Descope project already has."""


def project_needs(configuration: Configuration) -> dict[str, Any]:
    """The tenant custom-attribute definitions and project roles the configuration's tenants use.

    Returns ``{"tenant_attributes": {...}, "roles": {"roles": [...]}}``, the emulator's
    start-up forms. Each attribute's type is inferred from the values the tenants give it:
    all booleans → ``boolean``; all numbers → ``number``; all strings → ``string`` (never a
    select: free text is the type that refuses nothing the file holds); all lists of strings
    → ``multiselect`` with every value seen as its options. Values of different kinds for one
    attribute cannot be stored by Descope: that is an `OpsError` naming attribute and
    tenants. Roles are the tenants' default roles, as project roles without permissions
    (``Tenant Admin`` exists already).
    """
    kinds: dict[str, dict[str, list[str]]] = {}
    options: dict[str, set[str]] = {}
    for tenant in configuration.tenants:
        for name, value in tenant.customAttributes.items():
            kind = _kind(value)
            kinds.setdefault(name, {}).setdefault(kind, []).append(tenant.id)
            if isinstance(value, list):
                options.setdefault(name, set()).update(value)
    attributes: dict[str, Any] = {}
    for name, seen in kinds.items():
        if len(seen) > 1:
            described = "; ".join(f"{kind} in {', '.join(ids)}" for kind, ids in seen.items())
            raise OpsError(
                f"Custom attribute {name!r} has values of different kinds ({described}) in "
                f"{configuration.source}; Descope gives an attribute one type. Make them alike."
            )
        (kind,) = seen
        definition: dict[str, Any] = {"type": kind, "displayName": _display_name(name)}
        if kind == "multiselect":
            definition["options"] = sorted(options.get(name, set())) or [name]
        attributes[name] = definition
    role_names = dict.fromkeys(r for t in configuration.tenants for r in t.defaultRoles)
    roles = [{"name": r} for r in role_names if r not in BUILT_IN_ROLES]
    return {"tenant_attributes": attributes, "roles": {"roles": roles}}


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "multiselect"
    return "string"


def _display_name(name: str) -> str:
    words = name.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else name


def emulator_answers(base_url: str) -> bool:
    """Whether a Descope emulator already answers at `base_url`."""
    try:
        response = httpx.get(f"{base_url}/emulator/health", timeout=1.0)
    except httpx.HTTPError:
        return False
    return response.status_code == 200


@contextmanager
def running_emulator(stack: StackSettings, needs: dict[str, Any] | None = None) -> Iterator[str]:
    """The stack's emulator URL, starting the emulator there for the duration if needed.

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
        yield base_url
        return
    server = EmulatorServer(
        host=parts.hostname,
        port=parts.port,
        project_id=settings.project_id,
        management_key=settings.management_key,
        **needs,
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


def _add_needs(base_url: str, project_id: str, key: str, needs: dict[str, Any]) -> None:
    """Give a running emulator the attribute definitions and project roles it lacks."""
    attributes: dict[str, Any] = needs.get("tenant_attributes", {})
    roles: list[dict[str, Any]] = needs.get("roles", {}).get("roles", [])
    try:
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
    planned = apply.plan(configuration, stack.backup_dir, stack.variables)
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
    with running_emulator(stack, project_needs(configuration)):
        pulumi = find_pulumi() if use_pulumi else None
        if pulumi is not None:
            _with_pulumi(stack, pulumi)
        else:
            _without_pulumi(stack, configuration)
    return 0
