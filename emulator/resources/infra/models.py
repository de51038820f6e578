"""The project configuration (``/v1/mgmt/infra``, entity ``project``): its operations, no HTTP.

Descope does not publish this endpoint: its API description has the schemas
``InfraCreateRequest``, ``InfraUpdateRequest`` and ``InfraResponse`` (``entity``, ``id``,
``data``) and no path. What the emulator serves is read from Descope's Terraform provider
(``internal/infra/client.go``, ``internal/resources/project.go``):

- ``GET /v1/mgmt/infra?entity=project&id=<projectId>`` answers ``{"entity", "id", "data"}``,
  ``data`` the whole project configuration;
- ``PUT /v1/mgmt/infra`` with ``{"entity": "project", "id", "data"}`` writes it and answers as
  the GET does.

``data.attributes.tenant`` IS the project's tenant custom-attribute definitions
(:class:`~emulator.resources.attributes.models.TenantAttributes`), each written as the
Terraform provider writes it: ``{"name", "displayName", "type", "options": [{"label",
"value"}], "authorization": {"viewPermissions": [...]}}`` (an option's label is its value, as
that provider sends it). Every other section is kept opaque: stored and returned as given.

Unconfirmed, so a switch (:attr:`~emulator.options.EmulatorOptions.infra_put_merges`): whether a
PUT's ``data`` replaces the project configuration (the default, the more dangerous reading:
a section left out is gone) or is merged into it (objects merged key by key, anything else
replaced). Also unknown: what Descope does with tenants' values of an attribute whose definition
a PUT removes or retypes. The emulator refuses such a PUT (400 E011004 naming the attribute and
the tenants), the safe reading: nothing a tenant holds is left undefined.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from emulator import exceptions as exc
from emulator.context import ProjectContext
from emulator.resources.attributes.models import (
    AttributeDefinition,
    TenantAttributes,
    check_values,
    parse_definitions,
)

__all__ = ["ENTITY", "ProjectConfiguration", "fresh_data", "merged", "wire_definitions"]

ENTITY = "project"
JsonDict = dict[str, Any]


def fresh_data() -> JsonDict:
    """A fresh project's configuration, tenant attributes aside."""
    return {"name": "Emulated project", "attributes": {"user": [], "accessKey": []}}


def wire_definitions(definitions: Mapping[str, AttributeDefinition]) -> list[JsonDict]:
    """The definitions as ``data.attributes.tenant`` holds them."""
    return [
        {
            "name": d.name,
            "displayName": d.display_name,
            "type": d.type,
            "options": [{"label": o, "value": o} for o in d.options],
            "authorization": {"viewPermissions": list(d.view_permissions)},
        }
        for d in definitions.values()
    ]


def merged(held: Any, given: Any) -> Any:
    """`given` merged into `held`: objects key by key, anything else replaced by `given`."""
    if isinstance(held, dict) and isinstance(given, dict):
        return {**held, **{k: merged(held.get(k), v) for k, v in given.items()}}
    return copy.deepcopy(given)


def _definitions(entries: Any) -> dict[str, AttributeDefinition]:
    """``data.attributes.tenant`` as definitions; 400 naming the first bad entry."""
    if not isinstance(entries, list):
        raise exc.invalid_argument("The data.attributes.tenant field must be a list")
    raw: JsonDict = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise exc.invalid_argument(f"data.attributes.tenant[{index}] needs a name")
        options = entry.get("options") or []
        if not isinstance(options, list) or not all(
            isinstance(o, dict) and isinstance(o.get("value"), str) for o in options
        ):
            raise exc.invalid_argument(
                f"data.attributes.tenant[{index}].options must be a list of "
                '{"label": ..., "value": ...}'
            )
        authorization = entry.get("authorization") or {}
        one: JsonDict = {"type": entry.get("type"), "displayName": entry.get("displayName")}
        if options or entry.get("type") in ("singleselect", "multiselect"):
            one["options"] = [o["value"] for o in options]
        if isinstance(authorization, dict) and authorization.get("viewPermissions"):
            one["viewPermissions"] = authorization["viewPermissions"]
        if entry["name"] in raw:
            raise exc.invalid_argument(f"Tenant attribute {entry['name']!r} is defined twice")
        raw[entry["name"]] = one
    try:
        return parse_definitions(raw)
    except ValueError as error:
        raise exc.invalid_argument(str(error)) from None


class ProjectConfiguration:
    """The project configuration of the one emulated project (see the module)."""

    def __init__(self, context: ProjectContext, attributes: TenantAttributes) -> None:
        self.context = context
        self.attributes = attributes
        self.data: JsonDict = fresh_data()
        """Every section but ``attributes.tenant``, as last written."""

    def clear(self) -> None:
        """Back to a fresh project's configuration (the definitions are reset by theirs)."""
        with self.context.lock:
            self.data = fresh_data()

    def project_data(self) -> JsonDict:
        """The whole configuration, ``attributes.tenant`` from the definitions in force."""
        with self.context.lock:
            data = copy.deepcopy(self.data)
            sections = data.get("attributes")
            attributes = dict(sections) if isinstance(sections, dict) else {}
            attributes["tenant"] = wire_definitions(self.attributes.definitions)
            data["attributes"] = attributes
            return data

    def _answer(self) -> JsonDict:
        return {
            "entity": ENTITY,
            "id": self.context.options.project_id,
            "data": self.project_data(),
        }

    def _check_target(self, entity: Any, entity_id: Any) -> None:
        if not entity:
            raise exc.missing_field("entity")
        if entity != ENTITY:
            raise exc.invalid_argument(f"The entity {entity!r} is not supported; use 'project'")
        if not entity_id:
            raise exc.missing_id()
        if entity_id != self.context.options.project_id:
            raise exc.invalid_argument(f"The project {entity_id!r} is not this project")

    def load(self, entity: str | None, entity_id: str | None) -> JsonDict:
        """GET /v1/mgmt/infra?entity=project&id= → ``{"entity", "id", "data"}``."""
        with self.context.lock:
            self._check_target(entity, entity_id)
            return self._answer()

    def update(self, body: Mapping[str, Any]) -> JsonDict:
        """PUT /v1/mgmt/infra ``{"entity", "id", "data"}``: writes the configuration (replaced,
        or merged with ``infraPutMerges``); answers as :meth:`load`."""
        with self.context.lock:
            self._check_target(body.get("entity"), body.get("id"))
            given = body.get("data")
            if not isinstance(given, dict):
                raise exc.invalid_argument("The data field must be an object")
            merge = self.context.options.infra_put_merges
            data = merged(self.project_data(), given) if merge else copy.deepcopy(given)
            sections = data.get("attributes")
            if sections is not None and not isinstance(sections, dict):
                raise exc.invalid_argument("The data.attributes field must be an object")
            definitions = _definitions((sections or {}).get("tenant", []))
            self._check_tenants_fit(definitions)
            # every check passed: write
            if isinstance(sections, dict):
                data["attributes"] = {k: v for k, v in sections.items() if k != "tenant"}
            self.data = data
            self.attributes.definitions = definitions
            return self._answer()

    def _check_tenants_fit(self, definitions: Mapping[str, AttributeDefinition]) -> None:
        """Refuse definitions that leave a tenant's custom attribute undefined or misfit."""
        if not self.context.options.require_attribute_definitions:
            return
        for tenant in self.context.tenants.values():
            try:
                check_values(definitions, tenant.custom_attributes)
            except exc.DescopeApiError as error:
                raise exc.invalid_argument(
                    f"Tenant {tenant.id!r} holds a custom attribute the new definitions refuse "
                    f"({error.message or error.description}); change or remove the tenant's "
                    "value first"
                ) from None
