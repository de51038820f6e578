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

So each write is a read-modify-write of the whole configuration (`rewrite`), one at a time in
this process: read it; refuse when it holds a field that looks like a credential
(`credential_paths`: a snapshot would hold it, or a write-back of a masked value could erase
it); change only ``attributes.tenant`` (an entry updated keeps its ``authorization`` and any key
Descope adds); save the whole configuration as read in a snapshot (kind ``project``) and read the
file back to verify it; read the configuration again and refuse when it changed since the first
read (someone else is writing: run again); write it whole; read it once more and verify that
every other section is exactly as read and the definitions are as written, else fail naming
the snapshot to restore from. Descope offers no version or condition on the write, so an edit
made elsewhere between the second read and the write (one round trip) is overwritten; the
snapshot holds the configuration as it was.

Create adopts a definition Descope holds exactly as declared (no write), and refuses one that
differs. Delete removes the entry after its snapshot; one already gone counts as deleted.
Tenants depend on the definitions they use, so a removal runs after the tenants' updates.
"""

from __future__ import annotations

import copy
import logging
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from model.attributes import AttributeDefinition as DefinitionSpec
from model.attributes import attribute_definition_problems
from model.text import shown
from providers import backups, calls, client
from providers.errors import NOTHING_CHANGED, AnswerNotUnderstood, DescopeProviderError
from providers.runtime import DescopeProvider, has_unknowns

__all__ = [
    "INFRA_PATH",
    "INPUT_KEYS",
    "REPLACE_KEYS",
    "AttributeDefinition",
    "AttributeDefinitionProvider",
    "credential_paths",
    "definition_props",
    "registered_name",
]

log = logging.getLogger(__name__)

PROVIDER_KEY = "__provider"
INPUT_KEYS = ("name", "type", "displayName", "options")
REPLACE_KEYS = ("name",)
INFRA_PATH = "/v1/mgmt/infra"
ENTITY = "project"
_CREDENTIAL_KEY = re.compile(
    r"(secret|password|passwd|privatekey|apikey|accesskeyid|token|credentials?|hmac\w*)$", re.I
)
_one_writer = threading.Lock()
"""One read-modify-write of the project configuration at a time in this process."""
Entries = list[dict[str, Any]]


def registered_name(name: str) -> str:
    """The name the program registers a definition under."""
    return f"attribute-{name}"


def definition_props(name: str, spec: DefinitionSpec) -> dict[str, Any]:
    """The resource's inputs for a declared definition (display name resolved)."""
    return {"name": name, **spec.as_data(name)}


def comparable(props: Mapping[str, Any]) -> dict[str, Any]:
    """Inputs, outputs or a held entry's form as Descope would hold them."""
    options = props.get("options")
    return {
        "name": str(props.get("name") or ""),
        "type": str(props.get("type") or ""),
        "displayName": str(props.get("displayName") or props.get("name") or ""),
        "options": list(options) if options else None,
    }


def _subject(name: str) -> str:
    return f'Descope tenant attribute "{shown(name)}"'


def _held_form(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A ``data.attributes.tenant`` entry as inputs (options by value)."""
    options = [o.get("value") for o in entry.get("options") or [] if isinstance(o, dict)]
    return comparable({**entry, "options": options})


def _entry(props: Mapping[str, Any], held: Mapping[str, Any] | None) -> dict[str, Any]:
    """The entry to write: the held one (its authorization and any other key kept) with the
    declared name, display name, type and options (label = value, as Descope's provider)."""
    form = comparable(props)
    entry = {"authorization": {"viewPermissions": []}, **copy.deepcopy(dict(held or {}))}
    entry.update(
        name=form["name"],
        displayName=form["displayName"],
        type=form["type"],
        options=[{"label": o, "value": o} for o in form["options"] or []],
    )
    return entry


# --- the project configuration ------------------------------------------------------------


def credential_paths(data: Any, path: str = "data") -> list[str]:
    """Where `data` holds a text field whose name looks like a credential (``clientSecret``,
    ``apiKey``, ``authToken``, ...), as ``data.connectors.x.clientSecret``."""
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            where = f"{path}.{key}"
            if isinstance(value, str) and value and _CREDENTIAL_KEY.search(str(key)):
                found.append(where)
            else:
                found.extend(credential_paths(value, where))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(credential_paths(value, f"{path}[{index}]"))
    return found


def _load(doing: str) -> dict[str, Any]:
    """The project configuration's ``data`` as ``GET /v1/mgmt/infra`` answers it."""
    api = client.management()
    params = {"entity": ENTITY, "id": client.current_settings().project_id}
    answer = calls.call(
        lambda: client.sso_request(api, "GET", INFRA_PATH, params=params),
        doing=doing,
        repeatable=True,
    )
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, dict) or not isinstance(_entries_or_none(data), list):
        raise AnswerNotUnderstood(
            doing,
            call=f"GET {INFRA_PATH}",
            expected='{"data": {"attributes": {"tenant": [...]}, ...}}',
            excerpt=shown(str(answer))[:120],
        ).told(NOTHING_CHANGED)
    return data


def _entries_or_none(data: Mapping[str, Any]) -> Entries | None:
    attributes = data.get("attributes", {})
    entries = attributes.get("tenant", []) if isinstance(attributes, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        return None
    return entries


def _entries(data: Mapping[str, Any]) -> Entries:
    return copy.deepcopy(_entries_or_none(data) or [])


def _without_definitions(data: Mapping[str, Any]) -> dict[str, Any]:
    rest = copy.deepcopy(dict(data))
    attributes = rest.get("attributes")
    if isinstance(attributes, dict):
        attributes.pop("tenant", None)
    return rest


def _find(entries: Entries, name: str) -> dict[str, Any] | None:
    return next((e for e in entries if e.get("name") == name), None)


def _refused(doing: str, detail: str, action: str) -> DescopeProviderError:
    return DescopeProviderError(f"Unable to {doing}:", detail, action=action)


def rewrite(
    change: Callable[[Entries], Entries],
    *,
    doing: str,
    subject: str,
    reason: backups.Reason,
    backup_dir: str,
) -> None:
    """Write the project configuration with ``attributes.tenant`` as `change` makes it, as the
    module says: checked, snapshotted and verified; nothing else changes."""
    setting = "descope-config:manageAttributeDefinitions"
    with _one_writer:
        first = _load(doing)
        credentials = credential_paths(first)
        if credentials:
            raise _refused(
                doing,
                f"the project configuration holds {', '.join(credentials[:5])}, which look like "
                "credentials: a snapshot would keep them in plain text, and writing the "
                f"configuration back could erase them. {NOTHING_CHANGED}",
                f"Define the tenant attributes in Descope's console and set {setting} to false.",
            )
        entries = _entries(first)
        wanted = change(copy.deepcopy(entries))
        if wanted == entries:
            return
        project_id = client.current_settings().project_id
        path = backups.snapshot_before(
            backup_dir,
            refusing="overwrite" if reason != "delete" else "delete",
            subject=subject,
            kind="project",
            resource_id=project_id,
            reason=reason,
            content={"project": first},
            project_id=project_id,
        )
        if backups.read_snapshot(path).content != {"project": first}:
            raise _refused(
                doing,
                f"the snapshot {path} does not read back as taken. {NOTHING_CHANGED}",
                "Check the backups folder's disk, then run again.",
            )
        if _load(doing) != first:
            raise _refused(
                doing,
                f"the project configuration changed while it was being read (someone else is "
                f"writing it). {NOTHING_CHANGED}",
                "Run `pulumi up` again once the other change is done.",
            )
        desired = copy.deepcopy(first)
        desired.setdefault("attributes", {})["tenant"] = wanted
        api = client.management()
        body = {"entity": ENTITY, "id": project_id, "data": desired}
        calls.call(
            lambda: client.sso_request(api, "PUT", INFRA_PATH, body=body),
            doing=doing,
            repeatable=True,
        )
        after = _load(doing)
        held = [_held_form(e) for e in _entries(after)]
        if _without_definitions(after) != _without_definitions(first) or held != [
            _held_form(e) for e in wanted
        ]:
            raise _refused(
                doing,
                "Descope's project configuration after the write is not the one written: a "
                "section other than the tenant attributes changed, or the definitions differ.",
                f"Compare it with the snapshot {path} (the configuration before the write) and "
                "restore what is missing in Descope's console.",
            )


# --- the provider -------------------------------------------------------------------------


class AttributeDefinitionProvider(DescopeProvider):
    """Creates, reads, updates and deletes one tenant attribute definition per resource."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """The model's rules for a definition; valid inputs come back canonical."""
        props = {k: v for k, v in news.items() if k != PROVIDER_KEY}
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
        news = {k: v for k, v in _news.items() if k != PROVIDER_KEY}
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
            held = _find(entries, name)
            if held is None:
                return [*entries, _entry(spec, None)]
            if _held_form(held) != spec:
                raise _refused(
                    doing,
                    f"Descope already defines it differently (held: {_described(_held_form(held))};"
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
        held = _find(_entries(_load(f"read {_subject(name)}")), name)
        if held is None:
            return ReadResult(None, {})
        state = _held_form(held)
        return ReadResult(id_ or name, state, dict(state))

    @calls.operation("update")
    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        """Rewrite the entry (its authorization kept); one gone since is added back."""
        new = comparable(_news)
        doing = f"update {_subject(new['name'])}"

        def replace(entries: Entries) -> Entries:
            held = _find(entries, new["name"])
            if held is None:
                return [*entries, _entry(new, None)]
            return [_entry(new, e) if e is held else e for e in entries]

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


def _property(path: tuple[str | int, ...]) -> str:
    """The input a model problem (at ``(name, "options", 0)``) is about."""
    key = str(path[1]) if len(path) > 1 else "name"
    return key if key in INPUT_KEYS else "name"


def _described(form: Mapping[str, Any]) -> str:
    options = f", options {form['options']}" if form["options"] else ""
    return f'type {form["type"]}, displayName "{shown(form["displayName"])}"{options}'


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
        super().__init__(
            AttributeDefinitionProvider(stack=stack),
            registered_name(name),
            definition_props(name, spec),
            opts,
        )
