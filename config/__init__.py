"""The declarative configuration: one YAML file per stack declaring tenants, flows and theme.

`load_configuration` reads a file, substitutes ``${variables}``, validates everything (every
problem at once, each with file, line, subject and field) and returns a `Configuration`, or
raises `ConfigurationErrors`. `dump_tenants_yaml` writes the same format back.
`stack_options` reads a stack's own settings (``descope-config:*``).
"""

# ruff: noqa: E402
from __future__ import annotations

from requires_python import stop_if_too_old

# Before any import an older Python cannot take: one line, no traceback (E402 below: on purpose).
stop_if_too_old("python -m config")

from config.configuration import Configuration, FlowEntry, ThemeEntry, load_configuration
from config.document import json_schema, json_schema_text
from config.errors import ConfigProblem, ConfigurationErrors
from config.stack import (
    StackOptions,
    check_for_stack,
    config_text,
    is_emulator_stack,
    plaintext_key_warning,
    project_values,
    secret_variable_names,
    stack_options,
)
from config.writer import dump_tenants_yaml

__all__ = [
    "ConfigProblem",
    "Configuration",
    "ConfigurationErrors",
    "FlowEntry",
    "StackOptions",
    "ThemeEntry",
    "check_for_stack",
    "config_text",
    "dump_tenants_yaml",
    "is_emulator_stack",
    "json_schema",
    "json_schema_text",
    "load_configuration",
    "plaintext_key_warning",
    "project_values",
    "secret_variable_names",
    "stack_options",
]
