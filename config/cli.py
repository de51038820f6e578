"""``python -m config``: validate a configuration file, or print the JSON Schema.

    python -m config validate PATH [--flows-dir DIR] [--var key=value ...] [--secret NAME ...]
    python -m config schema [--output FILE] [--check]

``schema`` prints the schema on standard output; ``--output FILE`` writes it to FILE instead
(the committed one: ``--output config/tenants.schema.json``); ``--check`` only compares it with
FILE (by default the committed one).

Exit status: 0 valid (or schema up to date), 1 problems found (or schema out of date),
2 wrong usage. No input produces a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from config.configuration import load_configuration
from config.document import json_schema_text
from config.errors import ConfigurationErrors
from config.variables import parse_assignment

if TYPE_CHECKING:
    from collections.abc import Sequence

SCHEMA_FILE = Path(__file__).with_name("tenants.schema.json")
"""The committed JSON Schema of the configuration format."""


STACK_HINT = (
    "Checking a stack's file? `python -m ops validate --stack <stack>` reads its ${...} "
    "variables and flows folder from Pulumi.<stack>.yaml; here, pass them with --var KEY=VALUE, "
    "--secret NAME (a stack secret an SSO clientSecret names) and --flows-dir DIR."
)
"""Said after problems when the check ran without variables or a flows folder."""


def _variable(text: str) -> tuple[str, str]:
    try:
        return parse_assignment(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m config", description="Check or describe Descope configuration files."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="validate a stack's configuration file")
    validate.add_argument("path", type=Path, help="the YAML file, e.g. config/tenants/dev.yaml")
    validate.add_argument(
        "--flows-dir", type=Path, help="folder of flow and theme files (stack's flowsDir)"
    )
    validate.add_argument(
        "--var",
        type=_variable,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a ${KEY} substitution value, as the stack's descope-config:KEY; repeatable",
    )
    validate.add_argument(
        "--secret",
        action="append",
        default=[],
        metavar="NAME",
        help="descope-config:NAME is a stack secret (an SSO clientSecret may name it; its value "
        "is not needed); repeatable",
    )
    schema = commands.add_parser(
        "schema", help="print the JSON Schema of the YAML format (or write it with --output)"
    )
    schema.add_argument(
        "--output",
        type=Path,
        metavar="FILE",
        help=f"write it to FILE instead of printing it (the committed one: {_shown(SCHEMA_FILE)})",
    )
    schema.add_argument(
        "--check",
        action="store_true",
        help=f"only check that FILE (default {_shown(SCHEMA_FILE)}) is up to date",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    if args.command == "validate":
        return _validate(args.path, args.flows_dir, dict(args.var), args.secret)
    if args.check:
        return _check_schema(args.output or SCHEMA_FILE)
    return _schema(args.output)


def _validate(
    path: Path, flows_dir: Path | None, variables: dict[str, str], secrets: list[str]
) -> int:
    try:
        configuration = load_configuration(
            path, variables=variables, flows_dir=flows_dir, secret_variables=secrets
        )
    except ConfigurationErrors as exc:
        print(exc, file=sys.stderr)
        if not variables or flows_dir is None:
            print(STACK_HINT, file=sys.stderr)
        return 1
    tenants = len(configuration.tenants)
    flows = len(configuration.flows)
    print(
        f"{path}: {tenants} tenant{'' if tenants == 1 else 's'}, "
        f"{flows} flow{'' if flows == 1 else 's'}, "
        f"theme: {'yes' if configuration.theme else 'no'} — valid"
    )
    return 0


def _shown(path: Path) -> str:
    """`path` relative to the working folder when inside it (as a person would type it)."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _check_schema(path: Path) -> int:
    """0 when `path` holds the schema the models give; 1 (saying how to update it) otherwise."""
    try:
        current = path.read_text(encoding="utf-8")
    except OSError as exc:
        print(f"{path}: cannot be read ({exc.strerror or exc}).", file=sys.stderr)
        return 1
    if current != json_schema_text():
        print(
            f"{path} is out of date with the models. "
            f"Run: python -m config schema --output {_shown(path)}",
            file=sys.stderr,
        )
        return 1
    print(f"{path}: up to date")
    return 0


def _schema(output: Path | None) -> int:
    """Print the schema, or write it to `output`."""
    text = json_schema_text()
    if output is None:
        sys.stdout.write(text)
        return 0
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"{output}: cannot be written ({exc.strerror or exc}).", file=sys.stderr)
        return 1
    print(f"{output}: written")
    return 0
