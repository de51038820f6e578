"""The attribute definition resource's calls to Descope: the project configuration, read and
written whole (``GET``/``PUT /v1/mgmt/infra``), and the guarded read-modify-write of its tenant
attribute definitions (`rewrite`).

`providers.attribute_definition` says what each operation does and why the write is guarded
so (what Descope documents and what is inferred); the calls it makes live here. The requests
go through the SDK's own HTTP client (`providers.sdk_http.sso_request`): the SDK has no call for
them.
"""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

from model.text import shown
from providers import backups, calls, client, sdk_http
from providers.answers.attribute_definition import held_form
from providers.errors import NOTHING_CHANGED, AnswerNotUnderstood, DescopeProviderError
from providers.resource import snapshot_before

__all__ = [
    "INFRA_PATH",
    "Entries",
    "credential_paths",
    "entries_of",
    "find",
    "load",
    "refused",
    "rewrite",
]

INFRA_PATH = "/v1/mgmt/infra"
ENTITY = "project"
_CREDENTIAL_KEY = re.compile(
    r"(secret|password|passwd|privatekey|apikey|accesskeyid|token|credentials?|hmac\w*)$", re.I
)
_one_writer = threading.Lock()
"""One read-modify-write of the project configuration at a time in this process."""
Entries = list[dict[str, Any]]


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


def load(doing: str) -> dict[str, Any]:
    """The project configuration's ``data`` as ``GET /v1/mgmt/infra`` answers it."""
    api = client.management()
    params = {"entity": ENTITY, "id": client.current_settings().project_id}
    answer = calls.call(
        lambda: sdk_http.sso_request(api, "GET", INFRA_PATH, params=params),
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


def entries_of(data: Mapping[str, Any]) -> Entries:
    """A copy of the configuration's tenant attribute definitions (none when it has none)."""
    return copy.deepcopy(_entries_or_none(data) or [])


def _without_definitions(data: Mapping[str, Any]) -> dict[str, Any]:
    """The configuration but its tenant attribute definitions: what a write must keep."""
    rest = copy.deepcopy(dict(data))
    attributes = rest.get("attributes")
    if isinstance(attributes, dict):
        attributes.pop("tenant", None)
    return rest


def find(entries: Entries, name: str) -> dict[str, Any] | None:
    """The definition of that name, or None."""
    return next((e for e in entries if e.get("name") == name), None)


def refused(doing: str, detail: str, action: str) -> DescopeProviderError:
    """The error of a write the guards refused."""
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
        first = load(doing)
        credentials = credential_paths(first)
        if credentials:
            raise refused(
                doing,
                f"the project configuration holds {', '.join(credentials[:5])}, which look like "
                "credentials: a snapshot would keep them in plain text, and writing the "
                f"configuration back could erase them. {NOTHING_CHANGED}",
                f"Define the tenant attributes in Descope's console and set {setting} to false.",
            )
        entries = entries_of(first)
        wanted = change(copy.deepcopy(entries))
        if wanted == entries:
            return
        project_id = client.current_settings().project_id
        path = snapshot_before(
            backup_dir,
            refusing="overwrite" if reason != "delete" else "delete",
            subject=subject,
            kind="project",
            resource_id=project_id,
            reason=reason,
            content={"project": first},
        )
        if backups.read_snapshot(path).content != {"project": first}:
            raise refused(
                doing,
                f"the snapshot {path} does not read back as taken. {NOTHING_CHANGED}",
                "Check the backups folder's disk, then run again.",
            )
        if load(doing) != first:
            raise refused(
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
            lambda: sdk_http.sso_request(api, "PUT", INFRA_PATH, body=body),
            doing=doing,
            repeatable=True,
        )
        after = load(doing)
        held = [held_form(e) for e in entries_of(after)]
        if _without_definitions(after) != _without_definitions(first) or held != [
            held_form(e) for e in wanted
        ]:
            raise refused(
                doing,
                "Descope's project configuration after the write is not the one written: a "
                "section other than the tenant attributes changed, or the definitions differ.",
                f"Compare it with the snapshot {path} (the configuration before the write) and "
                "restore what is missing in Descope's console.",
            )
