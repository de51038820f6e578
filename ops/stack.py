"""A stack's settings, read straight from ``Pulumi.<stack>.yaml`` (no pulumi CLI needed).

Pulumi keeps a stack's configuration in ``Pulumi.<stack>.yaml`` beside ``Pulumi.yaml``:
``config: {"<namespace>:<key>": value}``, where a key without a namespace belongs to the
project, and a secret is ``{"secure": "v1:..."}``, encrypted by the stack's secrets provider.
These commands cannot decrypt secrets: for an encrypted ``descope:managementKey`` they fall back
to the ``DESCOPE_MANAGEMENT_KEY`` environment variable and say so. Defaults declared in
``Pulumi.yaml``'s ``config:`` block apply when the stack file does not set a key.

Connection settings are resolved by `providers.client.resolve_settings`, so these commands
reach the same Descope project as the providers under ``pulumi up``.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from config import (
    Configuration,
    StackOptions,
    check_for_stack,
    config_text,
    load_configuration,
    project_values,
    stack_options,
)
from config.stack import PROJECT, is_emulator_stack, secret_variable_names
from ops.errors import OpsError
from providers.client import ConnectionSettings, resolve_settings
from providers.errors import ConfigurationError

CONFIG_NAMESPACE = PROJECT
MANAGEMENT_KEY = "descope:managementKey"
_STACK_NAME_RE = re.compile(r"[A-Za-z0-9_.-]{1,100}")
_CONNECTION_KEYS = ("descope:projectId", MANAGEMENT_KEY, "descope:baseUrl")


def _read_yaml(path: Path, what: str) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise OpsError(f"Cannot read {what} {path}: {exc.strerror or exc}.") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise OpsError(f"{path} is not valid YAML ({exc}). Fix the file and run again.") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise OpsError(f"{path} must hold a YAML mapping (config: ...), not {type(data).__name__}.")
    return data


@dataclass(frozen=True)
class StackSettings:
    """One stack's configuration as its ``Pulumi.<stack>.yaml`` (and Pulumi.yaml) declare it.

    Read once (`load_stack`) and passed to every command: the plain values (`config`), the
    program's own settings (`options`, worked out once), the connection (`connection`,
    `provider_config`) and what the stand-in engine sends (`engine_config`,
    `engine_secret_keys`) all come from this one object.
    """

    name: str
    project_dir: Path
    file: Path
    """The ``Pulumi.<stack>.yaml`` file."""
    config: Mapping[str, str]
    """Plain (not encrypted) values by fully namespaced key (``descope-config:protect``)."""
    secure_keys: frozenset[str] = frozenset()
    """Keys whose value is an encrypted secret these commands cannot read."""
    notes: list[str] = field(default_factory=list)
    """What the user should know about how settings were found (filled by `connection`)."""

    def get(self, key: str) -> str | None:
        return self.config.get(key)

    @cached_property
    def options(self) -> StackOptions:
        """The stack's own settings as the program reads them (`config.stack_options`), worked
        out on first use.

        Raises `config.ConfigurationErrors` naming the stack file and each bad setting.
        """
        return stack_options(
            self.name,
            project_values(self.config),
            source=self.file,
            secret_variables=secret_variable_names(self.secure_keys),
            plain_secrets_allowed=self.is_emulator,
            config_keys=set(self.config) | self.secure_keys,
        )

    @property
    def is_emulator(self) -> bool:
        """Whether this is a local emulator's stack (``descope:baseUrl`` on loopback)."""
        return is_emulator_stack(self.config)

    def _in_project(self, path: Path) -> Path:
        return path if path.is_absolute() else self.project_dir / path

    @property
    def tenants_file(self) -> Path:
        """The YAML file declaring this stack's tenants, flows and theme."""
        return self._in_project(self.options.tenants_file)

    @property
    def flows_dir(self) -> Path | None:
        """``descope-config:flowsDir``, if set: flow and theme files are resolved against it."""
        flows_dir = self.options.flows_dir
        return self._in_project(flows_dir) if flows_dir is not None else None

    @property
    def files_base(self) -> Path:
        """Where flow and theme files are resolved: flowsDir, else the tenants file's folder."""
        return self.flows_dir or self.tenants_file.parent

    @property
    def backup_dir(self) -> Path:
        """Where backups go (``descope-config:backupDir``, default ``backups/<stack>``)."""
        return self._in_project(self.options.backup_dir)

    @property
    def variables(self) -> dict[str, str]:
        """The ``${name}`` variables for the tenants YAML and the flow and theme files (the
        namespace's non-setting keys)."""
        return self.options.variables

    def connection(self, environ: Mapping[str, str] | None = None) -> ConnectionSettings:
        """Where and as whom to reach Descope, as the providers would resolve it.

        An encrypted management key is replaced by ``DESCOPE_MANAGEMENT_KEY`` (noted in
        `notes`). Raises `OpsError` naming the setting when one is missing or malformed.
        """
        env = os.environ if environ is None else environ
        plain = {k: self.config.get(k) for k in _CONNECTION_KEYS}
        if MANAGEMENT_KEY in self.secure_keys:
            if not env.get("DESCOPE_MANAGEMENT_KEY"):
                raise OpsError(
                    f"{MANAGEMENT_KEY} in {self.file.name} is an encrypted secret, which these "
                    "commands cannot decrypt without the pulumi CLI. Export "
                    "DESCOPE_MANAGEMENT_KEY=<the key> in this shell and run again."
                )
            note = (
                f"{MANAGEMENT_KEY} in {self.file.name} is encrypted; using the "
                "DESCOPE_MANAGEMENT_KEY environment variable instead."
            )
            if note not in self.notes:
                self.notes.append(note)
                print(f"note: {note}", file=sys.stderr)
        try:
            return resolve_settings(plain, env)
        except ConfigurationError as exc:
            raise OpsError(f"Stack {self.name} ({self.file.name}): {exc}") from None

    def provider_config(self, environ: Mapping[str, str] | None = None) -> dict[str, str]:
        """The stack config for the providers' ``configure``: the connection settings the stack
        sets in plain text, checked first (`connection`).

        What the stack does not set in plain text (an encrypted key, which these commands cannot
        decrypt; a setting left out) is not filled in here: `providers.client` takes it from
        the environment (``DESCOPE_MANAGEMENT_KEY``...) and records that as its source, so an
        error names where the setting really came from.
        """
        self.connection(environ)
        return {key: value for key in _CONNECTION_KEYS if (value := self.config.get(key))}

    def engine_config(self) -> dict[str, str]:
        """The whole stack config as the engine sends it in Configure (the key included), the
        connection settings checked first (`provider_config`)."""
        return {**self.config, **self.provider_config()}

    def engine_secret_keys(self, configuration: Configuration) -> tuple[str, ...]:
        """The stack config the engine holds as secrets: the management key, and every
        variable `configuration` names as an OIDC client secret (as ``pulumi config set
        --secret`` makes them; on the emulator's stack they may be written in plain text). The
        stand-in's state records them as fingerprints only."""
        names = {
            name
            for tenant_id, sso in configuration.tenant_sso.items()
            for _, name in sso.specs(tenant_id)
            if name is not None
        }
        return (MANAGEMENT_KEY, *sorted(f"{PROJECT}:{name}" for name in names))


def known_stacks(project_dir: Path) -> list[str]:
    """Stack names that have a ``Pulumi.<stack>.yaml`` in `project_dir`."""
    return sorted(
        p.name.removeprefix("Pulumi.").removesuffix(".yaml")
        for p in project_dir.glob("Pulumi.*.yaml")
    )


def load_stack(name: str, project_dir: Path | None = None) -> StackSettings:
    """Read stack `name`'s settings from `project_dir` (default: the current directory)."""
    root = (project_dir or Path.cwd()).resolve()
    if not _STACK_NAME_RE.fullmatch(name):
        raise OpsError(f'"{name}" is not a stack name: use letters, digits, ".", "-" or "_".')
    project_file = root / "Pulumi.yaml"
    if not project_file.is_file():
        raise OpsError(
            f"No Pulumi.yaml in {root}: run this command from the project folder "
            "(the one holding Pulumi.yaml) or pass --project-dir."
        )
    project = _read_yaml(project_file, "the project file")
    stack_file = root / f"Pulumi.{name}.yaml"
    if not stack_file.is_file():
        stacks = ", ".join(known_stacks(root)) or "none"
        raise OpsError(
            f"No stack file {stack_file.name} in {root} (stacks with a file: {stacks}). "
            f"Check the --stack name, or create the stack with `pulumi stack init {name}`."
        )
    project_name = str(project.get("name") or CONFIG_NAMESPACE)
    values: dict[str, str] = {}
    declared = project.get("config") or {}
    if isinstance(declared, dict):
        for key, spec in declared.items():
            full = key if ":" in str(key) else f"{project_name}:{key}"
            if isinstance(spec, dict) and "default" in spec:
                values[full] = config_text(spec["default"])
            elif spec is not None and not isinstance(spec, dict | list):
                values[full] = config_text(spec)
    stack = _read_yaml(stack_file, "the stack file")
    config = stack.get("config") or {}
    if not isinstance(config, dict):
        raise OpsError(f"{stack_file.name}: config must be a mapping of key: value.")
    secure: set[str] = set()
    for key, value in config.items():
        full = key if ":" in str(key) else f"{project_name}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            secure.add(full)
            values.pop(full, None)
        elif value is not None and not isinstance(value, dict):
            values[full] = config_text(value)  # a list as JSON, as Pulumi hands it over
    return StackSettings(name, root, stack_file, values, frozenset(secure))


def load_stack_configuration(
    stack: StackSettings, *, secrets_to_set: Collection[str] = ()
) -> Configuration:
    """The stack's configuration (tenants, flows, theme), as the Pulumi program loads it.

    `secrets_to_set` are stack secrets the caller knows are still to be set (a restored SSO
    client secret): a reference to one is not a problem here. Raises
    `config.ConfigurationErrors` listing every problem, each with file and line.
    """
    options = stack.options
    configuration = load_configuration(
        stack.tenants_file,
        variables=stack.variables,
        flows_dir=stack.flows_dir,
        secret_variables=options.secret_variables | set(secrets_to_set),
        plain_secrets_allowed=options.plain_secrets_allowed,
        allow_duplicate_sso_domains=options.allow_duplicate_sso_domains,
    )
    check_for_stack(options, configuration)
    return configuration
