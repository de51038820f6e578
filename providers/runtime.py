"""What every provider does inside Pulumi's dynamic-provider host.

The host calls `configure` once per provider it deserialises, with the stack config; nothing
else runs only there, so this is where the providers take their settings and set up how their
errors reach the user. The host's own ``Configure`` (once per command) is watched here too
(`watch_configure`): it tells `providers.listing` that a new command began.
"""

from __future__ import annotations

import functools
import logging
import os
import pickle
import sys
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

import pulumi.dynamic.dynamic as pulumi_dynamic
from pulumi.dynamic import ConfigureRequest, ResourceProvider
from pulumi.output import Unknown
from pulumi.runtime import rpc

from model.ownership import SETTING as UNMANAGED_KEY
from model.ownership import kinds_of, unmanaged_kinds
from providers import client, listing

log = logging.getLogger(__name__)

CONFIG_KEYS = ("descope:projectId", "descope:managementKey", "descope:baseUrl")
"""The stack config the providers read; secrets arrive unwrapped."""
DEBUG_ENV = "DESCOPE_CONFIG_DEBUG"
"""Set to keep Python tracebacks on provider errors (for reporting a bug)."""


def configure_provider(req: ConfigureRequest) -> None:
    """Hand the stack's descope:* settings to the client factory; make no call to Descope.

    Also makes the host report a provider error as its message alone: the host sends the user
    ``traceback.format_exc()`` (pulumi/pulumi#10040), and our messages are complete by
    themselves. ``DESCOPE_CONFIG_DEBUG=1`` keeps the tracebacks.
    """
    settings: dict[str, str | None] = {}
    for key in CONFIG_KEYS:
        value = req.config.get(key)
        settings[key] = None if value is None else str(value)
    client.configure(settings)
    if not os.environ.get(DEBUG_ENV):
        sys.tracebacklimit = 0


_PLAIN_SCALARS = (bool, int, float, type(None))


def has_unknowns(value: Any) -> bool:
    """Whether a preview left any part of `value` unknown.

    Runs for every property of every Check and Diff, so the types the host hands over
    (``str``, ``dict``, ``list``, numbers) are told apart by exact type before the slower
    ``isinstance`` checks against `Unknown` and the abstract `Mapping`.
    """
    kind = type(value)
    if kind is str:
        return bool(value == rpc.UNKNOWN)
    if kind is dict:
        return any(map(has_unknowns, value.values()))
    if kind is list:
        return any(map(has_unknowns, value))
    if kind in _PLAIN_SCALARS:
        return False
    if isinstance(value, Unknown) or (isinstance(value, str) and value == rpc.UNKNOWN):
        return True
    if isinstance(value, Mapping):
        return any(map(has_unknowns, value.values()))
    if isinstance(value, list | tuple):
        return any(map(has_unknowns, value))
    return False


BACKUP_DIR_KEY = "descope-config:backupDir"
"""The stack setting naming the snapshot folder (relative to the project folder)."""


def default_backup_dir(stack: str) -> str:
    """The snapshot folder of a stack that does not set ``descope-config:backupDir``."""
    return f"backups/{stack}" if stack else "backups"


def _serialized_without_leaving_patches(
    serialize: Callable[[ResourceProvider], str],
) -> Callable[[ResourceProvider], str]:
    """`serialize` (the SDK's ``serialize_provider``), putting back the pickler methods it
    replaces. The SDK wraps ``pickle._Pickler._batch_setitems`` in a sorting wrapper at every
    call and never restores it, so each dynamic resource a program registers nests one more
    wrapper: a program with about a thousand of them fails with "maximum recursion depth
    exceeded" (pulumi/pulumi#17803, #16974). Idempotent: applied once per process."""
    if getattr(serialize, "_restores_pickler", False):
        return serialize

    @functools.wraps(serialize)
    def run(provider: ResourceProvider) -> str:
        pickler: Any = pickle._Pickler
        saved = pickler._batch_setitems, pickler.save_dict
        try:
            return serialize(provider)
        finally:
            pickler._batch_setitems, pickler.save_dict = saved

    run._restores_pickler = True  # type: ignore[attr-defined]
    return run


pulumi_dynamic.serialize_provider = _serialized_without_leaving_patches(
    pulumi_dynamic.serialize_provider
)

HOST_MODULE = "pulumi.dynamic.__main__"
"""The module the dynamic-provider host runs as ``__main__`` (``python -m pulumi.dynamic``)."""
_SERVICER = "DynamicResourceProviderServicer"
_CONFIG_ATTRIBUTE = "_config"


def watch_configure(host: ModuleType | None) -> bool:
    """Make every later ``Configure`` of the host in `host` call `listing.command_began`;
    whether it could. Idempotent.

    The host's ``Configure`` stores the stack config as ``self._config`` on its servicer
    (``pulumi/dynamic/__main__.py``) and calls nothing of ours: the provider's `configure`
    runs once per provider the host deserialises, not per ``Configure``. So the attribute is
    made a property of the servicer's class whose setter also starts a new command. When the
    SDK's host is not the one expected (another module runs as ``__main__``, or the SDK
    changed), nothing is patched: the listings then rely on their idle grace alone
    (`providers.listing`), which is logged once.
    """
    if host is None or getattr(getattr(host, "__spec__", None), "name", None) != HOST_MODULE:
        return False
    servicer = getattr(host, _SERVICER, None)
    held = getattr(servicer, "__dict__", {}).get(_CONFIG_ATTRIBUTE)
    if isinstance(held, property):
        return True
    if not isinstance(servicer, type) or not isinstance(held, dict):
        log.info(
            "The provider host's Configure could not be watched (%s.%s.%s not found): a tenant "
            "listing is kept for reads less than %s s apart, across commands too.",
            HOST_MODULE,
            _SERVICER,
            _CONFIG_ATTRIBUTE,
            listing.IDLE_GRACE,
        )
        return False

    def stored(self: Any) -> Any:
        return self.__dict__.get(_CONFIG_ATTRIBUTE, held)

    def store(self: Any, config: Any) -> None:
        self.__dict__[_CONFIG_ATTRIBUTE] = config
        listing.command_began()

    setattr(servicer, _CONFIG_ATTRIBUTE, property(stored, store))
    return True


watch_configure(sys.modules.get("__main__"))


class DescopeProvider(ResourceProvider):
    """What the tenant, flow and theme providers share.

    An instance is pickled into every resource's state (by reference: module, class name and
    ``__dict__``), and an unchanged resource keeps the copy pickled at its last create or
    update: Read and Delete unpickle that copy. So the instance holds nothing a stack setting
    can change, only the stack's name; the settings (connection, backup folder) come from the
    stack config the host hands to `configure`, once per host process.

    `backup_dir` given to the constructor overrides the stack's setting. The program never
    passes it (it would be pickled into state); tools and tests that run a provider in this
    process do.
    """

    stack: str
    _backup_dir_override: str | None = None
    """Set on the instance only when given to the constructor (class default: none)."""
    _configured_backup_dir: str | None = None
    """Set by `configure`, after unpickling, so never part of the blob."""
    _configured_unmanaged: frozenset[str] = frozenset()
    """The kinds ``descope-config:leaveUnmanaged`` leaves to another tool (`model.ownership`),
    set by `configure` as the backup folder is."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Make the subclass's ``delete`` only forget a resource of a kind the stack now
        leaves to another tool (`_unless_left`)."""
        super().__init_subclass__(**kwargs)
        delete = cls.__dict__.get("delete")
        if callable(delete):
            wrapped = _unless_left(cls.__name__.removesuffix("Provider"), delete)
            setattr(cls, "delete", wrapped)  # noqa: B010 (mypy refuses assigning a method)

    def __init__(self, *, stack: str = "", backup_dir: str | None = None) -> None:
        super().__init__()
        self.stack = stack
        if backup_dir is not None:
            self._backup_dir_override = str(backup_dir)

    @property
    def backup_dir(self) -> str:
        """Where snapshots go: the constructor's override, else ``descope-config:backupDir``
        from the stack config, else ``backups/<stack>``."""
        if self._backup_dir_override is not None:
            return self._backup_dir_override
        return self._configured_backup_dir or default_backup_dir(self.stack)

    def configure(self, req: ConfigureRequest) -> None:
        """Take the connection settings and the backup folder from the stack config; make no
        call to Descope."""
        configure_provider(req)
        folder = req.config.get(BACKUP_DIR_KEY)
        self._configured_backup_dir = str(folder) if folder else None
        left = req.config.get(UNMANAGED_KEY)
        self._configured_unmanaged = unmanaged_kinds(None if left is None else str(left))


Delete = Callable[[Any, str, dict[str, Any]], None]


def _unless_left(type_name: str, delete: Delete) -> Delete:
    """`delete`, except for a resource of a kind the stack leaves to another tool: that one is
    only forgotten (the engine drops it from the state) and Descope keeps it, with a warning.

    This is what makes ``leaveUnmanaged`` safe to set on a stack that managed the kind: the
    program then registers none of it, and Pulumi deletes what the state still holds, through
    this; the other tool, which now owns the object, finds it as it was.
    """

    @functools.wraps(delete)
    def forgetting(self: DescopeProvider, _id: str, _props: dict[str, Any]) -> None:
        left = self._configured_unmanaged & kinds_of(type_name, _props)
        if not left:
            delete(self, _id, _props)
            return
        log.warning(
            "%s %s was not deleted in Descope: stack %s leaves %s to another tool (%s), so the "
            "stack only forgets it.",
            type_name,
            _id,
            self.stack,
            " and ".join(sorted(left)),
            UNMANAGED_KEY,
        )

    return forgetting
