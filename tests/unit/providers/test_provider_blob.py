"""Every provider's ``__provider`` blob stays small and by reference.

The blob is what `pulumi.dynamic.Resource` pickles (dill, through the SDK's
``serialize_provider``) into every resource's state, and what the provider host decodes on
its first call for each distinct blob. It must name the class by module and name and hold
only the instance's ``__dict__`` (the stack's name): no function, code or module-level object
pickled by value, which would make it big, slow to decode and bound to one Python version.
"""

from __future__ import annotations

import base64
import pickletools

import dill
import pulumi.dynamic.dynamic as pulumi_dynamic
import pytest

import providers.runtime  # noqa: F401 - mends the SDK's serializer, as the program does
from providers.access_key import AccessKeyProvider
from providers.attribute_definition import AttributeDefinitionProvider
from providers.flow import FlowProvider
from providers.permission import PermissionProvider
from providers.role import RoleProvider
from providers.runtime import DescopeProvider
from providers.sso import SSOConfigurationProvider
from providers.tenant import TenantProvider
from providers.theme import ThemeProvider

PROVIDERS: tuple[type[DescopeProvider], ...] = (
    AccessKeyProvider,
    AttributeDefinitionProvider,
    FlowProvider,
    PermissionProvider,
    RoleProvider,
    SSOConfigurationProvider,
    TenantProvider,
    ThemeProvider,
)
MAX_BLOB_BYTES = 160
"""The largest pickle of a provider (the longest module and class names and a long stack name
need about 120 bytes)."""
STACK = "production-eu-west"


def _globals(raw: bytes) -> list[str]:
    """The objects the pickle names by reference (module and name), in order."""
    strings: list[str] = []
    named: list[str] = []
    for opcode, arg, _pos in pickletools.genops(raw):
        if opcode.name in {"SHORT_BINUNICODE", "BINUNICODE", "UNICODE"}:
            strings.append(str(arg))
        elif opcode.name == "STACK_GLOBAL":
            named.append(".".join(strings[-2:]))
        elif opcode.name in {"GLOBAL", "INST"}:
            named.append(str(arg).replace(" ", "."))
    return named


def test_every_provider_class_is_listed() -> None:
    found = {cls for cls in DescopeProvider.__subclasses__() if cls.__module__ != __name__}
    assert found <= set(PROVIDERS)


@pytest.mark.parametrize("provider_class", PROVIDERS, ids=lambda cls: cls.__name__)
def test_the_blob_names_the_class_by_reference_and_holds_only_the_stack(
    provider_class: type[DescopeProvider],
) -> None:
    provider = provider_class(stack=STACK)

    raw = dill.dumps(provider, protocol=pickle_protocol())
    blob = base64.b64decode(pulumi_dynamic.serialize_provider(provider))

    for pickled in (raw, blob):
        assert len(pickled) <= MAX_BLOB_BYTES, pickled
        assert _globals(pickled) == [f"{provider_class.__module__}.{provider_class.__name__}"]
        decoded = dill.loads(pickled)
        assert type(decoded) is provider_class
        assert vars(decoded) == {"stack": STACK}
    assert provider_class.__module__.startswith("providers.")


def test_a_provider_with_more_on_it_is_caught() -> None:
    """The checks above see a module-level object pickled by value."""
    provider = TenantProvider(stack=STACK)
    provider.extra = {"payload": "x" * 200, "hook": _globals}  # type: ignore[attr-defined]

    raw = dill.dumps(provider, protocol=pickle_protocol())

    assert len(raw) > MAX_BLOB_BYTES
    assert _globals(raw) != ["providers.tenant.TenantProvider"]


def pickle_protocol() -> int:
    """The protocol the SDK pickles with (dill's default)."""
    return int(dill.settings["protocol"])
