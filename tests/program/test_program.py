"""The Pulumi program under Pulumi's mocks: what each example stack declares, and how."""

from __future__ import annotations

import asyncio
import runpy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime.stack import wait_for_rpcs

from model import AttributeDefinition
from providers.references import DIGEST_KEY, definitions_digest
from standin.program import registrations

REPO = Path(__file__).resolve().parents[2]
TENANT = "pulumi-python:dynamic/descope:Tenant"
FLOW = "pulumi-python:dynamic/descope:Flow"
THEME = "pulumi-python:dynamic/descope:Theme"


@dataclass
class Registration:
    type: str
    name: str
    inputs: dict[str, Any]
    protect: bool
    retain_on_delete: bool


class EchoMocks(pulumi.runtime.Mocks):
    """Resources come back with their inputs as outputs and their name as id."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return args.name, dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]]:
        return {}, []


@dataclass
class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The mock monitor, also keeping each registration's resource options."""

    registrations: list[Registration] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(EchoMocks())

    def RegisterResource(self, request: Any) -> Any:
        if request.type != "pulumi:pulumi:Stack":
            self.registrations.append(
                Registration(
                    request.type,
                    request.name,
                    rpc.deserialize_properties(request.object),
                    request.protect,
                    request.retainOnDelete,
                )
            )
        return super().RegisterResource(request)  # type: ignore[no-untyped-call]


OIDC_SECRET_KEY = "descope-config:globexOidcClientSecret"
OIDC_SECRET = "program-test-oidc-secret-4e1"
SECRET_KEYS = [OIDC_SECRET_KEY]
"""The stack secrets the example stacks set with `pulumi config set --secret`."""


def stack_config(stack: str) -> dict[str, str]:
    """The stack's Pulumi.<stack>.yaml config as the engine would pass it, with the stack
    secrets its configuration names (set with --secret, so not in the file)."""
    document = yaml.safe_load((REPO / f"Pulumi.{stack}.yaml").read_text())
    return {
        **{
            key: str(value).lower() if isinstance(value, bool) else str(value)
            for key, value in document["config"].items()
        },
        OIDC_SECRET_KEY: OIDC_SECRET,
    }


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def run_program(
    stack: str, config: dict[str, str], monitor: RecordingMonitor | None = None
) -> RecordingMonitor:
    """Run __main__.py under mocks for `stack` and wait until every registration is done."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    pulumi.runtime.set_all_config(config, SECRET_KEYS)
    monitor = monitor or RecordingMonitor()
    pulumi.runtime.set_mocks(
        monitor.mocks, project="descope-config", stack=stack, preview=False, monitor=monitor
    )
    try:
        runpy.run_path(str(REPO / "__main__.py"), run_name="__pulumi_program__")
        loop.run_until_complete(wait_for_rpcs())
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    return monitor


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_each_example_stack_declares_its_tenants_flows_and_theme(stack: str, in_repo: None) -> None:
    monitor = run_program(stack, stack_config(stack))
    config = yaml.safe_load((REPO / f"config/tenants/{stack}.yaml").read_text())
    tenant_ids = sorted(t["id"] for t in config["tenants"])
    declared = sorted(r.inputs["tenantId"] for r in monitor.registrations if r.type == TENANT)
    assert declared == tenant_ids
    flows = sorted(r.inputs["flowId"] for r in monitor.registrations if r.type == FLOW)
    assert flows == sorted(f["id"] for f in config.get("flows", []))
    themes = [r for r in monitor.registrations if r.type == THEME]
    assert len(themes) == (1 if config.get("theme") else 0)


def test_dev_tenant_inputs_are_the_canonical_spec_with_substituted_domains(in_repo: None) -> None:
    monitor = run_program("dev", stack_config("dev"))
    tenants = [r for r in monitor.registrations if r.type == TENANT]
    assert tenants, "the dev stack declares tenants"
    for tenant in tenants:
        assert "__provider" in tenant.inputs
        for domain in tenant.inputs["selfProvisioningDomains"]:
            assert "${" not in domain
            assert domain.endswith("dev.example.com")


def test_each_stack_registers_the_flow_with_its_own_values_and_hash(in_repo: None) -> None:
    """The Flow resource (so its provider) receives the stack's substituted content."""
    registered = {}
    for stack, suffix in (("dev", "dev.example.com"), ("prod", "example.com")):
        monitor = run_program(stack, stack_config(stack))
        (flow,) = [r for r in monitor.registrations if r.type == FLOW]
        texts = [
            child["props"].get("text", "")
            for screen in flow.inputs["content"]["screens"]
            for child in screen["htmlTemplate"]["children"]
        ]
        assert f"https://app.{suffix}/terms" in " ".join(texts), stack
        assert not any("${" in text for text in texts)
        registered[stack] = flow.inputs["contentHash"]
    assert registered["dev"] != registered["prod"]


def test_prod_protects_and_retains_everything_while_dev_deletes(in_repo: None) -> None:
    prod = run_program("prod", stack_config("prod"))
    assert prod.registrations
    assert all(r.protect for r in prod.registrations)
    assert all(r.retain_on_delete for r in prod.registrations if r.type == TENANT)

    dev = run_program("dev", stack_config("dev"))
    assert not any(r.protect for r in dev.registrations)
    assert not any(r.retain_on_delete for r in dev.registrations)


def test_a_tenant_can_opt_out_of_the_stack_protection(in_repo: None, tmp_path: Path) -> None:
    tenants = tmp_path / "tenants.yaml"
    tenants.write_text(
        "tenants:\n  - {id: keep, name: Keep}\n  - {id: scratch, name: Scratch, protect: false}\n"
    )
    config = {**stack_config("prod"), "descope-config:tenantsFile": str(tenants)}
    monitor = run_program("prod", config)
    protect = {r.inputs["tenantId"]: r.protect for r in monitor.registrations if r.type == TENANT}
    assert protect == {"keep": True, "scratch": False}


def test_a_tenant_can_ask_to_be_retained_when_removed(in_repo: None, tmp_path: Path) -> None:
    tenants = tmp_path / "tenants.yaml"
    tenants.write_text(
        "tenants:\n"
        "  - {id: scratch, name: Scratch}\n"
        "  - {id: keep, name: Keep, retainOnDelete: true}\n"
    )
    config = {**stack_config("dev"), "descope-config:tenantsFile": str(tenants)}
    monitor = run_program("dev", config)
    retain = {r.inputs["tenantId"]: r.retain_on_delete for r in monitor.registrations}
    assert retain == {"scratch": False, "keep": True}
    assert all("retainOnDelete" not in r.inputs for r in monitor.registrations)


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("descope-config:protect", "nope", 'is "nope": write true or false.'),
        ("descope-config:retainOnDelet", "false", "looks like a misspelling of"),
    ],
)
def test_a_bad_stack_setting_stops_the_run_before_any_resource(
    in_repo: None, setting: str, value: str, message: str
) -> None:
    monitor = RecordingMonitor()
    with pytest.raises(pulumi.RunError) as raised:
        run_program("staging", {**stack_config("staging"), setting: value}, monitor)
    assert monitor.registrations == []
    text = str(raised.value)
    assert f"Pulumi.staging.yaml: stack staging, field {setting}: {message}" in text


def test_a_bad_configuration_stops_the_run_before_any_resource(
    in_repo: None, tmp_path: Path
) -> None:
    tenants = tmp_path / "tenants.yaml"
    tenants.write_text(
        "tenants:\n"
        "  - {id: acme, name: Acme}\n"
        "  - {id: acme, name: Acme Again, enforceSSO: maybe}\n"
    )
    config = {**stack_config("dev"), "descope-config:tenantsFile": str(tenants)}
    monitor = RecordingMonitor()
    with pytest.raises(pulumi.RunError) as raised:
        run_program("dev", config, monitor)
    assert monitor.registrations == []
    message = str(raised.value)
    assert str(tenants) in message
    assert "acme" in message
    assert "enforceSSO" in message
    assert "Traceback" not in message


def test_program__warns_when_a_real_projects_key_is_in_plain_text() -> None:
    config = {**stack_config("prod"), "descope:managementKey": "K-plain-prod-key"}
    plain = registrations(REPO, stack="prod", config=config, secret_keys=SECRET_KEYS)
    assert any("holds descope:managementKey in plain text" in w for w in plain.warnings)
    assert not any("K-plain-prod-key" in w for w in plain.warnings)
    secret = registrations(
        REPO, stack="prod", config=config, secret_keys=["descope:managementKey", *SECRET_KEYS]
    )
    assert secret.warnings == []
    assert len(secret.registrations) == len(plain.registrations) > 0


ROLE = "pulumi-python:dynamic/descope:Role"
PERMISSION = "pulumi-python:dynamic/descope:Permission"


def _urn(stack: str, type_: str, name: str) -> str:
    return f"urn:pulumi:{stack}::descope-config::{type_}::{name}"


def test_sub_tenants_are_registered_after_their_parent_and_depend_on_it(tmp_path: Path) -> None:
    """Written before its parent, a sub-tenant is still registered after it; an undeclared
    parent (a tenant Descope holds) is a plain input, with nothing to depend on."""
    text = (REPO / "config/tenants/dev.yaml").read_text()
    text = text.replace(
        "tenants:\n",
        "tenants:\n  - {id: kid, name: Kid, parent: acme-labs}\n"
        "  - {id: other, name: Other, parent: outside}\n",
        1,
    )
    tenants_file = tmp_path / "dev.yaml"
    tenants_file.write_text(text)
    config = {
        **stack_config("dev"),
        "descope-config:tenantsFile": str(tenants_file),
        "descope-config:flowsDir": str(REPO / "config/flows"),
    }
    run = registrations(REPO, stack="dev", config=config)
    tenants = [
        r.name for r in run.registrations if r.name.startswith("tenant-") and "/" not in r.name
    ]
    assert (
        tenants.index("tenant-acme")
        < tenants.index("tenant-acme-labs")
        < tenants.index("tenant-kid")
    )
    by_name = {r.name: r for r in run.registrations}
    assert _urn("dev", TENANT, "tenant-acme-labs") in by_name["tenant-kid"].dependencies
    parents = (by_name["tenant-kid"].inputs["parent"], by_name["tenant-other"].inputs["parent"])
    assert parents == ("acme-labs", "outside")
    assert not [d for d in by_name["tenant-other"].dependencies if ":Tenant::" in d]


def test_roles_depend_on_their_permissions_and_tenants_on_the_roles_they_name() -> None:
    run = registrations(REPO, stack="dev", config=stack_config("dev"))
    by_name = {r.name: r for r in run.registrations}
    config = yaml.safe_load((REPO / "config/tenants/dev.yaml").read_text())
    for declared in config["permissions"]:
        assert by_name[f"permission-{declared['name']}"].inputs["name"] == declared["name"]
    for declared in config["roles"]:
        registered = by_name[f"role-{declared['name']}"]
        assert registered.inputs["tenantId"] == ""
        assert set(registered.dependencies) == {
            _urn("dev", PERMISSION, f"permission-{p}") for p in declared["permissions"]
        }
    for tenant in config["tenants"]:
        registered = by_name[f"tenant-{tenant['id']}"]
        parent = (
            {_urn("dev", TENANT, f"tenant-{tenant['parent']}")} if "parent" in tenant else set()
        )
        assert (
            set(registered.dependencies)
            == {_urn("dev", ROLE, f"role-{r}") for r in tenant["defaultRoles"]} | parent
        )
        # A digest of the definitions of the attributes the tenant uses, not the definitions.
        used = set(registered.inputs["customAttributes"])
        assert used <= set(config["tenantAttributes"])
        assert "attributeDefinitions" not in registered.inputs
        definitions = {
            name: AttributeDefinition.model_validate(config["tenantAttributes"][name]).as_data(name)
            for name in sorted(used)
        }
        assert registered.inputs[DIGEST_KEY] == definitions_digest(definitions)
        own = [r["name"] for r in tenant.get("roles") or []]
        assert registered.inputs.get("ownRoles", []) == sorted(own)
        for name in own:
            role = by_name[f"tenant-role-{tenant['id']}/{name}"]
            assert role.inputs["tenantId"] == tenant["id"]
            assert _urn("dev", "pulumi-python:dynamic/descope:Tenant", registered.name) in (
                role.dependencies
            )


def test_a_renamed_role_or_permission_is_registered_with_its_old_name_as_alias(
    tmp_path: Path,
) -> None:
    tenants = tmp_path / "tenants.yaml"
    tenants.write_text(
        "permissions:\n  - {name: invoices.read, previousName: billing.read}\n"
        "roles:\n  - {name: reader, previousName: viewer, permissions: [invoices.read]}\n"
        "tenants:\n"
        "  - id: acme\n    name: Acme\n    defaultRoles: [reader, own]\n"
        "    roles: [{name: own, previousName: mine}]\n"
    )
    config = {**stack_config("prod"), "descope-config:tenantsFile": str(tenants)}
    run = registrations(REPO, stack="prod", config=config)
    aliases = {r.name: r.aliases for r in run.registrations}
    assert aliases["permission-invoices.read"] == (
        _urn("prod", PERMISSION, "permission-billing.read"),
    )
    assert aliases["role-reader"] == (_urn("prod", ROLE, "role-viewer"),)
    assert aliases["tenant-role-acme/own"] == (_urn("prod", ROLE, "tenant-role-acme/mine"),)
    own = next(r for r in run.registrations if r.name == "tenant-role-acme/own")
    assert own.inputs["tenantDefault"] is True
    assert all(r.protect and r.retain_on_delete for r in run.registrations)


def test_without_roles_or_permissions_keys_none_are_registered(tmp_path: Path) -> None:
    tenants = tmp_path / "tenants.yaml"
    tenants.write_text("tenants:\n  - {id: acme, name: Acme, defaultRoles: [member]}\n")
    config = {**stack_config("dev"), "descope-config:tenantsFile": str(tenants)}
    run = registrations(REPO, stack="dev", config=config)
    assert [r.type for r in run.registrations if r.type in (ROLE, PERMISSION)] == []
    (tenant,) = [r for r in run.registrations if r.name == "tenant-acme"]
    assert tenant.dependencies == ()
    assert "attributeDefinitions" not in tenant.inputs
    assert DIGEST_KEY not in tenant.inputs


def test_a_name_with_accents_is_registered_with_its_decomposed_form_as_alias(
    tmp_path: Path,
) -> None:
    """A stack may hold the role or permission under the name as written before names were
    normalized to NFC (decomposed): the alias keeps it the same resource."""
    tenants = tmp_path / "tenants.yaml"
    tenants.write_text(
        'permissions:\n  - {name: "re\u0301sume\u0301"}\n'
        'roles:\n  - {name: "ge\u0301rant", previousName: viewer}\n'
        "tenants:\n  - id: acme\n    name: Acme\n",
        encoding="utf-8",
    )
    config = {**stack_config("prod"), "descope-config:tenantsFile": str(tenants)}
    run = registrations(REPO, stack="prod", config=config)
    aliases = {r.name: r.aliases for r in run.registrations}
    assert aliases["permission-r\u00e9sum\u00e9"] == (
        _urn("prod", PERMISSION, "permission-re\u0301sume\u0301"),
    )
    assert aliases["role-g\u00e9rant"] == (
        _urn("prod", ROLE, "role-viewer"),
        _urn("prod", ROLE, "role-ge\u0301rant"),
    )
