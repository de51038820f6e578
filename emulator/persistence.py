"""The data file: the emulator's whole project state as JSON, loaded at start, saved on change.

``python -m emulator --data-file PATH`` (or ``EmulatorApp(data_file=PATH)``) loads the state
from PATH when it exists and writes it back after every request that changed it, so two runs
see the same Descope. The file is a JSON object::

    {"format": "descope-emulator-state", "version": 1,
     "tenants": [{...Tenant wire object..., "settings": {...settings-only fields...}}],
     "flows": {"<flowId>": {"flow": {...}, "screens": [...]}},
     "theme": {...Theme wire object...},
     "tenantAttributes": {"<name>": {"type": ..., "displayName": ..., "options"?: [...]}},
     "permissions": [{...Permission wire object...}], "roles": [{...Role wire object...}],
     "sso": {"<tenantId>": {"configurations": [...], "adminLinks": [...]}},
     "accessKeys": [{...AccessKey wire object..., "cleartextHash": "<sha256>"}],
     "project": {...the project configuration but attributes.tenant...}}

Each resource reads and writes its own part (the ``persistence`` module of its folder in
:mod:`emulator.resources`); this module joins them and keeps the file. A file without
``permissions`` and ``roles`` keeps a fresh project's built-in ones; ``sso`` holds every
tenant's SSO configurations and SSO Setup Suite links, an OIDC client secret as its SHA-256
only; ``accessKeys`` each key with its cleartext's SHA-256 only (a file without it has none);
``project`` the project configuration (``/v1/mgmt/infra``), only when not a fresh project's.

Writes are atomic: a temporary file in the same folder (mode 0600), flushed and fsynced,
renamed over the old file, then the folder fsynced. A file that cannot be read or parsed is a
:class:`DataFileError` whose message is one line naming the file and what to do.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from emulator.backend import DescopeBackend
from emulator.records import FileRecord
from emulator.resources.access_keys.persistence import (
    access_keys_json,
    install_access_keys,
    parse_access_keys,
)
from emulator.resources.attributes.persistence import (
    attributes_json,
    install_attributes,
    parse_attributes,
)
from emulator.resources.flows.persistence import (
    flows_json,
    install_flows,
    parse_flows,
    parse_theme,
    theme_json,
)
from emulator.resources.infra.persistence import (
    KEY as PROJECT_KEY,
)
from emulator.resources.infra.persistence import (
    configuration_json,
    install_configuration,
    parse_configuration,
)
from emulator.resources.roles.persistence import install_roles, parse_roles, roles_json
from emulator.resources.sso.persistence import install_sso, restore_sso, sso_json
from emulator.resources.tenants.persistence import install_tenants, parse_tenants, tenants_json

__all__ = ["FORMAT", "VERSION", "DataFile", "DataFileError", "restore_state", "state_json"]

FORMAT = "descope-emulator-state"
VERSION = 1
JsonDict = dict[str, Any]


class DataFileError(Exception):
    """The data file cannot be read, parsed or written; the message is one line for the user."""


# --- state <-> JSON: each resource's part ------------------------------------------------


def state_json(backend: DescopeBackend) -> JsonDict:
    """The backend's whole state as the data file's JSON object (call holding its lock)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "tenants": tenants_json(backend.context),
        "flows": flows_json(backend.flow_model),
        "theme": theme_json(backend.flow_model),
        "tenantAttributes": attributes_json(backend.attributes),
        **roles_json(backend.authz),
        "sso": sso_json(backend.sso),
        "accessKeys": access_keys_json(backend.access_keys),
        **configuration_json(backend.infra),
    }


def restore_state(backend: DescopeBackend, data: Any) -> None:
    """Replace the backend's state with the data file's; nothing changes when it is invalid.

    Every resource's part is checked first (raising ValueError naming the first bad part,
    ``tenants[2].createdTime must be ...``), then every part is installed.
    """
    root = FileRecord("the file", data)
    if root.get("format") != FORMAT:
        raise ValueError(f'it has no "format": "{FORMAT}" key, so it is not an emulator data file')
    version = root.integer("version")
    if version != VERSION:
        raise ValueError(f"it has version {version}; this emulator reads version {VERSION}")
    tenants = parse_tenants(root)
    flows = parse_flows(root)
    theme = parse_theme(root)
    attributes = parse_attributes(root.mapping("tenantAttributes"))
    sso = restore_sso(root.mapping("sso"), set(tenants))
    access_keys = parse_access_keys(root.get("accessKeys", []), set(tenants))
    roles = parse_roles(root.data, tenants)
    configuration = parse_configuration(root.get(PROJECT_KEY))
    with backend.lock:
        install_roles(backend.authz, roles)
        install_tenants(backend.context, tenants)
        install_flows(backend.flow_model, flows, theme)
        install_attributes(backend.attributes, attributes)
        install_sso(backend.sso, sso)
        install_access_keys(backend.access_keys, access_keys)
        install_configuration(backend.infra, configuration)


# --- the file ------------------------------------------------------------------------------


class DataFile:
    """One data file on disk; remembers what it last wrote so unchanged state is not rewritten."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._last: bytes | None = None

    def read(self) -> Any | None:
        """The parsed JSON, or None when the file does not exist."""
        try:
            text = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise DataFileError(
                f"cannot read the emulator data file {self.path}: {error.strerror or error}; "
                "fix its permissions or pass another --data-file"
            ) from None
        try:
            data = json.loads(text)
        except (UnicodeDecodeError, ValueError) as error:
            raise self.corrupt(f"it is not valid JSON ({error})") from None
        self._last = text
        return data

    def corrupt(self, why: str) -> DataFileError:
        """The one-line error for a file whose content this emulator cannot use."""
        return DataFileError(
            f"the emulator data file {self.path} cannot be loaded: {why}. Fix the file, or move "
            "it away to start with an empty project"
        )

    def save(self, state: Mapping[str, Any]) -> bool:
        """Write ``state`` atomically (mode 0600) unless the file already holds it; True if written.

        Raises OSError when the file cannot be written.
        """
        text = (json.dumps(state, indent=2, ensure_ascii=False) + "\n").encode()
        if text == self._last:
            return False
        folder = self.path.parent
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{self.path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                os.fchmod(handle.fileno(), 0o600)
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        _fsync_folder(folder)
        self._last = text
        return True


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable; some filesystems refuse to open a folder, which is fine."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
