"""Every call of tenant, flow and theme create, read, update and delete (through Pulumi's own
provider host) and of ``python -m ops export``, ``backup`` and ``report``, answered once by a
loopback proxy (`tests.faults.proxy`) with a body Descope would never send: ``{}``, an empty
body, truncated JSON, an HTML login page or another tenant's or flow's answer, after Descope
acted on the request or without it ever seeing it.

Each case asserts:

- nothing is lost: what Descope held of the tenant, flow or theme at stake is still there, or
  a snapshot in the backup folder holds exactly it; nothing else in Descope changed; every
  snapshot holds content that fitted its wire shape;
- outputs equal Descope: an operation that succeeded recorded what a refresh then finds; one
  that failed, played again as the next ``pulumi up`` would (the engine keeps the old state),
  converges to that;
- the message names the tenant, flow or theme, the call and what came back, never a Python
  exception's name; when it says nothing was changed in Descope, nothing was.

A ``{}`` answer to a write whose real answer is ``{}`` (patch, settings, default roles,
delete) that never reached Descope cannot be told from Descope's own: those cases are not
played (the README says so).
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest
from descope import DescopeClient

from emulator.server import EmulatorServer
from model.flow import normalise_theme
from ops.cli import main as ops_main
from providers import wire
from providers.flow import FlowProvider
from providers.tenant import TenantProvider
from providers.theme import ThemeProvider
from tests.faults.conftest import EMULATED, HOST_ENV, MANAGEMENT_KEY, PROJECT_ID
from tests.faults.proxy import ProxyServer
from tests.faults.scenario import TALLY
from tests.support.emulated import EmulatorPool
from tests.support.garble import KINDS, Kind, Rule
from tests.support.host import REPO_ROOT, HostError, ProviderHost, provider_blob
from tests.support.inprocess import plain_http_descope

pytestmark = pytest.mark.engine

LOAD, SETTINGS = "/v1/mgmt/tenant", "/v1/mgmt/tenant/settings"
CREATE, PATCH = "/v1/mgmt/tenant/create", "/v1/mgmt/tenant/patch"
ROLES, DELETE = "/v1/mgmt/tenant/updateDefaultRoles", "/v1/mgmt/tenant/delete"
LIST_ALL = "/v1/mgmt/tenant/all"
FLOW_LIST, EXPORT = "/v1/mgmt/flow/list", "/v1/mgmt/flow/export"
IMPORT, FLOW_DELETE = "/v1/mgmt/flow/import", "/v1/mgmt/flow/delete"
THEME_EXPORT, THEME_IMPORT = "/v1/mgmt/theme/export", "/v1/mgmt/theme/import"
FLOW_ID = "sign-up-or-in"
FLOW_FILE = REPO_ROOT / "tests" / "fixtures" / "flows" / f"{FLOW_ID}.json"
NEVER_SHOWN = ("JSONDecodeError", "KeyError", "TypeError", "OSError", "Errno", "Traceback")
SHOWN = {
    "empty-object": "got {}",
    "empty-body": "got an empty body",
    "truncated": "got '",
    "html": "Sign in - Corporate Proxy",
    "other-id": "someone-else",
}
"""What the message shows of each kind of answer."""

Read, Write, Answering = "read", "write", "answering"
"""Calls: reads; writes whose real answer is ``{}``; writes that answer content."""
CALLS: dict[tuple[str, str], list[tuple[str, str, str]]] = {
    ("tenant", "create"): [
        ("POST", CREATE, Answering),
        ("POST", SETTINGS, Write),
        ("POST", ROLES, Write),
    ],
    ("tenant", "adopt"): [
        ("GET", LOAD, Read),
        ("GET", SETTINGS, Read),
        ("PATCH", PATCH, Write),
        ("POST", SETTINGS, Write),
        ("POST", ROLES, Write),
    ],
    ("tenant", "read"): [("GET", SETTINGS, Read), ("GET", LOAD, Read)],
    ("tenant", "update"): [
        ("PATCH", PATCH, Write),
        ("GET", SETTINGS, Read),
        ("POST", SETTINGS, Write),
        ("POST", ROLES, Write),
    ],
    ("tenant", "delete"): [("GET", LOAD, Read), ("GET", SETTINGS, Read), ("POST", DELETE, Write)],
    ("flow", "create"): [("POST", EXPORT, Read), ("POST", IMPORT, Answering)],
    ("flow", "update"): [("POST", EXPORT, Read), ("POST", IMPORT, Answering)],
    ("flow", "read"): [("POST", EXPORT, Read)],
    ("flow", "delete"): [("POST", EXPORT, Read), ("POST", FLOW_DELETE, Write)],
    ("theme", "create"): [("POST", THEME_EXPORT, Read), ("POST", THEME_IMPORT, Answering)],
    ("theme", "update"): [("POST", THEME_EXPORT, Read), ("POST", THEME_IMPORT, Answering)],
    ("theme", "read"): [("POST", THEME_EXPORT, Read)],
    ("ops", "export"): [
        ("GET", LIST_ALL, Read),
        ("GET", SETTINGS, Read),
        ("POST", FLOW_LIST, Read),
        ("POST", EXPORT, Read),
        ("POST", THEME_EXPORT, Read),
    ],
    ("ops", "backup"): [
        ("GET", LIST_ALL, Read),
        ("GET", SETTINGS, Read),
        ("POST", FLOW_LIST, Read),
        ("POST", EXPORT, Read),
        ("POST", THEME_EXPORT, Read),
    ],
    ("ops", "report"): [("GET", LIST_ALL, Read), ("POST", FLOW_LIST, Read)],
}
GUARDED = {
    ("tenant", "adopt"),
    ("tenant", "delete"),
    ("flow", "create"),
    ("flow", "update"),
    ("flow", "delete"),
    ("theme", "create"),
    ("theme", "update"),
}
"""Operations that overwrite or delete what Descope holds: a snapshot must come first."""


@dataclass(frozen=True)
class Case:
    resource: str
    operation: str
    method: str
    path: str
    kind: Kind
    forward: bool

    @property
    def name(self) -> str:
        seen = "forwarded" if self.forward else "unseen"
        return f"{self.resource}-{self.operation}-{self.method}{self.path}-{self.kind}-{seen}"


def cases(resource: Literal["providers", "ops"]) -> list[Case]:
    found: list[Case] = []
    for (kind_of, operation), calls in CALLS.items():
        if (kind_of == "ops") != (resource == "ops"):
            continue
        for method, path, sort in calls:
            for kind in KINDS:
                for forward in (True, False) if sort != Read else (True,):
                    if sort == Write and kind == "empty-object" and not forward:
                        continue  # Descope's own answer: cannot be told apart (docstring)
                    found.append(Case(kind_of, operation, method, path, kind, forward))
    return found


# --- the world: Descope behind the proxy, a provider host pointed at the proxy ----------------


@pytest.fixture(scope="module")
def proxied_host(proxy: ProxyServer) -> Iterator[ProviderHost]:
    with ProviderHost(env=HOST_ENV) as host:
        host.configure(
            {
                "descope:projectId": PROJECT_ID,
                "descope:managementKey": MANAGEMENT_KEY,
                "descope:baseUrl": proxy.url,
            }
        )
        yield host


@pytest.fixture(scope="module")
def sdk(emulator_pool: EmulatorPool) -> DescopeClient:
    """Descope itself, without the proxy: to arrange, and to see what it holds."""
    return plain_http_descope(PROJECT_ID, MANAGEMENT_KEY, emulator_pool.server(EMULATED).url)


def flow_export(name: str = "Sign Up or In") -> dict[str, Any]:
    export: dict[str, Any] = json.loads(FLOW_FILE.read_text())
    export["flow"]["name"] = name
    return export


THEME = {
    "id": "",
    "cssTemplate": {"light": {"colors": {"primary": "#0052cc"}}, "dark": {}},
    "componentsVersion": "",
    "codeMode": False,
}


def tenant_props(**changes: Any) -> dict[str, Any]:
    props: dict[str, Any] = {
        "tenantId": "acme",
        "name": "Acme",
        "selfProvisioningDomains": ["acme.com"],
        "customAttributes": {"tier": "gold"},
        "defaultRoles": ["member"],
        "settings": {
            "domains": ["sso.acme.com"],
            "authType": "saml",
            "sessionTokenExpiration": 30,
            "sessionTokenExpirationUnit": "minutes",
        },
    }
    props.update(changes)
    return props


@dataclass(frozen=True)
class Blobs:
    """The providers as the program pickles them, once for the module: each pickling by
    Pulumi's `serialize_provider` stacks one more wrapper on the pickler's `_batch_setitems`
    (never undone), and a few hundred of them exceed Python's recursion limit. The backup
    folder is emptied before each case instead."""

    backup_dir: Path
    blobs: dict[str, str]


@pytest.fixture(scope="module")
def blobs(tmp_path_factory: pytest.TempPathFactory) -> Blobs:
    backup_dir = tmp_path_factory.mktemp("garbled") / "backups"
    providers = {
        "tenant": TenantProvider(backup_dir=str(backup_dir)),
        "flow": FlowProvider(backup_dir=str(backup_dir)),
        "theme": ThemeProvider(backup_dir=str(backup_dir)),
    }
    return Blobs(backup_dir, {name: provider_blob(p) for name, p in providers.items()})


class Stage:
    """One case's resource through the host, as the engine drives it, and what Descope holds."""

    def __init__(
        self,
        host: ProviderHost,
        sdk: DescopeClient,
        emulator: EmulatorServer,
        blobs: Blobs,
    ) -> None:
        self.host, self.sdk, self.backup_dir = host, sdk, blobs.backup_dir
        self.emulator_url = emulator.url
        self.blobs = blobs.blobs
        self.id = ""
        self.inputs: dict[str, Any] = {}
        self.outputs: dict[str, Any] = {}

    def urn(self, resource: str) -> str:
        return f"urn:pulumi:test::descope-config::pulumi-python:dynamic/descope:{resource}::r"

    def checked(self, resource: str, props: dict[str, Any]) -> dict[str, Any]:
        news = {**props, "__provider": self.blobs[resource]}
        inputs, failures = self.host.check(self.urn(resource), self.inputs, news)
        assert not failures, failures
        return inputs

    def create(self, resource: str, props: dict[str, Any]) -> None:
        inputs = self.checked(resource, props)
        self.id, self.outputs = self.host.create(self.urn(resource), inputs)
        self.inputs = inputs

    def update(self, resource: str, props: dict[str, Any]) -> None:
        inputs = self.checked(resource, props)
        self.outputs = self.host.update(self.id, self.urn(resource), self.outputs, inputs)
        self.inputs = inputs

    def read(self, resource: str) -> dict[str, Any]:
        found, outputs, _ = self.host.read(self.id, self.urn(resource), self.outputs, self.inputs)
        assert found == self.id, f"{resource} {self.id} dropped by a refresh"
        return outputs

    def delete(self, resource: str) -> None:
        self.host.delete(self.id, self.urn(resource), self.outputs)

    def descope(self) -> dict[str, Any]:
        response = httpx.get(f"{self.emulator_url}/emulator/state", timeout=30)
        response.raise_for_status()
        state: dict[str, Any] = response.json()
        return state

    def content(self, resource: str) -> Any:
        """What Descope holds of the resource at stake, as its API answers (None: nothing)."""
        try:
            if resource == "tenant":
                return {
                    "tenant": self.sdk.mgmt.tenant.load("acme"),
                    "settings": self.sdk.mgmt.tenant.load_settings("acme"),
                }
            if resource == "flow":
                return self.sdk.mgmt.flow.export_flow(FLOW_ID)
        except Exception:
            return None
        return self.sdk.mgmt.flow.export_theme()["theme"]

    def snapshots(self) -> list[dict[str, Any]]:
        if not self.backup_dir.is_dir():
            return []
        return [json.loads(p.read_text()) for p in sorted(self.backup_dir.glob("*.json"))]


def arrange(stage: Stage, case: Case) -> Callable[[], None]:
    """Build what exists before the operation; return the operation (one engine step)."""
    sdk = stage.sdk
    sdk.mgmt.tenant.create("Bystander", "bystander", ["bystander.com"])
    sdk.mgmt.flow.import_flow("bystander-flow", {"name": "Bystander"}, [])
    resource, operation = case.resource, case.operation
    if resource == "tenant":
        if operation == "create":
            return lambda: stage.create("tenant", tenant_props())
        if operation == "adopt":
            sdk.mgmt.tenant.create("Acme (console)", "acme", custom_attributes={"plan": "x"})
            return lambda: stage.create("tenant", tenant_props(adopt=True))
        stage.create("tenant", tenant_props())
        if operation == "read":
            return lambda: setattr(stage, "outputs", stage.read("tenant"))
        if operation == "update":
            changed = tenant_props(
                name="Acme 2",
                defaultRoles=["member", "admin"],
                settings={"domains": ["sso.acme.com"], "authType": "oidc"},
            )
            return lambda: stage.update("tenant", changed)
        return lambda: stage.delete("tenant")
    if resource == "flow":
        props = {"flowId": FLOW_ID, "content": flow_export(), "deleteOnRemove": True}
        if operation == "create":
            console = flow_export("Built in the console")
            sdk.mgmt.flow.import_flow(FLOW_ID, console["flow"], console["screens"])
            return lambda: stage.create("flow", props)
        stage.create("flow", props)
        if operation == "update":
            console = flow_export("Edited in the console")
            sdk.mgmt.flow.import_flow(FLOW_ID, console["flow"], console["screens"])
            revised = {**props, "content": flow_export("Next version")}
            return lambda: stage.update("flow", revised)
        if operation == "read":
            return lambda: setattr(stage, "outputs", stage.read("flow"))
        return lambda: stage.delete("flow")
    props = {"content": THEME}
    if operation == "create":
        return lambda: stage.create("theme", props)
    stage.create("theme", props)
    if operation == "update":
        sdk.mgmt.flow.import_theme({**THEME, "cssTemplate": {"light": {"edited": True}}})
        changed = {"content": {**THEME, "cssTemplate": {"light": {}, "dark": {"x": 1}}}}
        return lambda: stage.update("theme", changed)
    return lambda: setattr(stage, "outputs", stage.read("theme"))


def _tenant_fits(content: Any) -> None:
    """Raises unless a tenant's content (and its sub-tenants') fits the wire shapes."""
    wire.TENANT_LOAD.read(content["tenant"], doing="check")
    if content["settings"] is not None:
        wire.SETTINGS_LOAD.read(content["settings"], doing="check")
    for configuration in content.get("sso") or []:
        wire.SSO_LOAD.read(configuration, doing="check")
    wire.ROLE_LIST.read({"roles": content.get("roles") or []}, doing="check")
    for sub_tenant in content.get("subTenants") or []:
        _tenant_fits(sub_tenant)


def fits(kind: str, content: Any) -> bool:
    """Whether a snapshot's content fits the wire shapes of what it claims to hold."""
    try:
        if kind == "tenant":
            _tenant_fits(content)
        elif kind == "flow":
            wire.FLOW_EXPORT.read(content, doing="check")
        else:
            wire.THEME_EXPORT.read({"theme": content}, doing="check")
    except Exception:
        return False
    return True


def check_message(case: Case, text: str, subject: str) -> None:
    for word in NEVER_SHOWN:
        assert word not in text, f"{case.name}: {text}"
    assert subject in text, f"{case.name}: the message does not name {subject}: {text}"
    assert f"({case.method} {case.path})" in text, f"{case.name}: call not named: {text}"
    assert SHOWN[case.kind] in text, f"{case.name}: what came back is not shown: {text}"
    assert '"asked for"' not in text, f"{case.name}: the id asked for is not named: {text}"


def holds(before: Any, content: Any) -> Any:
    """What of a snapshot's `content` `before` is about: a tenant's snapshot holds its SSO,
    roles and sub-tenants too (`providers.tenant_unit`), `before` its tenant and settings."""
    if isinstance(before, dict) and isinstance(content, dict) and "tenant" in before:
        return {key: content.get(key) for key in before}
    return content


def same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


# --- providers -------------------------------------------------------------------------------


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", cases("providers"), ids=lambda c: c.name)
def test_a_garbled_answer_loses_nothing_and_outputs_equal_descope(
    case: Case,
    proxy: ProxyServer,
    proxied_host: ProviderHost,
    sdk: DescopeClient,
    emulator: EmulatorServer,
    blobs: Blobs,
) -> None:
    proxy.rules.clear()
    shutil.rmtree(blobs.backup_dir, ignore_errors=True)
    stage = Stage(proxied_host, sdk, emulator, blobs)
    operation = arrange(stage, case)
    resource = case.resource
    before_all = stage.descope()
    before = stage.content(resource)
    bystanders = (sdk.mgmt.tenant.load("bystander"), sdk.mgmt.flow.export_flow("bystander-flow"))
    kept = (stage.id, dict(stage.inputs), dict(stage.outputs))

    rule = proxy.rules.add(Rule(case.method, case.path, case.kind, case.forward))
    error: HostError | None = None
    try:
        operation()
    except HostError as exc:
        error = exc
    finally:
        proxy.rules.clear()
    TALLY.garbled_cases += 1
    TALLY.garbled_answers += rule.garbled
    assert rule.garbled == 1, f"{case.name}: the call was never made"

    # nothing lost
    after = stage.content(resource)
    guarded = (case.resource, case.operation) in GUARDED
    if guarded and before is not None and not same(before, after):
        saved = [s["content"] for s in stage.snapshots()]
        assert any(same(before, holds(before, s)) for s in saved), f"{case.name}: lost {before}"
        TALLY.snapshots_checked += 1
    if case.operation == "read":
        assert same(before, after), f"{case.name}: a read changed Descope"
    assert same(
        bystanders,
        (sdk.mgmt.tenant.load("bystander"), sdk.mgmt.flow.export_flow("bystander-flow")),
    ), f"{case.name}: another tenant or flow changed"
    for snapshot in stage.snapshots():
        assert fits(snapshot["kind"], snapshot["content"]), f"{case.name}: {snapshot}"

    # the message
    if error is not None:
        text = error.last_line
        subject = {"tenant": '"acme"', "flow": f'"{FLOW_ID}"', "theme": "theme"}[resource]
        check_message(case, text, subject)
        if "Nothing was changed in Descope" in text:
            assert same(stage.descope(), before_all), f"{case.name}: changed: {text}"
        # the next `pulumi up`: the engine kept the old state and plays the step again
        stage.id, stage.inputs, stage.outputs = kept[0], dict(kept[1]), dict(kept[2])
        operation()

    # outputs equal Descope
    if case.operation == "delete":
        assert stage.content(resource) is None, f"{case.name}: not deleted"
        assert any(s["reason"] == "delete" for s in stage.snapshots()), case.name
    else:
        assert stage.read(resource) == stage.outputs, f"{case.name}: outputs differ from Descope"
    if case.resource == "theme":
        held = normalise_theme(sdk.mgmt.flow.export_theme()["theme"])
        assert held["cssTemplate"] == stage.inputs["content"]["cssTemplate"], case.name


# --- python -m ops ---------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path, proxy: ProxyServer) -> Path:
    root = tmp_path / "project"
    (root / "config" / "tenants").mkdir(parents=True)
    (root / "flows").mkdir()
    shutil.copy(REPO_ROOT / "Pulumi.yaml", root / "Pulumi.yaml")
    shutil.copy(FLOW_FILE, root / "flows" / f"{FLOW_ID}.json")
    (root / "flows" / "theme.json").write_text(json.dumps({"theme": THEME}))
    (root / "config" / "tenants" / "test.yaml").write_text(
        "tenants:\n  - {id: acme, name: Acme}\n  - {id: bystander, name: Bystander}\n"
        f"flows:\n  - {{id: {FLOW_ID}, file: {FLOW_ID}.json}}\ntheme: {{file: theme.json}}\n"
    )
    (root / "Pulumi.test.yaml").write_text(
        "config:\n"
        f"  descope:projectId: {PROJECT_ID}\n"
        f"  descope:managementKey: {MANAGEMENT_KEY}\n"
        f"  descope:baseUrl: {proxy.url}\n"
        "  descope-config:tenantsFile: config/tenants/test.yaml\n"
        "  descope-config:flowsDir: flows\n"
        "  descope-config:backupDir: backups\n"
    )
    return root


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", cases("ops"), ids=lambda c: c.name)
def test_ops_commands_never_write_or_report_what_they_did_not_understand(
    case: Case,
    proxy: ProxyServer,
    sdk: DescopeClient,
    emulator: EmulatorServer,
    project: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    proxy.rules.clear()
    sdk.mgmt.tenant.create("Acme", "acme", ["acme.com"])
    sdk.mgmt.tenant.create("Bystander", "bystander", ["bystander.com"])
    export = flow_export()
    sdk.mgmt.flow.import_flow(FLOW_ID, export["flow"], export["screens"])
    sdk.mgmt.flow.import_theme(copy.deepcopy(THEME))
    state_url = f"{emulator.url}/emulator/state"
    before = httpx.get(state_url, timeout=30).json()
    out = project / "exported"
    args = {
        "export": ["export", "--out", str(out / "t.yaml"), "--flows-dir", str(out / "flows")],
        "backup": ["backup"],
        "report": ["report"],
    }[case.operation]

    rule = proxy.rules.add(Rule(case.method, case.path, case.kind, case.forward))
    try:
        code = ops_main(["--project-dir", str(project), *args, "--stack", "test"])
    finally:
        proxy.rules.clear()
    printed = "".join(capsys.readouterr())
    TALLY.garbled_cases += 1
    TALLY.garbled_answers += rule.garbled
    assert rule.garbled == 1, f"{case.name}: the call was never made"

    assert code == 1, f"{case.name}: {printed}"
    subject = {
        LOAD: 'tenant "acme"',
        SETTINGS: 'tenant "acme"',
        LIST_ALL: "list Descope tenants",
        FLOW_LIST: "list Descope flows",
        EXPORT: f'flow "{FLOW_ID}"',
        THEME_EXPORT: "the Descope theme",
    }[case.path]
    check_message(case, printed, subject)
    assert "Nothing was changed in Descope, and nothing was written." in printed, printed
    assert not out.exists(), f"{case.name}: export wrote files"
    assert not (project / "backups").exists(), f"{case.name}: backup wrote a file"
    assert httpx.get(state_url, timeout=30).json() == before, case.name
    # without the proxy's garbling the same command works
    assert ops_main(["--project-dir", str(project), *args, "--stack", "test"]) == 0
