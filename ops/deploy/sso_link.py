"""`sso-link`: the link a customer opens to set up its own SSO (Descope's SSO Setup Suite).

    python -m ops sso-link --stack prod --tenant initech [--sso-id ID] [--expires-in 6h]
        [--email it@initech.example]
    python -m ops sso-link --stack prod --tenant initech --revoke

Only for a tenant whose entry declares ``sso: {managedBy: customer}``: what the customer sets up
there is theirs, and no ``pulumi up`` writes or deletes it. For a tenant whose SSO the code
manages, the next ``pulumi up`` would overwrite the customer's work, so the command refuses and
says so. The link is printed once, to be sent to the customer; it is a credential of sorts (it
lets its holder change the tenant's SSO until it expires or is revoked): it is never written to
a file or a log here. ``--revoke`` revokes the tenant's links (of the configuration, with
``--sso-id``).
"""

from __future__ import annotations

import re

from model.text import shown
from ops.errors import OpsError
from ops.project.live import connect
from ops.stack import StackSettings, load_stack_configuration
from providers.calls import call
from providers.errors import DescopeApiError

_DURATION = re.compile(r"^(\d+)\s*([smhd]?)$")
_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
DEFAULT_EXPIRY = 6 * 3600
"""Six hours, the SDK's own example (``generate_sso_configuration_link``: "use 21600")."""
MAX_EXPIRY = 30 * 86400
"""Thirty days: a link outlives its use at the customer's peril; ours, not Descope's."""


def parse_duration(text: str) -> int:
    """``90m``, ``6h``, ``2d`` or plain seconds -> seconds; ValueError saying what is wrong."""
    match = _DURATION.match(text.strip().lower())
    if match is None:
        raise ValueError(f'"{text}" is not a duration: write seconds, or a number and s, m, h or d')
    seconds = int(match.group(1)) * _SECONDS[match.group(2)]
    if not 0 < seconds <= MAX_EXPIRY:
        raise ValueError(f'"{text}" must be more than 0 and at most 30 days')
    return seconds


def run(
    stack: StackSettings,
    *,
    tenant: str,
    sso_id: str | None = None,
    expires_in: int = DEFAULT_EXPIRY,
    email: str | None = None,
    revoke: bool = False,
) -> int:
    configuration = load_stack_configuration(stack)
    declared = {t.id for t in configuration.tenants}
    if tenant not in declared:
        raise OpsError(
            f'Tenant "{tenant}" is not in {stack.tenants_file} (stack {stack.name}). Check the '
            f"--tenant id; tenants declared: {', '.join(sorted(declared)) or 'none'}."
        )
    sso = configuration.tenant_sso.get(tenant)
    if sso is None or not sso.customer_managed:
        why = "declares its SSO as code" if sso is not None else "does not say who manages its SSO"
        raise OpsError(
            f'Tenant "{tenant}" {why} in {stack.tenants_file}: what the customer set up '
            "through the link would be overwritten by the next `pulumi up`. Declare "
            "`sso: {managedBy: customer}` on its entry, run `pulumi up`, then generate the link."
        )
    descope = connect(stack)
    api = descope.api.tenant
    doing = f'{"revoke" if revoke else "generate"} the SSO setup link of tenant "{tenant}"'
    try:
        if revoke:
            call(
                lambda: api.revoke_sso_configuration_link(tenant, sso_id=sso_id),
                doing=doing,
                repeatable=True,
            )
            print(
                f'Revoked the SSO setup links of tenant "{tenant}"'
                + (f" ({sso_id})." if sso_id else ".")
            )
            return 0
        link = call(
            lambda: api.generate_sso_configuration_link(
                tenant, expire_time=expires_in, email=email, sso_id=sso_id
            ),
            doing=doing,
            repeatable=False,
        )
    except DescopeApiError as exc:
        raise OpsError(str(exc)) from None
    hours = expires_in / 3600
    print(
        f'SSO setup link for tenant "{tenant}" of Descope project {descope.project_id}, valid '
        f"for {hours:g} hour(s); send it to the customer's IT, and revoke it with --revoke "
        "once they are done:"
    )
    print(shown(str(link)))
    return 0
