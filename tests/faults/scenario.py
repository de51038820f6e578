"""One fault-injection run: desired resources, a phase (create, update or delete) applied under
a fault plan, then repeated without faults the way a user re-running ``pulumi up`` would, and
the end state checked against Descope (the emulator's state) and the recorded outputs.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
from pulumi.dynamic import ResourceProvider

from bench.lab import FLOW_TOKEN, SSO_TOKEN, TENANT_TOKEN
from bench.workload import flow_export, tenant_props, tenant_spec
from model.flow import content_hash, normalise_flow_export
from providers.flow import FlowProvider
from providers.sso import SSOConfigurationProvider, secret_fingerprint
from providers.tenant import TenantProvider
from standin.host import HostError, ProviderHost
from standin.resource import ProviderBlobs, SingleResource

Phase = Literal["create", "update", "delete"]
FaultKind = Literal["429", "503", "500", "slow", "drop", "corrupt", "mixed"]
FAULT_KINDS: tuple[FaultKind, ...] = ("429", "503", "500", "slow", "drop", "corrupt", "mixed")
PHASES: tuple[Phase, ...] = ("create", "update", "delete")
MAX_ROUNDS = 4
"""Re-runs after the faults stop; one should do, the rest prove no slow convergence."""

_SSO_PATHS = {
    "create": ["/v1/mgmt/sso/saml", "/v1/mgmt/sso/oidc", "/v2/mgmt/sso/settings"],
    "update": ["/v1/mgmt/sso/saml", "/v1/mgmt/sso/oidc", "/v2/mgmt/sso/settings"],
    "delete": ["/v1/mgmt/sso/settings", "/v2/mgmt/sso/settings"],
}
"""SSO endpoints a burst may aim at; corrupt answers aim at them only (the SSO writes are
what these runs prove robust to answers cut short)."""
_PATHS = {
    "create": [
        "/v1/mgmt/tenant/create",
        "/v1/mgmt/tenant/settings",
        "/v1/mgmt/flow/import",
        *_SSO_PATHS["create"],
    ],
    "update": [
        "/v1/mgmt/tenant/patch",
        "/v1/mgmt/tenant/settings",
        "/v1/mgmt/flow/import",
        *_SSO_PATHS["update"],
    ],
    "delete": [
        "/v1/mgmt/tenant/delete",
        "/v1/mgmt/tenant",
        "/v1/mgmt/flow/delete",
        *_SSO_PATHS["delete"],
    ],
}


@dataclass
class Tally:
    """What the fault tests tried, for the summary line."""

    runs: int = 0
    operations: int = 0
    failed_operations: int = 0
    rounds: int = 0
    plans: list[str] = field(default_factory=list)
    faults: Counter[str] = field(default_factory=Counter)
    garbled_cases: int = 0
    """Cases played with one answer garbled (tests/faults/test_garbled_answers.py)."""
    garbled_answers: int = 0
    snapshots_checked: int = 0
    """Cases where Descope's content changed and a snapshot was found holding it exactly."""
    kills: int = 0
    """Provider hosts killed with SIGKILL mid-run (tests/faults/test_killed_host.py)."""
    kill_reruns: int = 0
    """Runs after a kill: each converged at once, no `adopt` needed."""


TALLY = Tally()


def fault_plan(kind: FaultKind, phase: Phase, rng: random.Random) -> dict[str, Any]:
    """A random plan of `kind` (the emulator's JSON form); some bursts aim at one endpoint."""

    def path() -> str | None:
        return rng.choice([None, *_PATHS[phase]])

    burst = {"count": rng.randint(3, 30)}
    if kind == "429":
        return {
            "rateLimit": {
                "limit": rng.randint(6, 15),
                "windowSeconds": 1,
                "retryAfter": 1,
                "path": rng.choice([None, None, *_PATHS[phase]]),
            }
        }
    if kind == "503":
        return {"fail503": {**burst, "path": path()}}
    if kind == "500":
        return {"fail500": {**burst, "path": path()}}
    if kind == "slow":
        return {"latencyRangeMs": [0, rng.randint(50, 250)]}
    if kind == "drop":
        return {"dropConnections": {**burst, "path": path()}}
    if kind == "corrupt":
        return {"corruptAnswers": {**burst, "path": rng.choice(_SSO_PATHS[phase])}}
    return {
        "latencyRangeMs": [0, 40],
        "rateLimit": {"limit": rng.randint(15, 30), "windowSeconds": 1, "retryAfter": 1},
        "fail503": {"count": rng.randint(1, 4), "path": path()},
        "fail500": {"count": rng.randint(1, 4), "path": path()},
        "dropConnections": {"count": rng.randint(1, 4), "path": path()},
    }


class World:
    """Desired tenants and flows, their recorded state, and the emulator that is Descope."""

    def __init__(
        self, host: ProviderHost, emulator_url: str, backup_dir: str, tenants: int, flows: int
    ) -> None:
        self.host = host
        self.admin = httpx.Client(base_url=emulator_url, timeout=30)
        tenant_provider, flow_provider, sso_provider = (
            TenantProvider(backup_dir=backup_dir),
            FlowProvider(backup_dir=backup_dir),
            SSOConfigurationProvider(backup_dir=backup_dir),
        )
        blobs = ProviderBlobs()
        self.tenant_specs = [
            tenant_spec(i, prefix="f", settings=i % 2 == 0) for i in range(tenants)
        ]
        self.sso_specs = {
            spec["id"]: sso_spec(spec["id"], i)
            for i, spec in enumerate(self.tenant_specs)
            if i % 4 == 3
        }
        self.flow_ids = [f"fault-flow-{i}" for i in range(flows)]
        self.flow_revision = 1

        def resource(type_token: str, name: str, provider: ResourceProvider) -> SingleResource:
            return SingleResource(host, provider, type_token, name, blob=blobs)

        self.resources = [
            resource(TENANT_TOKEN, f"tenant-{s['id']}", tenant_provider) for s in self.tenant_specs
        ]
        self.resources += [resource(FLOW_TOKEN, f"flow-{f}", flow_provider) for f in self.flow_ids]
        self.resources += [resource(SSO_TOKEN, f"sso-{t}", sso_provider) for t in self.sso_specs]
        self.deleted = False

    # --- desired state -----------------------------------------------------------------

    def props(self, resource: SingleResource) -> dict[str, Any]:
        if resource.type_token == TENANT_TOKEN:
            spec = next(s for s in self.tenant_specs if f"tenant-{s['id']}" == resource.name)
            return {**tenant_props(spec), "ssoManaged": spec["id"] in self.sso_specs}
        if resource.type_token == SSO_TOKEN:
            return dict(self.sso_specs[resource.name.removeprefix("sso-")])
        flow_id = resource.name.removeprefix("flow-")
        return {
            "flowId": flow_id,
            "content": flow_export(flow_id, revision=self.flow_revision),
            "deleteOnRemove": True,
        }

    def change_everything(self) -> None:
        """New desired state: every tenant renamed, half get new settings; flows revised."""
        for index, spec in enumerate(self.tenant_specs):
            spec["name"] = spec["name"] + " v2"
            spec["customAttributes"] = {**spec["customAttributes"], "tier": f"gold-{index}"}
            if "settings" in spec:
                spec["settings"]["sessionTokenExpiration"] = 60 + index
            elif index % 4 == 1:
                spec["settings"] = {"authType": "oidc", "domains": [f"sso-{index}.example.com"]}
            sso = self.sso_specs.get(spec["id"])
            if sso is not None:
                sso["domains"] = [f"sso-login-v2-{index}.example.com"]
                if sso.get("clientSecret"):
                    sso["clientSecret"] = f"rotated-secret-{index}"
                else:
                    sso["saml"] = {**sso["saml"], "attributeMapping": {"name": f"cn-{index}"}}
        self.flow_revision += 1

    # --- driving, as the engine does ---------------------------------------------------

    def up(self, resource: SingleResource) -> None:
        done = resource.up(self.props(resource))
        assert done != "replace", f"{resource.name} was replaced"

    def destroy(self, resource: SingleResource) -> None:
        resource.destroy()

    def step(self, resource: SingleResource) -> None:
        (self.destroy if self.deleted else self.up)(resource)

    def pending(self) -> list[SingleResource]:
        """Everything a re-run touches: all resources for up (unchanged ones diff to no-op),
        the ones still in state for destroy."""
        return [r for r in self.resources if r.id] if self.deleted else list(self.resources)

    # --- Descope -----------------------------------------------------------------------

    def set_faults(self, plan: dict[str, Any]) -> None:
        self.admin.post("/emulator/faults", json=plan).raise_for_status()

    def counters(self) -> dict[str, Any]:
        response = self.admin.get("/emulator/counters")
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    def descope(self) -> dict[str, Any]:
        response = self.admin.get("/emulator/state")
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    def close(self) -> None:
        self.admin.close()


def sso_spec(tenant_id: str, index: int) -> dict[str, Any]:
    """The SSO resource's inputs for tenant number `index`: SAML or OIDC, one domain each."""
    props: dict[str, Any] = {
        "tenantId": tenant_id,
        "domains": [f"sso-login-{index}.example.com"],
        "groupMappings": [],
        "defaultRoles": [],
    }
    if index % 8 == 3:
        props["saml"] = {"metadataUrl": f"https://idp-{index}.example.com/metadata"}
    else:
        props["oidc"] = {"issuer": f"https://idp-{index}.example.com", "clientId": f"c-{index}"}
        props["clientSecret"] = f"fault-secret-{index}"
    return props


def check_converged(world: World, context: str) -> None:
    """Descope equals the desired configuration; recorded outputs match Descope."""
    state = world.descope()
    tenant_ids = [t["id"] for t in state["tenants"]]
    assert len(tenant_ids) == len(set(tenant_ids)), f"{context}: duplicate tenants {tenant_ids}"
    names = [t["name"] for t in state["tenants"]]
    assert len(names) == len(set(names)), f"{context}: duplicate tenant names"
    flows = state["flows"]
    if world.deleted:
        assert tenant_ids == [], f"{context}: tenants left after delete: {tenant_ids}"
        managed = set(world.flow_ids) & set(flows)
        assert not managed, f"{context}: flows left after delete: {managed}"
        assert all(not r.id for r in world.resources), f"{context}: resources left in state"
        return

    wanted = {s["id"]: s for s in world.tenant_specs}
    assert sorted(tenant_ids) == sorted(wanted), f"{context}: tenants lost or extra"
    by_id = {t["id"]: t for t in state["tenants"]}
    for resource in world.resources:
        assert resource.id, f"{context}: {resource.name} not in state"
        if resource.type_token == TENANT_TOKEN:
            _check_tenant(resource, wanted[resource.id], by_id[resource.id], state, context)
        elif resource.type_token == SSO_TOKEN:
            spec = world.sso_specs[resource.id]
            _check_sso(resource, spec, by_id[resource.id], state, context)
        else:
            _check_flow(world, resource, flows, context)
    assert set(world.flow_ids) <= set(flows), f"{context}: flows lost"


def _check_tenant(
    resource: SingleResource,
    spec: dict[str, Any],
    tenant: dict[str, Any],
    state: dict[str, Any],
    context: str,
) -> None:
    where = f"{context}: tenant {spec['id']}"
    outputs = resource.outputs
    for key in ("name", "selfProvisioningDomains", "customAttributes"):
        assert tenant[key] == spec[key], f"{where}: Descope {key} {tenant[key]!r}"
        assert _plain(outputs[key]) == tenant[key], f"{where}: output {key} differs from Descope"
    # A tenant whose SSO is declared does not own its authType and SSO domains: its outputs
    # hold them as of its last read, the SSO resource's outputs as Descope holds them.
    sso_managed = bool(outputs.get("ssoManaged"))
    for key in ("federatedAppIds", *(() if sso_managed else ("authType", "domains"))):
        assert _plain(outputs[key]) == tenant[key], f"{where}: output {key} differs from Descope"
    settings = state["settings"][spec["id"]]
    if "settings" in spec:
        for key, value in spec["settings"].items():
            assert settings[key] == value, f"{where}: Descope settings.{key} {settings[key]!r}"
            assert _plain(outputs["settings"][key]) == value, f"{where}: output settings.{key}"


def _check_sso(
    resource: SingleResource,
    spec: dict[str, Any],
    tenant: dict[str, Any],
    state: dict[str, Any],
    context: str,
) -> None:
    """Descope holds the desired SSO configuration, and the outputs say what Descope holds."""
    where = f"{context}: SSO of {spec['tenantId']}"
    (held,) = state["sso"][spec["tenantId"]]["configurations"]
    outputs = resource.outputs
    protocol = "saml" if "saml" in spec else "oidc"
    assert (tenant["authType"], tenant["domains"]) == (protocol, spec["domains"]), where
    assert outputs["domains"] == spec["domains"], f"{where}: output domains"
    if protocol == "saml":
        assert held["saml"]["idpMetadataUrl"] == spec["saml"]["metadataUrl"], where
        name = spec["saml"].get("attributeMapping", {}).get("name", "name")
        assert held["saml"]["attributeMapping"]["name"] == name, f"{where}: mapping"
        return
    assert held["oidc"]["clientId"] == spec["oidc"]["clientId"], where
    assert held["clientSecretStored"], f"{where}: no client secret stored"
    fingerprint = secret_fingerprint(spec["tenantId"], "", spec["clientSecret"])
    assert outputs["clientSecretHash"] == fingerprint, f"{where}: secret hash"


def _check_flow(
    world: World, resource: SingleResource, flows: dict[str, Any], context: str
) -> None:
    flow_id = resource.id
    where = f"{context}: flow {flow_id}"
    desired = normalise_flow_export(flow_export(flow_id, revision=world.flow_revision))
    remote = normalise_flow_export(flows[flow_id])
    assert _contains(remote, desired), f"{where}: Descope holds other content"
    assert resource.outputs["deployedHash"] == content_hash(remote), f"{where}: deployedHash"
    assert resource.outputs["contentHash"] == content_hash(desired), f"{where}: contentHash"


def _contains(remote: Any, desired: Any) -> bool:
    """Whether Descope's copy holds every value of the desired one (it adds defaults)."""
    if isinstance(desired, dict):
        return isinstance(remote, dict) and all(
            k in remote and _contains(remote[k], v) for k, v in desired.items()
        )
    if isinstance(desired, list):
        return (
            isinstance(remote, list)
            and len(remote) == len(desired)
            and all(_contains(r, d) for r, d in zip(remote, desired, strict=True))
        )
    return bool(_plain(remote) == _plain(desired))


def _plain(value: Any) -> Any:
    """Pulumi's wire turns whole numbers into floats; compare them as ints."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def attempt_all(
    world: World, resources: list[SingleResource], pool_size: int = 4
) -> list[HostError]:
    """One `pulumi up` (or destroy) pass over `resources`, 4 at a time; the errors reported."""
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    def one(resource: SingleResource) -> HostError | None:
        try:
            world.step(resource)
        except HostError as error:
            return error
        return None

    with ThreadPoolExecutor(max_workers=pool_size) as pool:
        results = list(pool.map(one, resources))
    TALLY.operations += len(resources)
    errors = [e for e in results if e is not None]
    TALLY.failed_operations += len(errors)
    return errors
