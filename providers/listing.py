"""One tenant listing shared by the reads of a refresh, instead of one tenant load per read.

``pulumi refresh`` reads every tenant, up to four at a time, in one provider host process.
Each read needs the tenant (``GET /v1/mgmt/tenant``) and, when settings are managed, its
settings (no batch endpoint exists). This module lets the reads of such a burst share one
``load_all`` (``GET /v1/mgmt/tenant/all``): about 1 + 1/N calls per tenant instead of 2.

When a read uses the listing (`TenantListing.tenant`):

- a read that has no other read in flight loads its tenant directly, as before: a lone read
  (``pulumi refresh --target``, ``Tenant.get``, a test's read) costs what it always cost and
  never downloads every tenant of the project to read one;
- a read that overlaps others takes its tenant from the current listing if the listing holds
  it, is younger than the max age and nobody took it yet;
- a tenant the current listing did not hold is loaded directly (it may be gone, or new): a
  read never reports a tenant gone on a listing's word alone;
- otherwise (no listing, an old one, or one whose entry for this tenant is used up) one read
  fetches a new listing (single flight) while the others wait for it; a tenant missing from
  the new listing is loaded directly too.

What keeps a served tenant from being stale:

- a read never answers from a listing fetched before that read's command began. The engine
  starts each command (``pulumi up``, ``refresh``, ``destroy``...) by calling ``Configure`` on
  the provider host, before any other call of that command, and a host that serves several
  commands is configured again for each (Pulumi starts one host per command; a long-lived host,
  such as a test's or a tool's, is configured per command). `providers.runtime` makes the
  host's ``Configure`` call `command_began`, which starts a new command generation; a listing
  records the generation its fetch began in and serves reads of that generation only. The
  provider's own ``configure`` is no such signal: the host calls it once per provider it
  deserialises, not once per ``Configure``. A listing costs one ``load_all`` per command;
- consume once: an entry is served to one read, then dropped;
- a tenant this process loads directly or writes (create, update, delete, adopt) is dropped
  from the listing, and from a listing still being fetched when that happens: the listing may
  predate what this process saw or did;
- the listing is discarded when a read starts after more than `IDLE_GRACE` seconds without
  any read in flight (the burst it served is over: this also covers a host whose
  ``Configure`` cannot be watched, see `providers.runtime.watch_configure`), when it is older
  than the max age, and when the management client changes.

``DESCOPE_CONFIG_LISTING_MAX_AGE`` (seconds, default 30; read at every call) bounds the age of
a listing served from; ``0`` turns the listing off. If ``load_all`` fails (for instance a key
not permitted to list tenants) or answers something that is not a list of tenants, each with
an id and a name (`wire.TENANT_LIST`), reads load each tenant directly for the rest of the
process; this is logged once, at INFO.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from model.text import shown
from providers import calls, client, wire
from providers.errors import AnswerNotUnderstood, ConfigurationError, DescopeApiError

__all__ = [
    "DEFAULT_MAX_AGE",
    "MAX_AGE_ENV",
    "TenantListing",
    "command",
    "command_began",
    "forget",
    "listing",
    "max_age",
    "reading",
    "tenant",
]

log = logging.getLogger(__name__)

MAX_AGE_ENV = "DESCOPE_CONFIG_LISTING_MAX_AGE"
DEFAULT_MAX_AGE = 30.0
"""Seconds a listing may be served from, counted from when its fetch began."""
IDLE_GRACE = 1.0
"""Seconds without a read in flight after which the listing is discarded. Not zero: the reads
sharing a listing finish together (they waited for the same fetch), so there are short gaps
with no read in flight in the middle of a refresh."""

Tenant = dict[str, Any]
LoadOne = Callable[[], Tenant | None]

_commands = 0
_commands_lock = threading.Lock()


def command_began() -> None:
    """A new command began in this process (the engine called ``Configure``): no read from
    now on is answered from a listing fetched before."""
    global _commands  # noqa: PLW0603 - one generation per process is the point
    with _commands_lock:
        _commands += 1


def command() -> int:
    """The generation of the command in progress: how many times `command_began` was called."""
    with _commands_lock:
        return _commands


def max_age() -> float:
    """The max age in force (``DESCOPE_CONFIG_LISTING_MAX_AGE``; 0 = no listing).

    Raises `ConfigurationError` naming the variable when it is not a non-negative number.
    """
    raw = os.environ.get(MAX_AGE_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_AGE
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise ConfigurationError(
            f"The environment variable {MAX_AGE_ENV} is malformed ({raw!r}).",
            action="Set it to a number of seconds such as 30 (0 turns the tenant listing off), "
            "or unset it.",
        )
    return value


class TenantListing:
    """The process's tenant listing: thread-safe, single flight. See the module docstring.

    Other listings of one call that returns everything (roles, permissions: `providers.role`,
    `providers.permission`) subclass it, giving `what`, `_list` and `_entries_of`; `entry` is
    `tenant` in their words.
    """

    what = "tenant"
    """What is listed (singular), for the log line when listing fails."""
    lists_for_a_lone_read = False
    """Whether a read lists where a tenant read would load directly (no other read in flight,
    or an entry the current listing lacks): where loading one costs a call as well (roles,
    permissions), the listing it fetches serves the reads that follow. One still missing from
    a listing fetched for it is loaded directly before it is called gone."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._changed = threading.Condition()
        self._entries: dict[str, Tenant] = {}
        self._listed: frozenset[str] | None = None
        """Every tenant id the current listing held, served or not; None: no listing."""
        self._taken_at = 0.0
        self._command = -1
        """The command generation the current listing's fetch began in."""
        self._source: client.ManagementApi | None = None
        self._fetching = False
        self._dropped_while_fetching: set[str] = set()
        self._readers = 0
        self._idle_since = -IDLE_GRACE
        self._failed = False
        self.fetches = 0
        """Listings fetched by this object (for tests and diagnostics); changed under the lock,
        like every other attribute that reads and writes share."""

    # --- the reads in flight -----------------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Count one read in flight for its duration (see `IDLE_GRACE`)."""
        with self._changed:
            if self._readers == 0 and self._clock() - self._idle_since > IDLE_GRACE:
                self._discard()
            self._readers += 1
        try:
            yield
        finally:
            with self._changed:
                self._readers -= 1
                if self._readers == 0:
                    self._idle_since = self._clock()

    # --- serving a tenant --------------------------------------------------------------------

    def tenant(self, tenant_id: str, *, doing: str, load_one: LoadOne) -> Tenant | None:
        """The tenant as Descope holds it (None when it does not exist).

        From the listing when the module docstring's rules allow, else `load_one()` (the
        direct load). Call it inside `reading`.
        """
        limit = max_age()
        if limit <= 0:
            return self._direct(tenant_id, load_one)
        source = client.management()
        with self._changed:
            entry = self._take(tenant_id, limit, source)
            if entry is not None:
                return entry
            unlisted = self._listed is not None and tenant_id not in self._listed
            if unlisted and not self.lists_for_a_lone_read:
                return self._direct_unlocked(tenant_id, load_one)
            if self._fetching:
                while self._fetching:
                    self._changed.wait()
                entry = self._take(tenant_id, limit, source)
                if entry is not None:
                    return entry
                return self._direct_unlocked(tenant_id, load_one)
            if self._failed or (self._readers < 2 and not self.lists_for_a_lone_read):
                return self._direct_unlocked(tenant_id, load_one)
            self._fetching = True
            self._dropped_while_fetching.clear()
        fetched_at, fetched_in = self._clock(), command()
        try:
            fetched = self._fetch(source, doing)
        except BaseException:
            with self._changed:
                self._fetching = False
                self._changed.notify_all()
            raise
        with self._changed:
            self._fetching = False
            self._changed.notify_all()
            if fetched is not None:
                for dropped in self._dropped_while_fetching:
                    fetched.pop(dropped, None)
                self._entries, self._taken_at, self._source = fetched, fetched_at, source
                self._command = fetched_in
                self._listed = frozenset(fetched)
            self._dropped_while_fetching.clear()
            entry = self._take(tenant_id, limit, source)
        if entry is not None:
            return entry
        return self._direct(tenant_id, load_one)

    entry = tenant

    def _list(self, source: client.ManagementApi) -> Any:
        """The one call that lists everything (repeatable)."""
        return source.tenant.load_all()

    def _entries_of(self, answer: Any) -> dict[str, Tenant] | None:
        """The answer's entries by key, or None when the answer is not that shape."""
        try:
            listed = wire.TENANT_LIST.read(answer, doing=f"list Descope {self.what}s")
        except AnswerNotUnderstood:
            return None
        return wire.tenants_by_id(listed)

    def _discard(self) -> None:
        """No current listing any more (lock held)."""
        self._entries, self._listed = {}, None

    def _take(self, tenant_id: str, limit: float, source: client.ManagementApi) -> Tenant | None:
        """Pop the entry if the listing may serve it (lock held)."""
        stale = self._clock() - self._taken_at >= limit or self._command != command()
        if self._source is not source or stale:
            self._discard()
            return None
        return self._entries.pop(tenant_id, None)

    def _fetch(self, source: client.ManagementApi, doing: str) -> dict[str, Tenant] | None:
        """One ``load_all``; None (and no listing for the rest of the process) on failure."""
        try:
            answer = calls.call(lambda: self._list(source), doing=doing, repeatable=True)
        except AnswerNotUnderstood as exc:
            with self._changed:
                self.fetches += 1
            self._give_up(f"Descope's answer was not a list of {self.what}s: {exc.excerpt}")
            return None
        except DescopeApiError as exc:
            self._give_up(f"Descope refused it: {exc.detail or exc.summary}")
            return None
        with self._changed:
            self.fetches += 1
        entries = self._entries_of(answer)
        if entries is None:
            self._give_up(f"Descope's answer was not a list of {self.what}s")
        return entries

    def _give_up(self, why: str) -> None:
        with self._changed:
            first = not self._failed
            self._failed = True
        if first:
            log.info(
                "Listing all %ss failed (%s); reading each %s on its own from now on.",
                self.what,
                shown(why),
                self.what,
            )

    def _direct_unlocked(self, tenant_id: str, load_one: LoadOne) -> Tenant | None:
        """`_direct` from inside the lock: releases it for the call."""
        self._changed.release()
        try:
            return self._direct(tenant_id, load_one)
        finally:
            self._changed.acquire()

    def _direct(self, tenant_id: str, load_one: LoadOne) -> Tenant | None:
        try:
            return load_one()
        finally:
            self.forget(tenant_id)

    # --- invalidation ------------------------------------------------------------------------

    def forget(self, tenant_id: str) -> None:
        """Never serve `tenant_id` from a listing fetched before now: this process has just
        loaded or written it. Call it after the load or write (even a failed one)."""
        with self._changed:
            self._entries.pop(tenant_id, None)
            if self._fetching:
                self._dropped_while_fetching.add(tenant_id)

    def reset(self) -> None:
        """Back to a new process's state (tests)."""
        with self._changed:
            self._discard()
            self._dropped_while_fetching.clear()
            self._source = None
            self._command = -1
            self._readers = 0
            self._idle_since = -IDLE_GRACE
            self._failed = False
            self.fetches = 0


listing = TenantListing()
"""The process-wide listing the tenant provider reads through."""


def reading() -> AbstractContextManager[None]:
    """`TenantListing.reading` on the process-wide listing."""
    return listing.reading()


def tenant(tenant_id: str, *, doing: str, load_one: LoadOne) -> Tenant | None:
    """`TenantListing.tenant` on the process-wide listing."""
    return listing.tenant(tenant_id, doing=doing, load_one=load_one)


def forget(tenant_id: str) -> None:
    """`TenantListing.forget` on the process-wide listing."""
    listing.forget(tenant_id)
