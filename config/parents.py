"""Sub-tenants in a configuration file: what each tenant's ``parent`` may name.

A parent is a tenant declared in the same file (the program registers it first) or one that
already exists in Descope (the tenant provider looks it up before creating the sub-tenant,
and refuses it, naming tenant and parent, when it is absent). Refused here, each with its
file:line: a parent that is the old id of a renamed tenant (``previousId``: that tenant is
replaced, and its sub-tenants would lose their parent) and parents in a cycle (no tenant of
a cycle could be created first). A tenant naming itself is refused by `model.TenantSpec`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from config.reporting import Reporter, label
from model.tenant import parent_cycle

if TYPE_CHECKING:
    from config.reporting import MergedTenant


def check_parents(report: Reporter, tenants: list[MergedTenant]) -> None:
    """Report a parent that is a tenant's previous id, and each cycle of parents, once."""
    declared = {t.merged["id"]: t for t in tenants if isinstance(t.merged.get("id"), str)}
    parents: dict[str, str] = {}
    renamed = {
        t.merged["previousId"]: t for t in tenants if isinstance(t.merged.get("previousId"), str)
    }
    for tenant_id, tenant in declared.items():
        parent = tenant.merged.get("parent")
        if not isinstance(parent, str) or parent == tenant_id:
            continue  # not a tenant id, or its own: the tenant's own check says so
        holder = renamed.get(parent)
        if holder is not None and parent not in declared:
            who = label("tenant", holder.merged, holder.index)
            line = report.line_of(("tenants", holder.index, "previousId"))
            report.add(
                ("tenants", tenant.index, "parent"),
                f'parent "{parent}" is the previous id of {who} (previousId on line {line}), '
                "which is replaced under its new id: set parent to the new id.",
            )
            continue
        parents[tenant_id] = parent
    _report_cycles(report, declared, parents)


def _report_cycles(
    report: Reporter, declared: dict[str, MergedTenant], parents: dict[str, str]
) -> None:
    """Each cycle once, on every tenant in it, the whole cycle named with its lines."""
    remaining = dict(parents)
    while (cycle := parent_cycle(remaining)) is not None:
        steps = " → ".join(
            f'"{tenant_id}" (line {_parent_line(report, declared[tenant_id])})'
            for tenant_id in cycle[:-1]
        )
        for tenant_id in cycle[:-1]:
            report.add(
                ("tenants", declared[tenant_id].index, "parent"),
                f"the parents form a cycle (each tenant's parent follows it): {steps} → "
                f'"{cycle[0]}". A parent must exist before its sub-tenants, so none of these '
                "could be created: remove parent from one of them.",
            )
            remaining.pop(tenant_id, None)


def _parent_line(report: Reporter, tenant: MergedTenant) -> int | None:
    return report.line_of(("tenants", tenant.index, "parent"))
