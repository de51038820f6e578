"""A stack's own settings (``descope-config:*``): their names, defaults and checks, in one place.

The Pulumi program reads the values from the engine, ``python -m ops`` from
``Pulumi.<stack>.yaml``; both hand them here, without the ``descope-config:`` prefix, and get the
same `StackOptions` or the same problems. Any key that is not a setting is a ``${name}``
variable for the tenants YAML and the flow and theme files.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from config.configuration import Configuration
from config.errors import ConfigProblem, ConfigurationErrors
from model.ownership import KINDS, named_kinds

PROJECT = "descope-config"
"""The project's config namespace (the name in Pulumi.yaml)."""
SETTINGS = (
    "tenantsFile",
    "flowsDir",
    "protect",
    "retainOnDelete",
    "backupDir",
    "allowDuplicateSSODomains",
    "manageAttributeDefinitions",
    "leaveUnmanaged",
)
"""The keys that are settings; every other key of the namespace is a variable."""
PROVIDER_NAMESPACE = "descope"
PROVIDER_SETTINGS = ("projectId", "managementKey", "baseUrl")
"""The ``descope:*`` keys the providers read (`providers.client`); no other key is one."""
SETTING_DESCRIPTIONS = {
    "descope:projectId": "The Descope project (else the environment's DESCOPE_PROJECT_ID).",
    "descope:managementKey": "The management key: a secret, set with `pulumi config set "
    "--secret descope:managementKey ...` (else the environment's DESCOPE_MANAGEMENT_KEY). "
    "The emulator's stack may hold its well-known key in plain text.",
    "descope:baseUrl": "The API's address: unset for Descope itself, the emulator's for the "
    "emulator, such as http://127.0.0.1:8787 (else the environment's DESCOPE_BASE_URI).",
    "descope-config:tenantsFile": "The stack's configuration file (default "
    "config/tenants/<stack>.yaml), relative to the project folder.",
    "descope-config:flowsDir": "The folder of the flow and theme files; `file:` entries "
    "resolve inside it (default: the configuration file's folder).",
    "descope-config:protect": "Protect every resource: removing one from the file is refused "
    "(true or false; default true on prod). A tenant's `protect` overrides it.",
    "descope-config:retainOnDelete": "Removing a resource from the file only stops managing "
    "it (true or false; default true on prod). A tenant's `retainOnDelete` overrides it.",
    "descope-config:backupDir": "Where snapshots are written before anything destructive "
    "(default backups/<stack>).",
    "descope-config:allowDuplicateSSODomains": "The Descope project lets two tenants hold one "
    "SSO domain (its allowDuplicateSSODomainsInOtherTenants setting; default false).",
    "descope-config:manageAttributeDefinitions": "Create, update and delete the "
    "tenantAttributes: definitions in Descope (true or false; default false: they are only "
    "checked against the tenants). Writes through the project configuration endpoint, which "
    "Descope does not publish: read Managing the definitions (configuration page) first.",
    "descope-config:leaveUnmanaged": "Kinds another tool owns (Descope's Terraform/Pulumi "
    "provider, say), that this stack never writes, deletes nor compares: any of "
    + ", ".join(KINDS)
    + ", as a list or comma-separated text (default: none). The configuration file may then "
    "declare none of them. See the page on living beside the official provider.",
}
"""What each setting (`SETTINGS`, `PROVIDER_SETTINGS`, with their namespace) means, for the
documentation's configuration reference."""
PROTECTED_STACKS = frozenset({"prod"})
"""Stacks that protect and retain by default, when protect/retainOnDelete are not set."""


@dataclass(frozen=True)
class StackOptions:
    """What a stack's settings mean, defaults applied. Paths are as written (relative to the
    project folder unless absolute)."""

    stack: str
    tenants_file: Path
    flows_dir: Path | None
    protect: bool
    retain_on_delete: bool
    backup_dir: Path
    variables: dict[str, str]
    secret_variables: frozenset[str] = frozenset()
    """The variables set as stack secrets (`secret_variable_names`): only an SSO client
    secret may name one, and it may name no other."""
    plain_secrets_allowed: bool = False
    """The emulator's stack (`is_emulator_stack`): a client secret may also name a plain
    variable."""
    allow_duplicate_sso_domains: bool = False
    """``descope-config:allowDuplicateSSODomains``: the Descope project lets two tenants hold
    one SSO domain (its ``allowDuplicateSSODomainsInOtherTenants`` setting; off by default)."""
    manage_attribute_definitions: bool = False
    """``descope-config:manageAttributeDefinitions``: the ``tenantAttributes:`` declarations
    are definitions to create, update and delete (`providers.attribute_definition`), not only
    checks (off by default)."""
    unmanaged: frozenset[str] = frozenset()
    """``descope-config:leaveUnmanaged``: the kinds (`KINDS`) another tool owns; the program
    registers none of them and ``ops`` does not compare them."""

    def manages(self, kind: str) -> bool:
        """Whether this stack manages `kind` (one of `KINDS`)."""
        return kind not in self.unmanaged


def stack_options(
    stack: str,
    values: Mapping[str, str],
    *,
    source: Path,
    secret_variables: Collection[str] = (),
    plain_secrets_allowed: bool = False,
    config_keys: Collection[str] = (),
) -> StackOptions:
    """The settings of `stack` from its ``descope-config:*`` `values` (keys unprefixed).

    `secret_variables` are the variables set as stack secrets (`secret_variable_names`);
    `plain_secrets_allowed` says the stack is the emulator's (`is_emulator_stack`);
    `config_keys` are all of the stack's config keys, namespaced, to check the ``descope:*``
    ones against `PROVIDER_SETTINGS`.

    Raises `ConfigurationErrors` naming `source` (the stack's file) and each bad setting: a
    flag that is not true or false, or a key that looks like a misspelt setting (it would
    otherwise pass as a variable, and a misspelt retainOnDelete could delete tenants).
    """
    problems: list[ConfigProblem] = []

    def problem(key: str, message: str) -> None:
        problems.append(ConfigProblem(source, None, f"stack {stack}", f"{PROJECT}:{key}", message))

    def flag(key: str, default: bool | None = None) -> bool:
        text = values.get(key)
        if text is None or text.strip() == "":
            return stack in PROTECTED_STACKS if default is None else default
        if text.strip().lower() not in ("true", "false"):
            problem(key, f'is "{text}": write true or false.')
        return text.strip().lower() == "true"

    for full in sorted(config_keys):
        namespace, _, key = full.partition(":")
        if namespace == PROVIDER_NAMESPACE and key not in PROVIDER_SETTINGS:
            close = difflib.get_close_matches(key, PROVIDER_SETTINGS, n=1, cutoff=0.6)
            hint = f" Did you mean {PROVIDER_NAMESPACE}:{close[0]}?" if close else ""
            problems.append(
                ConfigProblem(
                    source,
                    None,
                    f"stack {stack}",
                    full,
                    f"is not a setting of the Descope providers, which read only "
                    f"{', '.join(f'{PROVIDER_NAMESPACE}:{k}' for k in PROVIDER_SETTINGS)}."
                    f"{hint} Fix the key's spelling or remove it.",
                )
            )
    for key in values:
        close = difflib.get_close_matches(key, SETTINGS, n=1, cutoff=0.8)
        if key not in SETTINGS and close:
            problem(
                key,
                f"looks like a misspelling of {PROJECT}:{close[0]}; as written it is only a "
                "${...} variable and the setting keeps its default. Fix the key's spelling.",
            )
    options = StackOptions(
        stack=stack,
        tenants_file=Path(values.get("tenantsFile") or f"config/tenants/{stack}.yaml"),
        flows_dir=Path(values["flowsDir"]) if values.get("flowsDir") else None,
        protect=flag("protect"),
        retain_on_delete=flag("retainOnDelete"),
        backup_dir=Path(values.get("backupDir") or f"backups/{stack}"),
        variables={k: v for k, v in values.items() if k not in SETTINGS},
        secret_variables=frozenset(secret_variables) - set(SETTINGS),
        plain_secrets_allowed=plain_secrets_allowed,
        allow_duplicate_sso_domains=flag("allowDuplicateSSODomains", default=False),
        manage_attribute_definitions=flag("manageAttributeDefinitions", default=False),
        unmanaged=_kinds(values.get("leaveUnmanaged"), lambda m: problem("leaveUnmanaged", m)),
    )
    if options.manage_attribute_definitions and not options.manages("tenantAttributes"):
        problem(
            "manageAttributeDefinitions",
            "is true, but leaveUnmanaged names tenantAttributes: the definitions cannot be "
            "written here and left to another tool. Set one of the two.",
        )
    if problems:
        raise ConfigurationErrors(problems)
    return options


def _kinds(text: str | None, problem: Callable[[str], None]) -> frozenset[str]:
    """The kinds ``leaveUnmanaged`` names (`model.ownership.named_kinds`); each unknown one is
    reported with the closest kind."""
    names = named_kinds(text)
    if names is None:
        problem(f'is "{text}": write a list of kinds, or the kinds separated by commas.')
        return frozenset()
    kinds: set[str] = set()
    for name in names:
        if isinstance(name, str) and name in KINDS:
            kinds.add(name)
            continue
        close = difflib.get_close_matches(str(name), KINDS, n=1, cutoff=0.6)
        hint = f' Did you mean "{close[0]}"?' if close else ""
        problem(
            f'names "{name}", which is not a kind this program manages.{hint} The kinds: '
            f"{', '.join(KINDS)}."
        )
    return frozenset(kinds)


MANAGEMENT_KEY = "descope:managementKey"
_LOOPBACK_URL = re.compile(r"https?://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?/?")


def plaintext_key_warning(
    stack: str, config: Mapping[str, object], secret_keys: Collection[str]
) -> str | None:
    """The warning for a stack that holds its management key in plain text, or None.

    Pulumi stores the whole stack config in the state (the default provider's inputs),
    encrypted only where it was set with ``--secret``. A key in plain text is then in
    ``Pulumi.<stack>.yaml`` and in every state backup. The emulator's well-known key (a stack
    whose ``descope:baseUrl`` is a loopback address) is no secret.
    """
    if MANAGEMENT_KEY not in config or MANAGEMENT_KEY in secret_keys:
        return None
    if is_emulator_stack(config):
        return None
    return (
        f"Stack {stack} holds {MANAGEMENT_KEY} in plain text: it is in Pulumi.{stack}.yaml and "
        "Pulumi records it, unencrypted, in the stack's state. Set it as a secret with "
        f"`pulumi config set --secret {MANAGEMENT_KEY} <key>` (Pulumi then encrypts it in "
        "both), or remove it and export DESCOPE_MANAGEMENT_KEY instead; then rotate the key, "
        "since the old one may be in state backups."
    )


def secret_variable_names(secret_keys: Collection[str]) -> frozenset[str]:
    """The ``descope-config:*`` variables set as stack secrets (``pulumi config set
    --secret``), by name: the ones an SSO client secret may come from, and the only ones."""
    prefix = f"{PROJECT}:"
    return frozenset(key.removeprefix(prefix) for key in secret_keys if key.startswith(prefix))


def is_emulator_stack(config: Mapping[str, object]) -> bool:
    """Whether the stack's ``descope:baseUrl`` is a loopback address: the local emulator, whose
    well-known key and client secrets protect nothing, and may be kept in plain text (a stack
    whose file is read without the pulumi CLI, as ``make demo`` does, cannot decrypt them)."""
    return is_loopback_url(str(config.get("descope:baseUrl") or ""))


def is_loopback_url(url: str) -> bool:
    """Whether `url` is on a loopback address (``127.0.0.1``, ``localhost``, ``[::1]``)."""
    return _LOOPBACK_URL.match(url) is not None


def project_values(config: Mapping[str, object]) -> dict[str, str]:
    """The ``descope-config:*`` entries of a full config mapping, unprefixed, as text."""
    prefix = f"{PROJECT}:"
    return {
        key.removeprefix(prefix): config_text(value)
        for key, value in config.items()
        if key.startswith(prefix) and value is not None
    }


def config_text(value: object) -> str:
    """A config value as Pulumi hands it to a program: booleans as ``true``/``false``, a list
    as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value)
    return str(value)


def check_for_stack(options: StackOptions, configuration: Configuration) -> None:
    """The rules that need both the stack's settings and its configuration.

    A tenant whose id changes (``previousId``) is replaced: deleted, then created under the new
    id. Where removal only stops managing (``retainOnDelete`` in effect for the tenant), the old
    tenant is kept, still holding the name, and the create is refused: say so before anything
    runs. Each kind the stack leaves unmanaged (`StackOptions.unmanaged`) must not be declared
    (`unmanaged_declared`). Raises `ConfigurationErrors` naming each such tenant and entry.
    """
    problems = unmanaged_declared(options, configuration)
    for spec in configuration.tenants:
        retained = (
            spec.retainOnDelete if spec.retainOnDelete is not None else options.retain_on_delete
        )
        protected = spec.protect if spec.protect is not None else options.protect
        if spec.previousId is not None and retained:
            first = "`retainOnDelete: false`" + (" and `protect: false`" if protected else "")
            problems.append(
                ConfigProblem(
                    configuration.source,
                    configuration.tenant_lines.get(spec.id),
                    f'tenant "{spec.id}"',
                    "previousId",
                    f'changing the id from "{spec.previousId}" replaces the tenant, but stack '
                    f"{options.stack} keeps removed tenants (retainOnDelete), so the old tenant "
                    "would keep its name and the new one be refused. First set "
                    f"{first} on the entry (id still {spec.previousId}, no previousId) and run "
                    "`pulumi up`; then change the id with previousId.",
                )
            )
    if problems:
        raise ConfigurationErrors(problems)


def unmanaged_declared(options: StackOptions, configuration: Configuration) -> list[ConfigProblem]:
    """A problem for each kind the stack leaves unmanaged that the configuration declares.

    Refused rather than ignored: an entry this stack would not apply is a statement the file
    makes and Descope does not keep (another tool owns that kind), which the next reader would
    believe. Each names the line of the key, what owns the kind, and the two ways out.
    """
    source = configuration.source
    setting = f"{PROJECT}:leaveUnmanaged in Pulumi.{options.stack}.yaml"
    problems: list[ConfigProblem] = []

    def refuse(kind: str, line: int | None, subject: str, what: str) -> None:
        problems.append(
            ConfigProblem(
                source,
                line,
                subject,
                kind,
                f"declares {what}, but stack {options.stack} leaves {kind} unmanaged ({setting}"
                "): another tool owns them, and this stack does not manage them. Remove the "
                f"`{kind}` entries from the file, or take {kind} out of leaveUnmanaged to "
                "manage them here.",
            )
        )

    def key_line(key: str) -> int | None:
        return configuration.key_lines.get(key)

    declared: dict[str, tuple[bool, str]] = {
        "permissions": (
            configuration.permissions is not None,
            f"{len(configuration.permissions or [])} permission(s)",
        ),
        "roles": (configuration.roles is not None, f"{len(configuration.roles or [])} role(s)"),
        "tenantAttributes": (
            configuration.tenant_attributes is not None,
            f"{len(configuration.tenant_attributes or {})} attribute definition(s)",
        ),
        "flows": (
            bool(configuration.flows),
            "the flow(s) " + ", ".join(f.id for f in configuration.flows),
        ),
        "theme": (configuration.theme is not None, "the theme"),
        "tenants": (
            bool(configuration.tenants),
            f"{len(configuration.tenants)} tenant(s)",
        ),
    }
    for kind, (present, what) in declared.items():
        if present and not options.manages(kind):
            refuse(kind, key_line(kind), "file", what)
    if not options.manages("accessKeys"):
        for tenant_id, keys in configuration.tenant_access_keys.items():
            refuse(
                "accessKeys",
                configuration.tenant_lines.get(tenant_id),
                f'tenant "{tenant_id}"',
                f"{len(keys)} access key(s)",
            )
    return sorted(problems, key=lambda p: p.line or 0)
