"""`preview`, `up`, `refresh` and `destroy`: the pulumi CLI's verbs, with or without the CLI.

``python -m ops up --stack S [--refresh] [--yes] [--diff] [--expect-no-changes] [--target T]``
(and ``make up STACK=S``). With ``pulumi`` on PATH the real CLI runs, with the flags the daily
workflow needs: ``--run-program`` wherever a refresh or destroy configures the providers (so
they use the stack's current config, a rotated key included). Without it the stand-in engine
(`standin.engine`) plays the program by Pulumi's rules through the real provider host, its state in
``.pulumi-local/standin-<stack>.json``, and says once that it stands in.

As with pulumi: ``up``, ``refresh`` and ``destroy`` show what they will do and ask before doing
it; ``--yes`` skips the question, and without a terminal to ask on they refuse to run without
``--yes``. A preview makes no write call. ``--expect-no-changes`` fails (after the run) when
anything changed or would change. ``--target`` (URN or name, repeatable) plays only those
resources and what they depend on (preview and up; refresh and destroy pass it to the real CLI
only, and the stand-in refuses it).

Honesty about Descope: without ``--refresh`` a run compares the configuration with the stack's
state, not with Descope; what it prints says so and names the commands that read Descope.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from config import Configuration
from ops.errors import OpsError
from ops.pulumi_cli import INSTALL_HINT, INSTALL_URL, find_pulumi, run_pulumi
from ops.stack import StackSettings, load_stack_configuration
from standin.changes import render
from standin.engine import Engine
from standin.program import registrations
from standin.results import Result
from standin.snapshot import StackState
from standin.state import StandinRun, locked_state, state_file

__all__ = [
    "VERBS",
    "Options",
    "local_backend_env",
    "local_folder",
    "play",
    "pulumi_args",
    "run",
    "stand_in",
    "standin_state_file",
]

Verb = Literal["preview", "up", "refresh", "destroy"]
VERBS: tuple[Verb, ...] = ("preview", "up", "refresh", "destroy")
_QUESTIONS = {
    "up": "Do you want to perform this update?",
    "refresh": "Do you want to perform this refresh?",
    "destroy": "Do you want to perform this destroy?",
}


@dataclass(frozen=True)
class Options:
    """A verb and the flags it was given (their meanings are pulumi's)."""

    verb: Verb
    diff: bool = False
    refresh: bool = False
    yes: bool = False
    expect_no_changes: bool = False
    targets: tuple[str, ...] = ()
    show_sames: bool = False


def local_folder(stack: StackSettings) -> Path:
    """``.pulumi-local/`` in the project: the local backend, the emulator's and stand-in's files."""
    return stack.project_dir / ".pulumi-local"


def standin_state_file(stack: StackSettings) -> Path:
    return state_file(stack.project_dir, stack.name)


def local_backend_env(stack: StackSettings) -> dict[str, str]:
    """The pulumi CLI's environment for an emulator stack: the local file backend in
    `local_folder` with an empty passphrase (no account; the emulator's key protects nothing),
    as ``make demo`` uses. Empty for any other stack: the backend the user is logged in to."""
    if not stack.is_emulator:
        return {}
    backend = local_folder(stack)
    backend.mkdir(exist_ok=True)
    return {"PULUMI_BACKEND_URL": backend.as_uri(), "PULUMI_CONFIG_PASSPHRASE": ""}


def pulumi_args(stack: str, options: Options) -> list[str]:
    """The real CLI's arguments for `options` on `stack`."""
    args = [options.verb, "--stack", stack]
    if options.yes and options.verb != "preview":
        args.append("--yes")
    if options.refresh and options.verb in ("preview", "up"):
        args.append("--refresh")
    if options.refresh or options.verb in ("refresh", "destroy"):
        args.append("--run-program")  # the providers get the current config (see the README)
    for flag, given in (
        ("--diff", options.diff),
        ("--expect-no-changes", options.expect_no_changes),
        ("--show-sames", options.show_sames),
    ):
        if given:
            args.append(flag)
    for target in options.targets:
        args.extend(["--target", target])
    return args


def _interactive() -> bool:
    """Whether a person can be asked (stdin and stdout are a terminal), as pulumi decides."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def _refuse_unconfirmed(stack: StackSettings, options: Options) -> None:
    if options.verb == "preview" or options.yes or _interactive():
        return
    raise OpsError(
        f"`{options.verb}` changes stack {stack.name} and asks for confirmation first, but "
        "there is no terminal to ask on. Add --yes to proceed without asking (as pulumi needs "
        f"in non-interactive mode), after `python -m ops preview --stack {stack.name}` has "
        "shown what it changes."
    )


def run(stack: StackSettings, options: Options, *, use_pulumi: bool = True) -> int:
    """`python -m ops <verb>`: 0, or an `OpsError` saying what failed and what to do."""
    _refuse_unconfirmed(stack, options)
    pulumi = find_pulumi() if use_pulumi else None
    if pulumi is not None:
        args = pulumi_args(stack.name, options)
        env = local_backend_env(stack)
        if env:
            _run_cli(stack, ["stack", "select", stack.name, "--create"], env, pulumi)
        _run_cli(stack, args, env, pulumi)
        return 0
    result = stand_in(stack, options)
    if options.expect_no_changes and result.changes:
        raise OpsError(
            f"--expect-no-changes: {len(result.changes)} change(s) found (listed above) on stack "
            f"{stack.name}."
        )
    return 0


def _run_cli(stack: StackSettings, args: list[str], env: dict[str, str], pulumi: str) -> None:
    code = run_pulumi(args, cwd=stack.project_dir, env=env, executable=pulumi)
    if code != 0:
        raise OpsError(f"`pulumi {' '.join(args)}` failed (exit {code}); see its output above.")


Operation = Callable[[StackState, "StandinRun | None"], Result]
"""A verb on a state; given the locked run (checkpoints, Ctrl-C) when it may change the stack."""


def play(stack: StackSettings, operation: Operation, *, save: bool) -> Result:
    """Run `operation` on the stand-in's state of `stack`. The one place the stand-in's state is
    read and written: with `save`, under the stack's lock (`standin.state.locked_state`:
    the engine saves as it goes through the run's checkpoints; a refresh's state is saved at
    the end), and a full disk or a Ctrl-C ends the run as `StandinRun.finish` says; without,
    the state is only read (a preview)."""
    config = stack.engine_config()
    if not save:
        return operation(StackState.load(standin_state_file(stack), stack.name, config), None)
    with locked_state(stack.project_dir, stack.name, config) as run:
        result = operation(run.state, run)
        if result.operation == "refresh" and result.ok:
            run.save(result.state)
        run.finish(result, verb=f"python -m ops {result.operation} --stack {stack.name}")
    return result


STANDS_IN = (
    "{install}\nMeanwhile, standing in for `pulumi {verb}` offline: the program runs for stack "
    "{stack} and what it registers is played by Pulumi's rules through the provider host "
    "pulumi starts (standin/engine.py); the stand-in's state: {state}."
)


def stand_in(
    stack: StackSettings,
    options: Options,
    *,
    announce: bool = True,
    configuration: Configuration | None = None,
) -> Result:
    """Play `options` with the stand-in engine and print it as pulumi does; the run's result.
    A failed step raises `OpsError` (after the steps are printed and the state is kept).

    Only an emulator's stack (``descope:baseUrl`` on loopback) is played: any other stack's
    state is in its Pulumi backend, which only the pulumi CLI reads; a second state kept here
    would disagree with it. `configuration` is the stack's, when the caller has loaded it
    already (else it is loaded here)."""
    if not stack.is_emulator:
        raise OpsError(
            f"Stack {stack.name} is not the local emulator's (descope:baseUrl in "
            f"{stack.file.name}), and its state is in its Pulumi backend, which only the pulumi "
            f"CLI reads: `{options.verb}` needs the pulumi CLI here. {INSTALL_HINT}"
        )
    if options.targets and options.verb in ("refresh", "destroy"):
        raise OpsError(
            f"--target with `{options.verb}` is not played by the stand-in engine (only with "
            f"preview and up). Install the pulumi CLI ({INSTALL_URL}), or run `{options.verb}` "
            "without --target."
        )
    if announce:
        state = standin_state_file(stack).relative_to(stack.project_dir)
        print(
            STANDS_IN.format(install=INSTALL_HINT, verb=options.verb, stack=stack.name, state=state)
        )
    player = _Player(stack, options, configuration or load_stack_configuration(stack))
    result = play(stack, player.run, save=options.verb != "preview")
    if not result.ok:
        raise OpsError(f"`{options.verb}` (stand-in) failed:\n" + "\n".join(result.errors))
    print(_afterword(stack.name, options, result))
    return result


class _Player:
    """One verb on the stand-in: the question before a change, the printing after."""

    def __init__(
        self, stack: StackSettings, options: Options, configuration: Configuration
    ) -> None:
        self.stack, self.options = stack, options
        self.engine = Engine(stack.project_dir)
        self.config = stack.engine_config()
        self.secrets = stack.engine_secret_keys(configuration)

    def run(self, state: StackState, locked: StandinRun | None) -> Result:
        """The verb on `state`; for a change without --yes, its preview and the question
        first (a refresh only reads: its preview is the refresh itself). `locked`: the run
        holding the stack, whose checkpoints and Ctrl-C the change goes through."""
        if self.options.verb == "preview":
            return self._shown(self._apply(state, None, preview=True), planned=True)
        if not self.options.yes:
            planned = self._shown(self._apply(state, None, preview=True), planned=True)
            if not planned.ok or not planned.changes:
                return planned
            self._confirm()
            if self.options.verb == "refresh":
                return planned
        return self._shown(self._apply(state, locked, preview=False), planned=False)

    def _apply(self, state: StackState, locked: StandinRun | None, *, preview: bool) -> Result:
        verb, engine, config = self.options.verb, self.engine, self.config
        checkpoint = locked.checkpoint if locked is not None else None
        stop = locked.stop if locked is not None else None
        if verb == "refresh":
            return engine.refresh(state, config=config, secret_keys=self.secrets)
        if verb == "destroy":
            return engine.destroy(
                state,
                config=config,
                secret_keys=self.secrets,
                preview=preview,
                checkpoint=checkpoint,
                stop=stop,
            )
        program = registrations(
            self.stack.project_dir, stack=self.stack.name, config=config, secret_keys=self.secrets
        )
        for warning in program.warnings:
            print(f"warning: {warning}")
        refresh = self.options.refresh and bool(state.resources)  # else nothing to read
        if preview:
            return engine.preview(
                state, program.registrations, config, self.secrets, refresh=refresh,
                run_program=True, targets=self.options.targets,
            )  # fmt: skip
        return engine.up(
            state, program.registrations, config, self.secrets, refresh=refresh,
            run_program=True, targets=self.options.targets, checkpoint=checkpoint, stop=stop,
        )  # fmt: skip

    def _shown(self, result: Result, *, planned: bool) -> Result:
        """`result`, printed: what the provider host said, the steps, the summary."""
        verb = self.options.verb
        title = (
            f"{'Previewing' if planned else 'Running'} {'update' if verb == 'preview' else verb}"
        )
        print(f"{title} (stack {self.stack.name}, stand-in):")
        for line in result.log:
            print(f"  {line}")
        print(
            render(
                result, planned=planned, show_same=self.options.show_sames, full=self.options.diff
            )
        )
        return result

    def _confirm(self) -> None:
        answer = input(f"{_QUESTIONS[self.options.verb]} [yes/no] ").strip().lower()
        if answer not in ("y", "yes"):
            raise OpsError(
                f"Confirmation declined: `{self.options.verb}` did not run; nothing changed."
            )


def _afterword(stack: str, options: Options, result: Result) -> str:
    """What the run says about Descope: only what it read (see the module docstring)."""
    compare = (
        f"To compare Descope with the configuration: `python -m ops preview --refresh --stack "
        f"{stack}` (or `python -m ops report --stack {stack}`); to bring it back to the "
        f"configuration: `python -m ops up --refresh --stack {stack}`."
    )
    if options.verb == "refresh":
        return (
            f"The state now records Descope as it is. `python -m ops preview --stack {stack}` "
            "shows what `up` would change back to the configuration."
        )
    if options.verb == "destroy":
        return f"Stack {stack} is empty: its resources are deleted from Descope (or retained)."
    if options.targets:
        return (
            "Only the --target resources and what they depend on were played; the others are "
            f"as the state recorded them. {compare}"
        )
    if options.refresh and options.verb == "up":
        return "Descope was read first (--refresh) and now holds the configuration."
    if options.refresh:
        found = "differs from" if result.changes else "matches"
        return f"Descope was read (--refresh): it {found} the configuration."
    if options.verb == "up":
        return (
            "The stack's state matches the configuration. Descope itself was not read (no "
            "--refresh): changes made in the console or through the API since the last refresh "
            f"are not seen. {compare}"
        )
    return f"Compared with the stack's state, not with Descope (no --refresh). {compare}"
