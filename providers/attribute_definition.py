"""A tenant custom-attribute definition as a Pulumi dynamic resource, written through the
project configuration (off unless ``descope-config:manageAttributeDefinitions`` is true).

Properties (inputs, recorded canonical; outputs are the same):

===========  =============================================================  ===============
key          meaning                                                        change
===========  =============================================================  ===============
name         the machine name: the key in a tenant's customAttributes       replace
type         string, number, boolean, singleselect, multiselect or date     update
displayName  the name Descope's console shows                               update
options      the values of a singleselect or multiselect attribute (else    update
             None)
===========  =============================================================  ===============

What Descope documents, and what is inferred. Descope publishes no call that writes a tenant
attribute definition: its API description (``descope-openapi.yml``) has the schemas
``InfraCreateRequest``, ``InfraUpdateRequest`` and ``InfraResponse`` (``entity``, ``id``,
``data``: an object) and no path for them. Descope's own Terraform provider
(github.com/descope/terraform-provider-descope) writes tenant attribute definitions only inside
the whole project configuration, its ``descope_project`` resource: ``GET
/v1/mgmt/infra?entity=project&id=<projectId>`` reads ``{"entity", "id", "data"}`` and ``PUT
/v1/mgmt/infra`` ``{"entity": "project", "id", "data"}`` writes it (``internal/infra/client.go``,
``internal/resources/project.go``); each definition is ``data.attributes.tenant[]``: ``{"name",
"displayName", "type", "options": [{"label", "value"}], "authorization": {"viewPermissions"}}``
(``internal/models/project/attributes/{shared,tenant}.go``; an option's label is its value).
That provider always sends its whole model, so whether a PUT with part of ``data`` merges or
replaces is not known; neither is whether a GET returns credentials (connector and OAuth
secrets) the PUT would need back.

So each write is a read-modify-write of the whole configuration (`providers.attribute_calls`:
`rewrite`), one at a time in this process: read it; refuse when it holds a field that looks
like a credential (`credential_paths`: a snapshot would hold it, or a write-back of a masked
value could erase it); change only ``attributes.tenant`` (an entry updated keeps its
``authorization`` and any key Descope adds); save the whole configuration as read in a snapshot
(kind ``project``) and read the file back to verify it; read the configuration again and refuse
when it changed since the first read (someone else is writing: run again); write it whole; read
it once more and verify that every other section is exactly as read and the definitions are as
written, else fail naming the snapshot to restore from. Descope offers no version or condition
on the write, so an edit made elsewhere between the second read and the write (one round trip)
is overwritten; the snapshot holds the configuration as it was.

Create adopts a definition Descope holds exactly as declared (no write), and refuses one that
differs. Delete removes the entry after its snapshot; one already gone counts as deleted.
Tenants depend on the definitions they use, so a removal runs after the tenants' updates.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from model.attributes import AttributeDefinition as DefinitionSpec
from model.attributes import attribute_definition_problems
from model.text import shown
from providers import calls
from providers.answers.attribute_definition import comparable, entry, held_form
from providers.attribute_calls import Entries, entries_of, find, load, refused, rewrite
from providers.errors import NOTHING_CHANGED
from providers.resource import inputs_of
from providers.runtime import DescopeProvider, has_unknowns

__all__ = [
    "INPUT_KEYS",
    "REPLACE_KEYS",
    "AttributeDefinition",
    "AttributeDefinitionProvider",
    "definition_props",
    "registered_name",
]

log = logging.getLogger(__name__)

INPUT_KEYS = ("name", "type", "displayName", "options")
REPLACE_KEYS = ("name",)


def registered_name(name: str) -> str:
    """The name the program registers a definition under."""
    return f"attribute-{name}"


def definition_props(name: str, spec: DefinitionSpec) -> dict[str, Any]:
    """The resource's inputs for a declared definition (display name resolved)."""
    return {"name": name, **spec.as_data(name)}


def _subject(name: str) -> str:
    return f'Descope tenant attribute "{shown(name)}"'


def _property(path: tuple[str | int, ...]) -> str:
    """The input a model problem (at ``(name, "options", 0)``) is about."""
    key = str(path[1]) if len(path) > 1 else "name"
    return key if key in INPUT_KEYS else "name"


def _described(form: Mapping[str, Any]) -> str:
    options = f", options {form['options']}" if form["options"] else ""
    return f'type {form["type"]}, displayName "{shown(form["displayName"])}"{options}'


class AttributeDefinitionProvider(DescopeProvider):
    """Creates, reads, updates and deletes one tenant attribute definition per resource."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """The model's rules for a definition; valid inputs come back canonical."""
        props = inputs_of(news)
        if any(has_unknowns(v) for v in props.values()):
            return CheckResult(props, [])
        name = str(props.get("name") or "")
        definition = {k: props.get(k) for k in ("type", "displayName", "options")}
        definition = {k: v for k, v in definition.items() if v is not None}
        problems = attribute_definition_problems({name: definition})
        if problems:
            failures = [
                pulumi.dynamic.CheckFailure(_property(p.path), f"{p.field}: {p.message}")
                for p in problems
            ]
            return CheckResult(props, failures)
        spec = DefinitionSpec.model_validate(definition)
        return CheckResult(definition_props(name, spec), [])

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        """Desired against recorded; a new name replaces, the rest updates."""
        news = inputs_of(_news)
        if any(has_unknowns(v) for v in news.values()):
            return DiffResult(changes=True, replaces=[], stables=[])
        old, new = comparable(_olds), comparable(news)
        changed = [k for k in INPUT_KEYS if old[k] != new[k]]
        replaces = [k for k in changed if k in REPLACE_KEYS]
        return DiffResult(
            changes=bool(changed), replaces=replaces, stables=[], delete_before_replace=True
        )

    @calls.operation("create")
    def create(self, props: dict[str, Any]) -> CreateResult:
        """Add the definition, or adopt it when Descope holds it exactly as declared; refuse
        one of that name that differs."""
        spec = comparable(props)
        name = spec["name"]
        doing = f"create {_subject(name)}"

        def add(entries: Entries) -> Entries:
            held = find(entries, name)
            if held is None:
                return [*entries, entry(spec, None)]
            if held_form(held) != spec:
                raise refused(
                    doing,
                    f"Descope already defines it differently (held: {_described(held_form(held))};"
                    f" declared: {_described(spec)}). {NOTHING_CHANGED}",
                    "Declare it as Descope holds it, run `pulumi up`, then change it; or give "
                    "the declared one another name.",
                )
            return entries

        rewrite(
            add, doing=doing, subject=_subject(name), reason="overwrite", backup_dir=self.backup_dir
        )
        return CreateResult(name, dict(spec))

    @calls.operation("read")
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """The definition as Descope holds it now; ``ReadResult(None, {})`` when it is gone."""
        name = str(props.get("name") or id_)
        held = find(entries_of(load(f"read {_subject(name)}")), name)
        if held is None:
            return ReadResult(None, {})
        state = held_form(held)
        return ReadResult(id_ or name, state, dict(state))

    @calls.operation("update")
    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        """Rewrite the entry (its authorization kept); one gone since is added back."""
        new = comparable(_news)
        doing = f"update {_subject(new['name'])}"

        def replace(entries: Entries) -> Entries:
            held = find(entries, new["name"])
            if held is None:
                return [*entries, entry(new, None)]
            return [entry(new, e) if e is held else e for e in entries]

        rewrite(
            replace,
            doing=doing,
            subject=_subject(new["name"]),
            reason="overwrite",
            backup_dir=self.backup_dir,
        )
        return UpdateResult(dict(new))

    @calls.operation("delete")
    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Remove the entry after a snapshot of the whole configuration; gone counts as
        deleted."""
        name = str(_props.get("name") or _id)
        doing = f"delete {_subject(name)}"
        gone = False

        def remove(entries: Entries) -> Entries:
            nonlocal gone
            kept = [e for e in entries if e.get("name") != name]
            gone = len(kept) == len(entries)
            return kept

        rewrite(
            remove, doing=doing, subject=_subject(name), reason="delete", backup_dir=self.backup_dir
        )
        if gone:
            log.warning("%s was already deleted outside Pulumi.", _subject(name))


class AttributeDefinition(pulumi.dynamic.Resource, module="descope", name="AttributeDefinition"):
    """A tenant custom-attribute definition managed by Pulumi
    (``pulumi-python:dynamic/descope:AttributeDefinition``)."""

    name: pulumi.Output[str]
    type: pulumi.Output[str]
    displayName: pulumi.Output[str]
    options: pulumi.Output[list[str] | None]

    def __init__(
        self,
        name: str,
        spec: DefinitionSpec,
        *,
        stack: str = "",
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """The definition `name` declares (`spec`), registered as `registered_name`."""
        super().__init__(
            AttributeDefinitionProvider(stack=stack),
            registered_name(name),
            definition_props(name, spec),
            opts,
        )
