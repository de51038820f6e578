"""The Pulumi program's registrations: run ``__main__.py`` under Pulumi's mocks and record them.

What the program asks the engine for, resource by resource, in the order it asks: type token,
name, inputs (as the SDK serialised them, secrets wrapped), and the resource options the engine
acts on (protect, retainOnDelete, deleteBeforeReplace, aliases, dependencies). Provider code
never runs here; the providers' pickled blobs are in the inputs (``__provider``).

`standin.engine` plays these registrations through the real provider host. Running the program
rewrites pulumi's process-wide settings (config, mocks, event loop): call `registrations` from
one thread at a time, outside the provider host.
"""

from __future__ import annotations

import asyncio
import logging
import os
import runpy
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime.stack import wait_for_rpcs

from standin.errors import StandinError

__all__ = ["ProgramRun", "Registration", "registrations", "urn_of"]

STACK_TYPE = "pulumi:pulumi:Stack"


def urn_of(stack: str, project: str, type_: str, name: str) -> str:
    """The URN the engine gives a top-level resource: stack, project, type token, name."""
    return f"urn:pulumi:{stack}::{project}::{type_}::{name}"


def top_level(urn: str) -> str:
    """`urn` as the engine writes it for a resource whose parent is the stack: the mocks put
    the stack's type in front of the resource's (``pulumi:pulumi:Stack$<type>``), the engine
    leaves the root stack out of the type chain."""
    return urn.replace(f"::{STACK_TYPE}$", "::", 1)


@dataclass(frozen=True)
class Registration:
    """One resource the program registered, as the engine receives it (its options default to
    none given)."""

    urn: str
    type: str
    name: str
    inputs: dict[str, Any]
    """Deserialised as the engine holds them: secrets wrapped (`rpc.unwrap_rpc_secret`)."""
    protect: bool = False
    retain_on_delete: bool = False
    delete_before_replace: bool | None = None
    """The resource option, or None when the program left it to the provider."""
    aliases: tuple[str, ...] = ()
    """URNs this resource was known by before (``pulumi.Alias``)."""
    dependencies: tuple[str, ...] = ()
    additional_secret_outputs: tuple[str, ...] = ()


@dataclass
class ProgramRun:
    """What one run of the program produced."""

    registrations: list[Registration] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """What the program logged at WARNING (``pulumi.log.warn``)."""


class _EchoMocks(pulumi.runtime.Mocks):
    """Every resource comes back with its inputs as outputs and its name as id."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return args.name, dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]]:
        return {}, []


class _RecordingMonitor(pulumi_mocks.MockMonitor):
    def __init__(self, run: ProgramRun, stack: str, project: str) -> None:
        super().__init__(_EchoMocks())
        self.run, self.stack, self.project = run, stack, project

    def _alias_urns(self, request: Any, type_: str) -> tuple[str, ...]:
        urns = [str(u) for u in getattr(request, "aliasURNs", [])]
        for alias in request.aliases:
            if alias.urn:
                urns.append(alias.urn)
            elif alias.HasField("spec"):
                spec = alias.spec
                urns.append(
                    urn_of(
                        spec.stack or self.stack,
                        spec.project or self.project,
                        spec.type or type_,
                        spec.name,
                    )
                )
        return tuple(dict.fromkeys(urns))

    def RegisterResource(self, request: Any) -> Any:
        if request.type != STACK_TYPE:
            self.run.registrations.append(
                Registration(
                    urn=urn_of(self.stack, self.project, request.type, request.name),
                    type=request.type,
                    name=request.name,
                    inputs=rpc.deserialize_properties(request.object, keep_unknowns=True),
                    protect=bool(request.protect),
                    retain_on_delete=bool(request.retainOnDelete),
                    delete_before_replace=(
                        bool(request.deleteBeforeReplace)
                        if request.deleteBeforeReplaceDefined
                        else None
                    ),
                    aliases=self._alias_urns(request, request.type),
                    dependencies=tuple(top_level(str(u)) for u in request.dependencies),
                    additional_secret_outputs=tuple(request.additionalSecretOutputs),
                )
            )
        return super().RegisterResource(request)  # type: ignore[no-untyped-call]


class _Warnings(logging.Handler):
    def __init__(self, run: ProgramRun) -> None:
        super().__init__(logging.WARNING)
        self.run = run

    def emit(self, record: logging.LogRecord) -> None:
        self.run.warnings.append(record.getMessage())


@contextmanager
def _in_folder(folder: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)


def registrations(
    project_dir: Path,
    *,
    stack: str,
    config: Mapping[str, str],
    secret_keys: Sequence[str] = (),
    project: str = "descope-config",
) -> ProgramRun:
    """Run the program in `project_dir` for `stack` with `config` (namespaced keys, values as
    text, as ``pulumi config`` holds them) and return what it registered.

    Raises `StandinError` with the program's own message when it stops the run (a configuration
    error, ``pulumi.RunError``), and for any other failure of the program.
    """
    run = ProgramRun()
    monitor = _RecordingMonitor(run, stack, project)
    logger = logging.getLogger("descope-config.program")
    handler = _Warnings(run)
    logger.addHandler(handler)
    logger.propagate = False
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    pulumi.runtime.set_all_config(dict(config), list(secret_keys))
    pulumi.runtime.set_mocks(
        monitor.mocks,
        project=project,
        stack=stack,
        preview=False,
        logger=logger,
        monitor=monitor,
    )
    try:
        with _in_folder(project_dir):
            runpy.run_path(str(project_dir / "__main__.py"), run_name="__pulumi_program__")
            loop.run_until_complete(wait_for_rpcs())
    except pulumi.RunError as exc:
        raise StandinError(str(exc)) from None
    except Exception as exc:
        raise StandinError(f"The Pulumi program failed: {type(exc).__name__}: {exc}") from None
    finally:
        loop.close()
        asyncio.set_event_loop(None)
        logger.removeHandler(handler)
    return run
