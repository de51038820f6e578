"""`python -m ops <command>`: the operations around the Pulumi program.

    preview       what `up` would change (pulumi preview; offline: the stand-in engine)
    up            apply the configuration (pulumi up; offline: the stand-in engine)
    refresh       record in the state what Descope holds now (pulumi refresh)
    destroy       delete every resource of the stack (pulumi destroy)
    validate      check the stack's configuration as `pulumi preview` would load it
    export        write an existing project's tenants, flows and theme as code (adopt: true)
    report        how Descope differs from the configuration: unmanaged, missing, drifted
    backup        every managed tenant, every flow and the theme, as Descope holds them now
    stack-backup  `pulumi stack export` of the stack's state (needs the pulumi CLI)
    restore       put a tenant's or flow's content from a backup back into code
    sso-link      generate (or revoke) the link a customer sets up its own SSO with
    demo          start the emulator and deploy the dev stack to it
    emulator      run the stack's emulator until Ctrl-C
    cancel        remove the lock a stand-in run left on the stack (a run that was killed)

Every foreseen failure prints one message naming the file, stack, tenant, flow or setting and
what to do, and exits 1 (130 for a run stopped by Ctrl-C). The management key is never printed
nor written. An unforeseen one is a bug: it prints one line asking for a report and exits 1
(``DESCOPE_CONFIG_DEBUG=1`` shows the traceback). The Descope SDK's own log lines below ERROR
(its license handshake warning, which precedes every connection error) are not shown: the
command's error says what went wrong.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from config import ConfigurationErrors, plaintext_key_warning
from config.variables import parse_assignment
from model.text import shown_lines
from ops.stack import StackSettings, load_stack, load_stack_configuration
from providers.errors import DescopeProviderError
from standin.errors import Interrupted, StandinError


def _variable(text: str) -> tuple[str, str]:
    try:
        return parse_assignment(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ops",
        description="Operations around the Descope Pulumi program: preview, up, refresh, "
        "destroy, export, report, backup, restore, demo.",
    )
    parser.add_argument(
        "--project-dir",
        type=Path,
        default=None,
        help="the folder holding Pulumi.yaml (default: the current folder)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, text: str, default_stack: str | None = None) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=text, description=text)
        sub.add_argument(
            "--stack",
            required=default_stack is None,
            default=default_stack,
            help="the stack, whose settings are in Pulumi.<stack>.yaml",
        )
        return sub

    for verb, text in VERB_HELP.items():
        _verb_flags(command(verb, text), verb)

    command("validate", "Check the stack's configuration; nothing is contacted or changed.")

    export = command("export", "Write the project's tenants, flows and theme as code.")
    export.add_argument("--out", type=Path, help="tenants YAML to write (default: tenantsFile)")
    export.add_argument("--flows-dir", type=Path, help="where flow files go (default: flowsDir)")
    export.add_argument("--force", action="store_true", help="overwrite existing files")
    export.add_argument(
        "--write-invalid",
        action="store_true",
        help="when Descope holds values the configuration does not accept (an export then "
        "writes nothing and exits 1), write those tenants as Descope holds them anyway and exit "
        "0 with a warning listing them; `python -m ops validate` then lists what to fix in the "
        "file before `pulumi up` accepts it",
    )
    export.add_argument(
        "--var",
        type=_variable,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="write ${NAME} into flow and theme files where a string holds VALUE (as a whole or "
        "as a part; the longest value first; values shorter than 4 characters never); "
        "repeatable; wins over the stack's own descope-config:NAME",
    )
    export.add_argument(
        "--no-vars",
        action="store_true",
        help="do not write the stack's own descope-config:* variables back (only --var ones)",
    )

    report = command(
        "report",
        "How Descope differs from the configuration: unmanaged tenants and flows, declared ones "
        "missing, and the fields, screens and theme parts that drifted.",
    )
    report.add_argument(
        "--fail-on-unmanaged",
        action="store_true",
        help="exit 1 when Descope holds tenants or flows the configuration does not manage",
    )
    report.add_argument(
        "--fail-on-drift",
        action="store_true",
        help="exit 1 when a managed tenant, flow or the theme differs in Descope from the "
        "configuration, or a declared one is missing",
    )
    report.add_argument(
        "--json",
        action="store_true",
        help="write the report as one JSON document (format descope-config-report/1) on stdout",
    )

    command("backup", "Save managed tenants, every flow and the theme into one JSON file.")
    command("stack-backup", "Save the stack's Pulumi state with `pulumi stack export`.")

    restore = command(
        "restore",
        "Put tenants, roles, permissions, flows or the theme from a backup back into the "
        "YAML/files.",
    )
    restore.add_argument(
        "source",
        type=Path,
        help="a provider snapshot, a full backup (`backup`) or a `pulumi stack export` file",
    )
    restore.add_argument("--tenant", action="append", default=[], metavar="ID")
    restore.add_argument(
        "--role",
        action="append",
        default=[],
        metavar="NAME",
        help="a project role; TENANT/NAME for a tenant's own role",
    )
    restore.add_argument("--permission", action="append", default=[], metavar="NAME")
    restore.add_argument("--flow", action="append", default=[], metavar="ID")
    restore.add_argument(
        "--theme", action="store_true", help="the theme, into the configuration's theme file"
    )
    restore.add_argument(
        "--all",
        action="store_true",
        help="every tenant, role, permission and flow in SOURCE, and its theme",
    )
    restore.add_argument(
        "--no-roles",
        dest="with_roles",
        action="store_false",
        help="restore each --tenant without its own roles (those in SOURCE are restored with "
        "it by default; --role TENANT/NAME still restores one)",
    )
    restore.add_argument(
        "--no-sso",
        dest="with_sso",
        action="store_false",
        help="restore each --tenant without its SSO configurations (restored with it by "
        "default); its sso: is left as it is",
    )
    restore.add_argument(
        "--from-other-stack",
        action="store_true",
        help="accept a SOURCE taken from another stack or Descope project (refused otherwise)",
    )
    restore.add_argument("--force", action="store_true", help="overwrite local edits")

    link = command(
        "sso-link",
        "Generate (or revoke) the SSO Setup Suite link of a tenant whose customer manages its SSO.",
    )
    link.add_argument("--tenant", required=True, metavar="ID")
    link.add_argument(
        "--sso-id", metavar="ID", help="one SSO configuration (default: the tenant's)"
    )
    link.add_argument(
        "--expires-in",
        type=_duration,
        default=None,
        metavar="DURATION",
        help="how long the link works: seconds, or 90m, 6h, 2d (default 6h, at most 30d)",
    )
    link.add_argument("--email", help="the customer's admin the link is for (optional)")
    link.add_argument("--revoke", action="store_true", help="revoke the tenant's links instead")

    demo = command("demo", "Start the emulator and deploy the stack's configuration to it.", "dev")
    demo.add_argument(
        "--fresh",
        action="store_true",
        help="start from an empty emulator project and an empty stand-in state",
    )
    serve = command(
        "emulator",
        "Run the stack's local emulator in the foreground (its project kept in "
        ".pulumi-local/emulator-<stack>.json) until Ctrl-C.",
        "dev",
    )
    serve.add_argument(
        "--fresh", action="store_true", help="start from an empty emulator project and state"
    )
    command(
        "cancel",
        "Remove the lock a stand-in run left on the stack (`.pulumi-local/standin-<stack>.lock`) "
        "when that run is no longer running.",
    )
    return parser


VERB_HELP = {
    "preview": "Show what `up` would change, field by field; changes nothing (pulumi preview, or "
    "the stand-in engine without the pulumi CLI).",
    "up": "Apply the configuration to Descope (pulumi up, or the stand-in engine).",
    "refresh": "Record in the stack's state what Descope holds now (pulumi refresh).",
    "destroy": "Delete every resource of the stack from Descope (pulumi destroy).",
}


def _verb_flags(sub: argparse.ArgumentParser, verb: str) -> None:
    """The flags of `preview`, `up`, `refresh` and `destroy` (pulumi's, same meanings)."""
    sub.add_argument("--diff", action="store_true", help="show the changed values in full")
    if verb in ("preview", "up"):
        sub.add_argument(
            "--refresh",
            action="store_true",
            help="read Descope first, so console and API edits show (and, with up, are undone)",
        )
    if verb != "preview":
        sub.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    sub.add_argument(
        "--expect-no-changes",
        action="store_true",
        help="exit 1 when anything changes (or would change)",
    )
    sub.add_argument(
        "--target",
        action="append",
        default=[],
        metavar="URN_OR_NAME",
        help="only this resource and what it depends on (repeatable; the pulumi CLI takes URNs)",
    )
    sub.add_argument(
        "--show-sames", action="store_true", help="list unchanged resources too (= same)"
    )


def _duration(text: str) -> int:
    from ops.deploy.sso_link import parse_duration  # noqa: PLC0415 - as the commands are

    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _run(args: argparse.Namespace) -> int:
    from ops.deploy import demo, sso_link, verbs  # noqa: PLC0415
    from ops.inspect import export, report  # noqa: PLC0415
    from ops.snapshots import backup, restore, stack_backup  # noqa: PLC0415
    from standin import state as standin_state  # noqa: PLC0415

    stack = load_stack(args.stack, args.project_dir)
    if args.command == "cancel":
        print(standin_state.cancel(stack.project_dir, stack.name))
        return 0
    if args.command in verbs.VERBS:
        return verbs.run(
            stack,
            verbs.Options(
                args.command,
                diff=args.diff,
                refresh=getattr(args, "refresh", False),
                yes=getattr(args, "yes", False),
                expect_no_changes=args.expect_no_changes,
                targets=tuple(args.target),
                show_sames=args.show_sames,
            ),
        )
    if args.command == "validate":
        return _validate(stack)
    if args.command == "export":
        return export.run(
            stack,
            out=args.out,
            flows_dir=args.flows_dir,
            force=args.force,
            write_invalid=args.write_invalid,
            variables=dict(args.var),
            stack_variables=not args.no_vars,
        )
    if args.command == "report":
        return report.run(
            stack,
            fail_on_unmanaged=args.fail_on_unmanaged,
            fail_on_drift=args.fail_on_drift,
            as_json=args.json,
        )
    if args.command == "backup":
        return backup.run(stack)
    if args.command == "stack-backup":
        path = stack_backup.stack_backup(stack)
        print(f"Wrote {path} (mode 0600). Restore the state with:")
        print(f"  pulumi stack import --stack {stack.name} --file {path}")
        return 0
    if args.command == "restore":
        return restore.run(
            stack,
            args.source,
            tenants=args.tenant,
            flows=args.flow,
            roles=args.role,
            permissions=args.permission,
            theme=args.theme,
            everything=args.all,
            force=args.force,
            with_roles=args.with_roles,
            with_sso=args.with_sso,
            from_other_stack=args.from_other_stack,
        )
    if args.command == "sso-link":
        return sso_link.run(
            stack,
            tenant=args.tenant,
            sso_id=args.sso_id,
            expires_in=args.expires_in or sso_link.DEFAULT_EXPIRY,
            email=args.email,
            revoke=args.revoke,
        )
    if args.command == "emulator":
        return demo.serve(stack, fresh=args.fresh)
    return demo.run(stack, fresh=args.fresh)


def _validate(stack: StackSettings) -> int:
    configuration = load_stack_configuration(stack)
    warning = plaintext_key_warning(stack.name, stack.config, stack.secure_keys)
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    print(
        f"Stack {stack.name}: {stack.tenants_file} is valid: "
        f"{len(configuration.tenants)} tenant(s), {len(configuration.flows)} flow(s), "
        f"theme {'managed' if configuration.theme else 'not managed'}."
    )
    return 0


DEBUG_VARIABLE = "DESCOPE_CONFIG_DEBUG"
"""Set (to anything but 0) to see the traceback of an unexpected error."""


def _debugging() -> bool:
    return os.environ.get(DEBUG_VARIABLE, "") not in ("", "0")


def _bug(exc: Exception) -> str:
    """One line for an exception nobody foresaw: what it was, and that it is a bug."""
    text = " ".join(str(exc).split()).rstrip(".") or "no message"
    return (
        f"error: {type(exc).__name__}: {text}. This is a bug in descope-config; please report "
        f"it (run with {DEBUG_VARIABLE}=1 for the traceback)."
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status (0 success, 1 failure, 2 usage)."""
    args = _parser().parse_args(argv)
    sdk_log = logging.getLogger("descope")
    level = sdk_log.level
    sdk_log.setLevel(logging.ERROR)
    try:
        return _run(args)
    except Interrupted as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except (StandinError, DescopeProviderError) as exc:
        print(f"error: {shown_lines(str(exc))}", file=sys.stderr)
    except ConfigurationErrors as exc:
        print(f"error: the configuration is not valid:\n{shown_lines(str(exc))}", file=sys.stderr)
    except KeyboardInterrupt:
        print("error: interrupted.", file=sys.stderr)
    except Exception as exc:
        if _debugging():
            raise
        print(shown_lines(_bug(exc)), file=sys.stderr)
    finally:
        sdk_log.setLevel(level)
    return 1
