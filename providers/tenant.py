"""Descope tenants as a Pulumi dynamic resource.

The resource's properties are the tenant as `model.tenant.TenantSpec` declares it, in
Descope's camelCase vocabulary, with one exception: the tenant id is the property
``tenantId``. Pulumi reserves ``id`` on custom resources (the engine drops or rejects an
``id`` input: pulumi/pulumi#6335, #14501), and the resource's own id *is* the tenant id, so
``tenant.id`` and ``tenant.tenantId`` hold the same value.

Properties (inputs, recorded in state canonical: every key present, defaults filled in):

=========================  =======================================================  ========
key                        meaning                                                  change
=========================  =======================================================  ========
tenantId                   the tenant id                                            replace
name                       display name, unique in the project                      update
selfProvisioningDomains    email domains whose users join the tenant                update
customAttributes           tenant custom attributes                                 update
enforceSSO                 require SSO                                              update
enforceSSOExclusions       user ids exempt from enforceSSO                          update
disabled                   tenant disabled                                          update
defaultRoles               roles given to new members                               update
parent                     the parent's id (a sub-tenant); None = a top-level       replace
                           tenant (Descope sets a parent only at creation)
roleInheritance            what a sub-tenant takes from its parent; None = not      update
                           managed (not compared, not sent)
settings                   session/SSO settings; absent or None = not managed       update
adopt                      on create, manage an existing tenant with this id        state
cascadeDelete              on delete, also delete sub-tenants and tenant data       state
attributeDefinitionsDigest digest of the used tenantAttributes (optional)       ignored
attributeDefinitions       the definitions themselves (older states; optional)      ignored
ownRoles                   names of the tenant's own roles (optional)               ignored
ssoManaged                 the tenant's SSO (``sso:``) owns settings.domains and    state
                           settings.authType: settings writes send back what
                           Descope holds for them, and they are not compared
ssoCustomer                the customer manages the tenant's SSO (``sso:            state
                           {managedBy: customer}``): a delete's output counts its
                           configurations as customer-managed
codeSsoIds                 ssoIds of the SSO configurations the code manages        ignored
                           (optional): an id change leaves them to their resources
previousId                 the id before an id change (optional): the create        ignored
                           makes the old tenant's roles and undeclared SSO again
=========================  =======================================================  ========

A delete snapshots the tenant as a unit, with everything Descope deletes with it (its SSO
configurations, tenant roles and, with cascadeDelete, sub-tenants), and an id change carries
the roles and undeclared SSO configurations over: see `providers.tenant_unit`.

Outputs add what Descope adds: ``authType`` and ``domains`` (as the tenant holds them),
``federatedAppIds`` and ``ssoSetupSuiteSettings`` (None unless settings are managed). Nothing
that only a load can tell (``createdTime``, ``successors``) is recorded: a create's outputs come
from what it wrote, so a create costs no load. "state" changes are recorded without any call
to Descope.

Every answer is read through its wire shape (`providers.wire`) before it is used. An answer
that does not fit is never acted on: a load or a settings load that is not understood stops a
delete or an adopt before anything changes (nothing is deleted or adopted without a snapshot of
content that fitted); a write whose answer is not understood counts as done only when loading
the tenant shows the change, else the operation fails saying what was and was not written.
"Ignored" inputs are never sent and never make a change (`providers.references`: check
judges the custom attributes against the definitions; default roles naming the tenant's own
roles are written once those roles exist).

Replacement deletes before it creates (``delete_before_replace``): tenant names are unique
in a project, so creating the new tenant while the old one, with the same name, still exists
would fail. The old tenant is snapshotted to the backups folder before it goes.

The provider object is pickled into every resource's state: it holds only the stack's name.
Credentials and the backup folder are read at run time from the stack config (`configure`)
or the environment, through `providers.client` and `providers.runtime`. One instance serves up
to four calls at once; it keeps no per-call state on itself.

API calls per operation (a tenant with managed settings and no default roles; the bench,
``python -m bench``, counts them):

=====================  =====================================================================
operation              calls
=====================  =====================================================================
create                 create + settings (+ default roles when there are some); a later
                       step failing: load + load settings (snapshot) + delete
read, alone            load settings + load
read, in a refresh     load settings + a share of one tenant listing (`providers.listing`):
                       about 1 + 1/N per tenant for N tenants instead of 2
update                 per part that changed: tenant fields = one PATCH; settings = load
                       settings (to send ssoSetupSuiteSettings back as held) + settings
                       write; default roles = one write
delete                 load + load settings + SSO load (all) + role search (one snapshot of
                       the tenant and all that goes with it, `providers.tenant_unit`) +
                       delete; with cascadeDelete, a tenant listing and per sub-tenant a
                       settings load and an SSO load more
adopt                  load + load settings (snapshot), the writes needed (PATCH, settings,
                       default roles); no load back, no settings load before the write
id change (replace)    diff: one SSO load of the old tenant (can its SSO move?); then the
                       delete above, the create, and per moved role a create, per moved SSO
                       configuration a configure (a further one: new + configure)
=====================  =====================================================================

An update or delete that fails with an error reading "not found" makes one more load, to
confirm the tenant is gone before saying so (`_confirmed_gone`). A create whose answer is lost
or not understood loads the tenant and its settings to see whether it is ours (`_claim`); a
write whose answer is not understood makes one load to see whether it was made (`_write`).
A create the engine makes again because a run stopped before recording its result
(`providers.calls.RESUMED_CREATE_KEY`) judges the tenant it finds by the same rule, from the
time that first create began, and also takes as ours a tenant holding everything the
configuration declares (that create went on to set its settings and default roles).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)

from model.tenant import TenantSpec, tenant_problems
from providers import backups, calls, errors, listing, references, tenant_unit, wire
from providers.answers.tenant import (
    FLAG_KEYS,
    ID_KEY,
    INPUT_KEYS,
    OUTPUT_ONLY_KEYS,
    REPLACE_KEYS,
    SSO_CUSTOMER_KEY,
    SSO_MANAGED_KEY,
    TENANT_FIELDS,
    changed_keys,
    comparable,
    settings_from_descope,
    tenant_props,
    tenant_state,
    wire_fields,
)
from providers.errors import NOTHING_CHANGED, AnswerNotUnderstood, DescopeApiError
from providers.resource import PROVIDER_KEY, inputs_of, snapshot_before
from providers.runtime import DescopeProvider, has_unknowns
from providers.tenant_calls import (
    _confirmed_gone,
    _delete,
    _load,
    _load_settings,
    _quoted,
    adopt,
    created,
    roll_back,
    send_roles,
    send_settings,
    send_tenant,
    written_before,
)
from providers.tenant_create import create_tenant

__all__ = [
    "FLAG_KEYS",
    "ID_KEY",
    "INPUT_KEYS",
    "OUTPUT_ONLY_KEYS",
    "REPLACE_KEYS",
    "Tenant",
    "TenantProvider",
    "comparable",
    "registered_name",
    "settings_from_descope",
    "tenant_props",
]

log = logging.getLogger(__name__)


# --- inputs: the model's form and the resource's form ---------------------------------------


def _model_data(props: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a property bag the model validates, keyed as the model keys it."""
    data = {
        k: v
        for k, v in props.items()
        if k not in (PROVIDER_KEY, SSO_MANAGED_KEY, SSO_CUSTOMER_KEY)
        and k not in references.SIDE_KEYS
        and not (k in OUTPUT_ONLY_KEYS and v is None)
    }
    if ID_KEY in data:
        data["id"] = data.pop(ID_KEY)
    return data


def _property_of(path: tuple[str | int, ...], message: str) -> str:
    """The top-level property a problem belongs to (model-level rules name it first)."""
    if path:
        return ID_KEY if path[0] == "id" else str(path[0])
    first_word = message.split(" ", 1)[0]
    return first_word if first_word in INPUT_KEYS else ""


def _spec(props: Mapping[str, Any], doing: str) -> TenantSpec:
    data = _model_data(props)
    problems = tenant_problems(data)
    if problems:
        raise errors.invalid_inputs(
            doing, [(_property_of(p.path, p.message), p.message) for p in problems]
        )
    return TenantSpec.model_validate(data)


class TenantProvider(DescopeProvider):
    """Creates, reads, updates and deletes one Descope tenant per resource.

    Thread-safe: no per-call state on the instance.
    """

    # --- check -------------------------------------------------------------------------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate the inputs with the model's rules; one failure per bad top-level key.

        Values not known yet (preview) are not judged. Valid inputs come back canonical.
        """
        props = inputs_of(news)
        unknown = {k for k, v in props.items() if has_unknowns(v)}
        data = _model_data(props)
        failures: list[CheckFailure] = []
        seen: set[tuple[str, str]] = set()
        for problem in tenant_problems(data):
            key = _property_of(problem.path, problem.message)
            if key in unknown or (unknown and not problem.path):
                continue
            reason = problem.message
            if len(problem.path) > 1:
                reason = f"{problem.field}: {reason}"
            if (key, reason) not in seen:
                seen.add((key, reason))
                failures.append(CheckFailure(key, reason))
        if not failures and not unknown:
            failures = [CheckFailure(k, r) for k, r in references.side_problems(props)]
        if failures or unknown:
            return CheckResult(dict(props), failures)
        canonical = tenant_props(TenantSpec.model_validate(data))
        sso_flags = {key: bool(props.get(key)) for key in (SSO_MANAGED_KEY, SSO_CUSTOMER_KEY)}
        return CheckResult({**canonical, **references.side_inputs(props), **sso_flags}, [])

    # --- diff --------------------------------------------------------------------------------

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        """Compare the desired tenant with the recorded one (old outputs), both as Descope
        would hold them. A new tenant id or parent replaces (delete first: Descope sets a
        parent only when it creates a tenant); all else updates in place."""
        news = inputs_of(_news)
        olds = inputs_of(_olds)
        if not olds.get(ID_KEY):
            olds[ID_KEY] = _id
        unknown = {k for k, v in news.items() if has_unknowns(v)}
        if unknown:
            # A preview with values not known yet: an update at least. Only the replace keys
            # (plain strings) are compared; `comparable` cannot take Unknowns.
            replaces = [
                k
                for k in REPLACE_KEYS
                if k in unknown or str(news.get(k) or "") != str(olds.get(k) or "")
            ]
            return DiffResult(changes=True, replaces=replaces, delete_before_replace=True)
        changed = changed_keys(olds, news)
        replaces = [k for k in changed if k in REPLACE_KEYS]
        if ID_KEY in replaces:
            tenant_unit.check_movable(
                str(olds[ID_KEY]), str(news.get(ID_KEY)), references.code_sso_ids(news)
            )
        stables = [k for k in INPUT_KEYS if k not in REPLACE_KEYS]
        return DiffResult(
            changes=bool(changed),
            replaces=replaces,
            stables=stables,
            delete_before_replace=True,
        )

    # --- create ------------------------------------------------------------------------------

    @calls.operation("create")
    def create(self, props: dict[str, Any]) -> CreateResult:
        """Create the tenant, then its settings (if given) and default roles (if any).

        With ``adopt`` an existing tenant is snapshotted and brought to the desired state.
        If this call fails, the tenant has not been created: a tenant made before a later step
        failed is deleted again (snapshot first), or the error says exactly what is left.
        The outputs are derived from what was written: no load back.
        """
        result = self._create(props)
        if result.outs is not None:
            result.outs[SSO_CUSTOMER_KEY] = bool(props.get(SSO_CUSTOMER_KEY))
        return result

    def _create(self, props: dict[str, Any]) -> CreateResult:
        tenant_id = str(props.get(ID_KEY) or "")
        doing = f"create {_quoted(tenant_id)}"
        spec = _spec(props, doing)
        sso_managed = bool(props.get(SSO_MANAGED_KEY))
        if spec.adopt:
            with errors.when_not_understood(NOTHING_CHANGED):
                existing = _load(spec.id, doing)
            if existing is not None:
                own = references.own_roles(props)
                return adopt(self.backup_dir, spec, existing, doing, own, sso_managed=sso_managed)
        create_tenant(spec, doing)
        step = ""
        try:
            if spec.settings is not None:
                step = "setting its settings"
                send_settings(spec, None, doing, sso_managed=sso_managed)
            if spec.defaultRoles:
                step = "setting its default roles"
                send_roles(spec, doing, references.own_roles(props))
        except DescopeApiError as exc:
            roll_back(self.backup_dir, spec.id, step, exc)
        previous = props.get("previousId")
        if isinstance(previous, str) and previous != spec.id:
            tenant_unit.move(previous, spec.id, references.code_sso_ids(props))
        # Default roles naming own roles not created yet are added by those roles in this up.
        return created(spec, wire_fields(spec), sso_managed=sso_managed)

    # --- read --------------------------------------------------------------------------------

    @calls.operation("read")
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Load the tenant (and its settings, when managed) as Descope holds them now.

        Returns outputs and inputs both, so changes made outside Pulumi show as drift. A
        tenant that no longer exists returns ``ReadResult(None, {})``: refresh drops it. An
        answer that is not understood is an error: it never drops the tenant, nor changes
        what the state records.

        The tenant comes through `providers.listing`: a lone read loads it directly; reads
        that overlap (a refresh) share one listing of all tenants. The settings are loaded
        first, so the reads of a refresh overlap by the time they ask for their tenant.
        """
        tenant_id = str(id_ or props.get(ID_KEY) or "")
        doing = f"read {_quoted(tenant_id)}"
        with (
            listing.reading(),
            errors.when_not_understood(NOTHING_CHANGED + " The state is unchanged."),
        ):
            settings: dict[str, Any] | None = None
            sso: Any = None
            if props.get("settings") is not None:
                loaded_settings = _load_settings(tenant_id, doing)
                if loaded_settings is None:
                    return ReadResult(None, {})
                settings = settings_from_descope(loaded_settings)
                sso = loaded_settings.get("ssoSetupSuiteSettings")
            tenant = listing.tenant(
                tenant_id, doing=doing, load_one=lambda: _load(tenant_id, doing)
            )
        if tenant is None:
            return ReadResult(None, {})
        inputs, outputs = tenant_state(tenant, settings=settings, sso_setup=sso, flags=props)
        return ReadResult(tenant_id, outputs, inputs)

    # --- update ------------------------------------------------------------------------------

    @calls.operation("update")
    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        """Send only what changed: every managed tenant field if any of them changed (one
        PATCH, which leaves what we do not manage, such as federatedAppIds and an undeclared
        roleInheritance, as Descope holds it), the whole settings if they changed, the
        default roles if they changed. Management flags change in state only.

        Before a settings write the current settings are loaded: the endpoint zeroes what it
        is not sent, and ``ssoSetupSuiteSettings`` (not ours, edited in the console) must be
        sent back as Descope holds it now, not as the state last recorded it.

        A write whose answer is not understood counts as done only when loading the tenant
        shows the change; otherwise the update fails, saying what was and was not written."""
        olds = inputs_of(_olds)
        tenant_id = str(olds.get(ID_KEY) or _id)
        doing = f"update {_quoted(tenant_id)}"
        spec = _spec(_news, doing)
        sso_managed = bool(_news.get(SSO_MANAGED_KEY))
        changed = changed_keys({**olds, ID_KEY: tenant_id}, _news)
        sso = olds.get("ssoSetupSuiteSettings")
        written: list[str] = []
        sent: tuple[list[str], str] | None = None
        try:
            if any(k in changed for k in TENANT_FIELDS):
                send_tenant(spec, doing)
                written.append("its tenant fields")
            if "settings" in changed:
                with errors.when_not_understood(written_before(written) or NOTHING_CHANGED):
                    current = _load_settings(tenant_id, doing) or {}
                sso = current.get("ssoSetupSuiteSettings")
                sent = send_settings(spec, current, doing, sso_managed=sso_managed)
                written.append("its settings")
            if "defaultRoles" in changed:
                send_roles(spec, doing, references.own_roles(_news))
        except AnswerNotUnderstood as exc:
            before = written_before(written)
            raise (exc.told(before) if before and before not in exc.outcome else exc) from None
        except DescopeApiError as exc:
            if exc.is_not_found and _confirmed_gone(tenant_id):
                raise errors.tenant_gone(doing, tenant_id, exc) from None
            raise
        outputs = {k: olds.get(k) for k in OUTPUT_ONLY_KEYS}
        outputs.update(tenant_props(spec))
        outputs[SSO_MANAGED_KEY] = sso_managed
        outputs[SSO_CUSTOMER_KEY] = bool(_news.get(SSO_CUSTOMER_KEY))
        if spec.settings is not None:
            if sent is not None:
                outputs["domains"], outputs["authType"] = sent
            elif not sso_managed:
                outputs["authType"] = spec.settings.authType
                outputs["domains"] = list(spec.settings.domains)
            outputs["ssoSetupSuiteSettings"] = wire.sso_setup_suite(sso)
        else:
            outputs["ssoSetupSuiteSettings"] = None
        return UpdateResult(outputs)

    # --- delete ------------------------------------------------------------------------------

    @calls.operation("delete")
    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Snapshot the tenant with everything Descope deletes with it (`providers.tenant_unit`:
        settings, every SSO configuration, every tenant role and, with cascadeDelete, the
        sub-tenants with theirs), then delete it (with ``cascade`` only when cascadeDelete is
        true). A tenant already gone counts as deleted. Nothing is deleted unless every part
        was loaded, understood and saved, in one snapshot, to the backups folder first; the
        warning says what went with the tenant."""
        tenant_id = str(_id or _props.get(ID_KEY) or "")
        doing = f"delete {_quoted(tenant_id)}"
        cascade = bool(_props.get("cascadeDelete"))
        with errors.when_not_understood(
            "The tenant was not deleted: nothing is deleted without a snapshot of what Descope "
            "holds."
        ):
            tenant = _load(tenant_id, doing)
            if tenant is None:
                log.warning("%s was already deleted outside Pulumi.", _quoted(tenant_id))
                return
            settings = _load_settings(tenant_id, doing)
        try:
            content = tenant_unit.gather(
                tenant_id, tenant, settings, cascade=cascade, load_settings=_load_settings
            )
        except DescopeApiError as exc:
            if exc.is_not_found and _confirmed_gone(tenant_id):
                log.warning("%s was already deleted outside Pulumi.", _quoted(tenant_id))
                return
            raise
        said = tenant_unit.summary(content, customer=bool(_props.get(SSO_CUSTOMER_KEY)))
        path = snapshot_before(
            self.backup_dir,
            refusing="delete",
            subject=_quoted(tenant_id),
            kind="tenant",
            resource_id=tenant_id,
            reason="delete",
            content=content,
            warning=lambda saved: errors.unit_deleted(_quoted(tenant_id), said, str(saved)),
        )
        try:
            _delete(tenant_id, cascade=cascade, doing=doing, snapshot=path)
        except DescopeApiError as exc:
            if exc.status == 400:
                raise errors.tenant_delete_refused(exc) from None
            raise
        backups.remember_tenant_snapshot(tenant_id, path)


def registered_name(tenant_id: str) -> str:
    """The name the program registers a tenant under; with the type token, its identity (URN).

    A tenant whose id changes gets a new name, hence a new resource: the entry's ``previousId``
    makes the old name an alias, so the engine replaces the tenant instead."""
    return f"tenant-{tenant_id}"


class Tenant(pulumi.dynamic.Resource, module="descope", name="Tenant"):
    """A Descope tenant managed by Pulumi (type ``pulumi-python:dynamic/descope:Tenant``)."""

    tenantId: pulumi.Output[str]
    name: pulumi.Output[str]
    selfProvisioningDomains: pulumi.Output[list[str]]
    customAttributes: pulumi.Output[dict[str, Any]]
    enforceSSO: pulumi.Output[bool]
    enforceSSOExclusions: pulumi.Output[list[str]]
    disabled: pulumi.Output[bool]
    defaultRoles: pulumi.Output[list[str]]
    settings: pulumi.Output[dict[str, Any] | None]
    parent: pulumi.Output[str | None]
    roleInheritance: pulumi.Output[str | None]
    adopt: pulumi.Output[bool]
    cascadeDelete: pulumi.Output[bool]
    ssoManaged: pulumi.Output[bool]
    ssoCustomer: pulumi.Output[bool]
    authType: pulumi.Output[str]
    domains: pulumi.Output[list[str]]
    federatedAppIds: pulumi.Output[list[str]]
    ssoSetupSuiteSettings: pulumi.Output[dict[str, Any] | None]

    def __init__(
        self,
        resource_name: str,
        spec: TenantSpec | Mapping[str, Any],
        *,
        stack: str = "",
        attribute_definitions: Mapping[str, Any] | None = None,
        own_roles: Sequence[str] = (),
        sso_managed: bool = False,
        sso_customer: bool = False,
        code_sso_ids: Sequence[str] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """`attribute_definitions`, `own_roles` and `code_sso_ids` (the ssoIds of the SSO
        configurations the code manages): the side inputs (`providers.references`);
        `sso_managed`: the tenant declares ``sso:`` (see the ``ssoManaged`` property);
        `sso_customer`: as ``sso: {managedBy: customer}`` (``ssoCustomer``)."""
        declared = spec.model_dump() if isinstance(spec, TenantSpec) else spec
        protect, retain = declared.get("protect"), declared.get("retainOnDelete")
        previous = declared.get("previousId")
        own = pulumi.ResourceOptions(
            protect=protect if isinstance(protect, bool) else None,
            retain_on_delete=retain if isinstance(retain, bool) else None,
            aliases=(
                [pulumi.Alias(name=registered_name(previous))]
                if isinstance(previous, str)
                else None
            ),
        )
        opts = pulumi.ResourceOptions.merge(own, opts)
        props: dict[str, Any] = {**tenant_props(spec), **dict.fromkeys(OUTPUT_ONLY_KEYS)}
        for key in INPUT_KEYS:
            props.setdefault(key, None)
        used = props.get("customAttributes")
        props.update(
            references.side_props(
                attribute_definitions,
                own_roles,
                code_sso_ids,
                previous if isinstance(previous, str) else None,
                used if isinstance(used, Mapping) else (),
            )
        )
        props[SSO_MANAGED_KEY] = sso_managed
        props[SSO_CUSTOMER_KEY] = sso_customer
        super().__init__(TenantProvider(stack=stack), resource_name, props, opts)
