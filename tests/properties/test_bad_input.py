"""Generated bad input never crashes, hangs or reaches Descope.

- YAML documents (tenant-ish mappings with random keys and values, tenant attribute
  definitions, roles and permissions, and raw text) given to `config.load_configuration`
  either load or raise `ConfigurationErrors` whose every problem has a message; nothing else
  is raised.
- Attribute definitions and values, and raw role and permission declarations, given to the
  model's cross-checks give problems located where the input has them; nothing is raised.
- Tenant props and flow props/JSON given to the providers' `check` (in-process) return a
  `CheckResult` whose every failure names a field and gives a non-empty reason, and valid
  results are valid; `check` never touches the Descope client (a tripwire stands in for it).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.workload import flow_export, tenant_spec
from config import Configuration, ConfigurationErrors, load_configuration
from model import (
    TenantSpec,
    attribute_definition_problems,
    authorization_problems,
    custom_attribute_problems,
    default_role_problems,
)
from providers import client, permission, references, role
from providers.flow import FlowProvider
from providers.permission import PermissionProvider
from providers.role import RoleProvider
from providers.tenant import INPUT_KEYS, TenantProvider
from tests.properties.conftest import CASES

TENANT_KEYS = [
    "id",
    "name",
    "selfProvisioningDomains",
    "customAttributes",
    "enforceSSO",
    "enforceSSOExclusions",
    "disabled",
    "defaultRoles",
    "settings",
    "adopt",
    "protect",
    "cascadeDelete",
]
SETTINGS_KEYS = [
    "domains",
    "authType",
    "sessionTokenExpiration",
    "sessionTokenExpirationUnit",
    "refreshTokenExpiration",
    "refreshTokenExpirationUnit",
    "enableInactivity",
    "inactivityTime",
    "inactivityTimeUnit",
    "JITDisabled",
]
ID_CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789-"
"""What a tenant id is made of (the regex below draws only these)."""
PROFILE = settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# --- strategies ---------------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(
        ["acme.com", "ACME.COM", "saml", "oidc", "minutes", "days", "", " x ", "${missing}"]
    ),
    st.sampled_from(["a\x00b", "x\u200b", "\u202eevil", "line\n", "\x1b[31m", "Tenant Admin"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
keys = st.one_of(st.sampled_from(TENANT_KEYS), st.text(min_size=1, max_size=15))
settings_like = st.dictionaries(
    st.one_of(st.sampled_from(SETTINGS_KEYS), st.text(min_size=1, max_size=10)),
    json_values,
    max_size=5,
)
tenant_like = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(
            # the alphabet given, or hypothesis works out every character UTF-8 encodes (seconds)
            st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True, alphabet=ID_CHARACTERS),
            scalars,
        ),
        "name": st.one_of(st.text(max_size=20), scalars),
        "selfProvisioningDomains": st.one_of(
            st.lists(st.sampled_from(["acme.com", "b.io", "Bad Domain", "x"]), max_size=3),
            json_values,
        ),
        "customAttributes": json_values,
        "enforceSSO": scalars,
        "enforceSSOExclusions": json_values,
        "defaultRoles": json_values,
        "settings": st.one_of(settings_like, json_values),
        "adopt": scalars,
    },
).flatmap(
    lambda base: st.dictionaries(keys, json_values, max_size=3).map(lambda extra: {**extra, **base})
)
near_valid_tenant = st.builds(
    lambda index, key, value, drop: {
        **{k: v for k, v in tenant_spec(index).items() if k != drop},
        **({key: value} if key else {}),
    },
    st.integers(min_value=0, max_value=99),
    st.one_of(st.none(), keys),
    json_values,
    st.sampled_from(["", "name", "id", "settings"]),
)


role_names = st.sampled_from(
    ["member", "Member", "billing-viewer", "acme-auditor", "Tenant Admin", "", "x\u200b"]
)
permission_names = st.sampled_from(
    ["billing.read", "Billing.Read", "reports.read", "User Admin", "", "p\x00"]
)
roles_like = st.lists(
    st.fixed_dictionaries(
        {"name": st.one_of(role_names, scalars)},
        optional={
            "permissions": st.one_of(st.lists(permission_names, max_size=3), json_values),
            "previousName": st.one_of(role_names, scalars),
            "description": scalars,
        },
    ),
    max_size=4,
)
permissions_like = st.lists(
    st.fixed_dictionaries(
        {"name": st.one_of(permission_names, scalars)},
        optional={"previousName": st.one_of(permission_names, scalars)},
    ),
    max_size=4,
)
attribute_names = st.sampled_from(["plan", "seats", "region", "renewal", "bad name", "a" * 21])
definitions_like = st.dictionaries(
    attribute_names,
    st.one_of(
        st.fixed_dictionaries(
            {
                "type": st.sampled_from(
                    ["string", "number", "boolean", "singleselect", "multiselect", "date", "x"]
                )
            },
            optional={
                "options": st.one_of(
                    st.lists(st.sampled_from(["a", "b", "a"]), max_size=3), scalars
                ),
                "displayName": scalars,
            },
        ),
        json_values,
    ),
    max_size=4,
)
tenant_with_roles = st.builds(
    lambda base, roles, attributes, defaults: {
        **base,
        **({"roles": roles} if roles is not None else {}),
        "customAttributes": attributes,
        "defaultRoles": defaults,
    },
    near_valid_tenant,
    st.one_of(st.none(), roles_like, json_values),
    st.dictionaries(
        attribute_names, st.one_of(scalars, st.lists(st.sampled_from(["a", "b"]))), max_size=3
    ),
    st.lists(role_names, max_size=3),
)


def _no_nul(text: str) -> str:
    return text.replace("\x00", "")


documents = st.one_of(
    st.fixed_dictionaries({"tenants": st.lists(near_valid_tenant, max_size=5)}),
    st.fixed_dictionaries(
        {"tenants": st.lists(tenant_with_roles, max_size=4)},
        optional={
            "tenantAttributes": st.one_of(definitions_like, json_values),
            "permissions": st.one_of(permissions_like, json_values),
            "roles": st.one_of(roles_like, json_values),
        },
    ),
    st.fixed_dictionaries(
        {"tenants": st.one_of(st.lists(tenant_like, max_size=4), json_values)},
        optional={
            "defaults": st.one_of(tenant_like, json_values),
            "flows": st.one_of(
                st.lists(
                    st.fixed_dictionaries(
                        # NUL in a file name: known loader bug, see test_nul_in_a_flow_file_name
                        {"id": st.text(max_size=10), "file": st.text(max_size=10).map(_no_nul)}
                    ),
                    max_size=2,
                ),
                json_values,
            ),
            "theme": json_values,
        },
    ),
    st.dictionaries(st.text(max_size=10), json_values, max_size=4),
    json_values,
)


def _yaml(document: Any) -> str:
    try:
        return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    except (yaml.YAMLError, ValueError):
        return repr(document)


# --- the loader -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="bad-input-") as tmp:
        yield Path(tmp)


def _load(folder: Path, text: str | bytes, kind: str) -> None:
    path = folder / "tenants.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    CASES[f"{kind} cases"] += 1
    errors: ConfigurationErrors | None = None
    try:
        configuration = load_configuration(path, variables={"env": "dev"})
    except ConfigurationErrors as exc:
        errors = exc
    if errors is None:
        assert isinstance(configuration, Configuration)
        CASES[f"{kind} accepted"] += 1
        return
    assert errors.problems, "ConfigurationErrors without problems"
    for problem in errors.problems:
        assert problem.message.strip(), problem
        assert problem.subject.strip(), problem
    assert str(errors).strip()
    CASES[f"{kind} rejected"] += 1


@pytest.mark.timeout(40)
@PROFILE
@given(document=documents)
def test_structured_yaml_loads_or_says_what_is_wrong(folder: Path, document: Any) -> None:
    _load(folder, _yaml(document), "structured YAML")


@pytest.mark.timeout(10)
def test_nul_in_a_flow_file_name(folder: Path) -> None:
    """Found by the structured YAML property: a flow file name holding NUL crashes the loader."""
    _load(folder, _yaml({"tenants": [], "flows": [{"id": "f", "file": "\x00"}]}), "regression")


@pytest.mark.timeout(40)
@PROFILE
@given(
    text=st.one_of(
        st.text(max_size=300),
        st.text(
            alphabet=st.sampled_from(list("tenants:-[]{}&*!|>'\"#% \n\t:,?id${}")), max_size=200
        ),
    )
)
def test_raw_text_loads_or_says_what_is_wrong(folder: Path, text: str) -> None:
    _load(folder, text, "raw YAML text")


@pytest.mark.timeout(40)
@PROFILE
@given(data=st.binary(max_size=200))
def test_raw_bytes_load_or_say_what_is_wrong(folder: Path, data: bytes) -> None:
    _load(folder, data, "raw bytes")


# --- the providers' check ---------------------------------------------------------------------


class Tripwire:
    """Stands in for the Descope client: any use is recorded and fails the test."""

    def __init__(self) -> None:
        self.touched: list[str] = []

    def __getattr__(self, name: str) -> Any:
        if name.startswith(("hypothesis_", "_")):  # test tools probing for mocks
            raise AttributeError(name)
        self.touched.append(name)
        raise AssertionError(f"check called Descope ({name})")


WIRE = Tripwire()


@pytest.fixture(scope="module", autouse=True)
def _tripwire() -> Iterator[None]:
    """The Descope client for the whole module is the tripwire."""
    with client.use_management(WIRE):
        yield
    assert WIRE.touched == [], f"check touched the Descope client: {WIRE.touched}"


def _assert_failures_name_fields(failures: list[Any], props: dict[str, Any]) -> None:
    for failure in failures:
        reason, field = failure.reason, failure.property
        assert isinstance(reason, str), failure
        assert reason.strip(), failure
        assert isinstance(field, str), failure
        top = field.split(".")[0].split("[")[0]
        named = field in props or any(field.startswith(str(key)) for key in props)
        assert named or top in (*INPUT_KEYS, "flowId", "content", ""), (field, reason)


tenant_props = st.one_of(tenant_like, near_valid_tenant).map(
    lambda spec: {("tenantId" if k == "id" else k): v for k, v in spec.items()}
)


def test_the_tripwire_trips() -> None:
    """The stand-in really is the client `check` would reach, and really fails when used."""
    with pytest.raises(AssertionError, match="called Descope"):
        _ = client.management().tenant
    assert WIRE.touched == ["tenant"]
    WIRE.touched.clear()


@pytest.mark.timeout(40)
@PROFILE
@given(props=tenant_props)
def test_tenant_check_accepts_or_names_the_field(props: dict[str, Any]) -> None:
    CASES["tenant check cases"] += 1
    result = TenantProvider().check({}, dict(props))
    assert WIRE.touched == []
    if result.failures:
        CASES["tenant check rejected"] += 1
        _assert_failures_name_fields(list(result.failures), props)
        return
    CASES["tenant check accepted"] += 1
    assert result.inputs is not None
    data = {("id" if k == "tenantId" else k): v for k, v in result.inputs.items()}
    TenantSpec.model_validate({k: v for k, v in data.items() if k in TENANT_KEYS})


@pytest.mark.timeout(40)
@PROFILE
@given(
    entry=roles_like.map(lambda entries: entries[0] if entries else {}),
    tenant_id=st.one_of(st.just(""), st.just("acme"), scalars),
    definitions=st.one_of(st.none(), definitions_like),
    attributes=st.dictionaries(st.text(max_size=8), json_values, max_size=3),
)
def test_role_permission_and_tenant_references_check_accept_or_name_the_field(
    entry: dict[str, Any], tenant_id: Any, definitions: Any, attributes: dict[str, Any]
) -> None:
    CASES["role and permission check cases"] += 1
    role_props = {**entry, "tenantId": tenant_id}
    permission_props = {k: v for k, v in entry.items() if k != "permissions"}
    tenant = {"tenantId": "acme", "name": "Acme", "customAttributes": attributes}
    if definitions is not None:
        tenant["attributeDefinitions"] = definitions
    for provider, props, keys in (
        (RoleProvider(), role_props, role.INPUT_KEYS),
        (PermissionProvider(), permission_props, permission.INPUT_KEYS),
        (TenantProvider(), tenant, (*INPUT_KEYS, *references.SIDE_KEYS)),
    ):
        result = provider.check({}, dict(props))
        assert WIRE.touched == []
        for failure in result.failures:
            assert isinstance(failure.reason, str)
            assert failure.reason.strip()
            assert failure.property in (*props, *keys, ""), failure.property
        if not result.failures:
            CASES["role and permission check accepted"] += 1


def _screens(draw_json: Any) -> Any:
    return st.lists(
        st.fixed_dictionaries(
            {"id": st.one_of(st.text(max_size=8), scalars)},
            optional={"htmlTemplate": draw_json, "interactions": draw_json},
        ),
        max_size=3,
    )


flow_content = st.one_of(
    json_values,
    st.builds(
        lambda revision, screens, key, value: {
            **flow_export("f1", revision=revision, screens=screens),
            **({key: value} if key else {}),
        },
        st.integers(min_value=1, max_value=5),
        st.integers(min_value=0, max_value=3),
        st.one_of(st.none(), st.sampled_from(["flow", "screens", "extra"])),
        json_values,
    ),
    st.fixed_dictionaries(
        {
            "flow": st.one_of(
                st.fixed_dictionaries(
                    {"id": st.one_of(st.just("f1"), scalars)},
                    optional={"name": scalars, "dsl": json_values, "version": scalars},
                ),
                json_values,
            )
        },
        optional={"screens": st.one_of(_screens(json_values), json_values)},
    ),
)


@pytest.mark.timeout(40)
@PROFILE
@given(
    # weighted towards valid ids and flags, so the content itself is what varies most
    flow_id=st.one_of(st.just("f1"), st.just("f1"), st.just("f1"), scalars),
    content=flow_content,
    delete_on_remove=st.one_of(st.booleans(), st.booleans(), st.booleans(), scalars),
)
def test_flow_check_accepts_or_names_the_field(
    flow_id: Any, content: Any, delete_on_remove: Any
) -> None:
    CASES["flow check cases"] += 1
    props = {"flowId": flow_id, "content": content, "deleteOnRemove": delete_on_remove}
    result = FlowProvider().check({}, props)
    assert WIRE.touched == []
    if result.failures:
        CASES["flow check rejected"] += 1
        _assert_failures_name_fields(list(result.failures), props)
        return
    CASES["flow check accepted"] += 1
    assert result.inputs is not None
    assert result.inputs["flowId"] == flow_id
    assert str(result.inputs["contentHash"]).startswith("sha256:")


# --- the model's cross-checks -------------------------------------------------------------------


@pytest.mark.timeout(40)
@PROFILE
@given(definitions=definitions_like, values=st.dictionaries(st.text(max_size=8), json_values))
def test_attribute_checks_name_each_attribute_or_accept(
    definitions: dict[str, Any], values: dict[str, Any]
) -> None:
    CASES["attribute check cases"] += 1
    valid = {n: d for n, d in definitions.items() if not attribute_definition_problems({n: d})}
    problems = custom_attribute_problems(values, valid)
    assert {p.path for p in problems} <= {("customAttributes", name) for name in values}
    assert all(p.message.strip() for p in problems)
    CASES["attribute check rejected" if problems else "attribute check accepted"] += 1


@pytest.mark.timeout(40)
@PROFILE
@given(
    permissions=st.one_of(st.none(), permissions_like),
    roles=st.one_of(st.none(), roles_like),
    tenant_roles=st.dictionaries(st.sampled_from(["acme", "globex"]), roles_like, max_size=2),
    default_roles=st.lists(st.one_of(role_names, st.text(max_size=6)), max_size=4),
)
def test_role_checks_locate_every_problem_in_the_input(
    permissions: list[Any] | None,
    roles: list[Any] | None,
    tenant_roles: dict[str, list[Any]],
    default_roles: list[str],
) -> None:
    CASES["role check cases"] += 1
    scoped = {tid: (("tenants", tid, "roles"), entries) for tid, entries in tenant_roles.items()}
    problems = authorization_problems(permissions, roles, scoped)
    written = [(("defaultRoles", k), name) for k, name in enumerate(default_roles)]
    problems += default_role_problems("acme", written, roles, scoped)
    for problem in problems:
        assert problem.message.strip()
        assert problem.path[0] in ("permissions", "roles", "tenants", "defaultRoles")
    CASES["role check rejected" if problems else "role check accepted"] += 1
