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
     "accessKeys": [{...AccessKey wire object..., "cleartextHash": "<sha256>"}]}

A file without ``permissions`` and ``roles`` keeps a fresh project's built-in ones; ``sso``
(:mod:`emulator.sso_persistence`) holds every tenant's SSO configurations and SSO Setup Suite
links, an OIDC client secret as its SHA-256 only; ``accessKeys`` (:mod:`emulator.access_keys`)
each key with its cleartext's SHA-256 only (a file without it has none).

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

from emulator.attributes import definitions_json, parse_definitions
from emulator.models import (
    DescopeBackend,
    Flow,
    Screen,
    Tenant,
    TenantSettings,
    Theme,
)
from emulator.sso_persistence import restore_sso, sso_json

__all__ = ["FORMAT", "VERSION", "DataFile", "DataFileError", "restore_state", "state_json"]

FORMAT = "descope-emulator-state"
VERSION = 1
JsonDict = dict[str, Any]

_SHARED_SETTINGS_KEYS = ("domains", "selfProvisioningDomains", "authType")
"""Settings-object keys that belong to the tenant and are stored with it, not twice."""


class DataFileError(Exception):
    """The data file cannot be read, parsed or written; the message is one line for the user."""


# --- state <-> JSON ------------------------------------------------------------------------


def state_json(backend: DescopeBackend) -> JsonDict:
    """The backend's whole state as the data file's JSON object (call holding its lock)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "tenants": [_tenant_json(t) for t in backend.tenants.values()],
        "flows": {fid: flow.export() for fid, flow in backend.flows.items()},
        "theme": backend.theme.to_dict(),
        "tenantAttributes": definitions_json(backend.tenant_attributes),
        **backend.authz.to_json(),
        "sso": sso_json(backend.sso),
        "accessKeys": backend.access_keys.to_json(),
    }


def restore_state(backend: DescopeBackend, data: Any) -> None:
    """Replace the backend's state with the data file's; nothing changes when it is invalid.

    Raises ValueError naming the first bad part (``tenants[2].createdTime must be ...``).
    """
    root = _Reader("the file", data)
    if root.get("format") != FORMAT:
        raise ValueError(f'it has no "format": "{FORMAT}" key, so it is not an emulator data file')
    version = root.integer("version")
    if version != VERSION:
        raise ValueError(f"it has version {version}; this emulator reads version {VERSION}")
    tenants = [
        _tenant(_Reader(f"tenants[{i}]", raw)) for i, raw in enumerate(root.items("tenants"))
    ]
    by_id: dict[str, Tenant] = {}
    for tenant in tenants:
        if tenant.id in by_id:
            raise ValueError(f"tenant {tenant.id!r} appears twice")
        by_id[tenant.id] = tenant
    for tenant in tenants:
        if tenant.parent and tenant.parent not in by_id:
            raise ValueError(f"tenant {tenant.id!r} has parent {tenant.parent!r}, which is absent")
    flows = {
        fid: _flow(_Reader(f"flows[{fid!r}]", raw), fid)
        for fid, raw in root.mapping("flows").items()
    }
    theme = Theme(_Reader("theme", root.get("theme")).data)
    _Reader("theme", theme.data).integer("version")
    attributes = parse_definitions(root.mapping("tenantAttributes"))
    sso_configurations, sso_links = restore_sso(root.mapping("sso"), set(by_id))
    access_keys = backend.access_keys.restore(root.get("accessKeys", []), set(by_id))
    with backend.lock:
        if "permissions" in root.data or "roles" in root.data:
            backend.authz.restore(root.data, by_id)  # validates first, then replaces
        backend.replace_tenants(by_id)
        backend.flows = flows
        backend.theme = theme
        backend.tenant_attributes = attributes
        backend.sso.configurations = sso_configurations
        backend.sso.admin_links = sso_links
        backend.access_keys.keys = access_keys


def _tenant_json(tenant: Tenant) -> JsonDict:
    data = tenant.to_dict()
    del data["successors"]  # derived from the other tenants' parent
    settings = tenant.settings_dict()
    for key in _SHARED_SETTINGS_KEYS:
        del settings[key]
    data["settings"] = settings
    return data


def _tenant(r: _Reader) -> Tenant:
    s = _Reader(f"{r.where}.settings", r.get("settings", {}))
    return Tenant(
        id=r.text("id", required=True),
        name=r.text("name", required=True),
        created_time=r.integer("createdTime"),
        self_provisioning_domains=r.texts("selfProvisioningDomains"),
        custom_attributes=r.mapping("customAttributes"),
        auth_type=r.text("authType", default="none"),
        domains=r.texts("domains"),
        disabled=r.flag("disabled"),
        enforce_sso=r.flag("enforceSSO"),
        enforce_sso_exclusions=r.texts("enforceSSOExclusions"),
        federated_app_ids=r.texts("federatedAppIds"),
        parent=r.text("parent"),
        default_roles=r.texts("defaultRoles"),
        role_inheritance=r.text("roleInheritance"),
        settings=TenantSettings(
            enabled=s.flag("enabled"),
            refresh_token_expiration=s.integer("refreshTokenExpiration", default=0),
            refresh_token_expiration_unit=s.text("refreshTokenExpirationUnit"),
            session_token_expiration=s.integer("sessionTokenExpiration", default=0),
            session_token_expiration_unit=s.text("sessionTokenExpirationUnit"),
            stepup_token_expiration=s.integer("stepupTokenExpiration", default=0),
            stepup_token_expiration_unit=s.text("stepupTokenExpirationUnit"),
            enable_inactivity=s.flag("enableInactivity"),
            inactivity_time=s.integer("inactivityTime", default=0),
            inactivity_time_unit=s.text("inactivityTimeUnit"),
            jit_disabled=s.flag("JITDisabled"),
            sso_setup_suite_settings=s.mapping("ssoSetupSuiteSettings") or {"enabled": False},
        ),
    )


def _flow(r: _Reader, flow_id: str) -> Flow:
    data = _Reader(f"{r.where}.flow", r.get("flow")).data
    if data.get("id") != flow_id:
        raise ValueError(f"{r.where}.flow.id must be {flow_id!r}")
    _Reader(f"{r.where}.flow", data).integer("version")
    screens = []
    for i, raw in enumerate(r.items("screens")):
        screen = _Reader(f"{r.where}.screens[{i}]", raw)
        screen.text("id")
        screen.integer("version")
        screens.append(Screen(screen.data))
    return Flow(data, screens)


class _Reader:
    """Typed reads from one JSON object of the file; errors name ``where`` and the key."""

    def __init__(self, where: str, data: Any) -> None:
        if not isinstance(data, dict):
            raise ValueError(f"{where} must be a JSON object")
        self.where = where
        self.data: JsonDict = data

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def _bad(self, key: str, what: str) -> ValueError:
        return ValueError(f"{self.where}.{key} must be {what}")

    def text(self, key: str, *, default: str = "", required: bool = False) -> str:
        value = self.data.get(key, None if required else default)
        if not isinstance(value, str) or (required and not value):
            raise self._bad(key, "a non-empty string" if required else "a string")
        return value

    def integer(self, key: str, *, default: int | None = None) -> int:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._bad(key, "an integer")
        return value

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            raise self._bad(key, "true or false")
        return value

    def texts(self, key: str) -> list[str]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._bad(key, "a list of strings")
        return list(value)

    def items(self, key: str) -> list[Any]:
        value = self.data.get(key, [])
        if not isinstance(value, list):
            raise self._bad(key, "a list")
        return value

    def mapping(self, key: str) -> JsonDict:
        value = self.data.get(key, {})
        if not isinstance(value, dict):
            raise self._bad(key, "a JSON object")
        return value


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
