"""What the program registers for tenants' SSO, per example stack."""

from __future__ import annotations

from pathlib import Path

import pytest
from pulumi.runtime import rpc

from standin.program import Registration, registrations
from tests.program.test_program import OIDC_SECRET, SECRET_KEYS, stack_config

REPO = Path(__file__).resolve().parents[2]
SSO = "pulumi-python:dynamic/descope:SSOConfiguration"
TENANT = "pulumi-python:dynamic/descope:Tenant"


def registered(stack: str, **config: str) -> dict[str, Registration]:
    run = registrations(
        REPO, stack=stack, config={**stack_config(stack), **config}, secret_keys=SECRET_KEYS
    )
    return {r.name: r for r in run.registrations}


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_each_stack_registers_one_resource_per_code_managed_configuration(stack: str) -> None:
    found = registered(stack)
    sso = {name: r for name, r in found.items() if r.type == SSO}
    assert sorted(sso) == ["sso-acme", "sso-globex", "sso-globex/contractors"]
    assert {r.inputs.get("saml") is not None for r in sso.values()} == {True, False}
    # Each depends on its tenant, which then owns no SSO field, and on the roles it maps to.
    for name, resource in sso.items():
        tenant = found[f"tenant-{resource.inputs['tenantId']}"]
        mapped = {m["role"] for m in resource.inputs.get("groupMappings") or []}
        mapped |= set(resource.inputs.get("defaultRoles") or [])
        roles = {found[f"role-{r}"].urn for r in mapped if f"role-{r}" in found}
        assert set(resource.dependencies) == {tenant.urn, *roles}, name
        assert tenant.inputs["ssoManaged"] is True
    # Customer-managed SSO: no resource, and the tenant owns no SSO field either.
    assert found["tenant-initech"].inputs["ssoManaged"] is True
    assert not any(r.inputs.get("tenantId") == "initech" for r in sso.values())


def test_the_client_secret_is_a_pulumi_secret_and_listed_as_a_secret_output() -> None:
    found = registered("staging")
    oidc = found["sso-globex"]
    assert rpc.is_rpc_secret(oidc.inputs["clientSecret"])
    assert rpc.unwrap_rpc_secret(oidc.inputs["clientSecret"]) == OIDC_SECRET
    assert set(oidc.additional_secret_outputs) == {"clientSecret", "clientSecretHash"}
    assert "clientSecret" not in oidc.inputs["oidc"]
    assert "clientSecret" not in found["sso-acme"].inputs


def test_prod_protects_and_retains_sso_as_its_tenants_and_dev_deletes() -> None:
    prod = registered("prod")
    assert all(r.protect and r.retain_on_delete for r in prod.values() if r.type == SSO)
    assert all(r.inputs["adopt"] for r in prod.values() if r.type == SSO)  # tenants adopt
    dev = registered("dev")
    assert not any(r.protect or r.retain_on_delete for r in dev.values() if r.type == SSO)


def test_the_dev_stack_holds_its_emulator_secret_in_plain_text(tmp_path: Path) -> None:
    run = registrations(REPO, stack="dev", config=stack_config("dev"), secret_keys=[])
    secret = {r.name: r for r in run.registrations}["sso-globex"].inputs["clientSecret"]
    assert rpc.is_rpc_secret(secret)  # a Pulumi secret all the same


def test_a_real_project_refuses_a_plain_text_client_secret() -> None:
    from standin.errors import StandinError  # noqa: PLC0415

    with pytest.raises(StandinError, match="is set in plain text") as refused:
        registrations(REPO, stack="prod", config=stack_config("prod"), secret_keys=[])
    assert OIDC_SECRET not in str(refused.value)
