"""`restore`: put tenants, roles, permissions, flows and the theme from a backup back INTO CODE;
``pulumi up`` applies them.

SOURCE is any of:

- a provider snapshot (``descope-config-snapshot/1``, written before a delete or overwrite)
  of a tenant, a role, a permission, a flow or the theme; a tenant's ``content`` is
  ``{tenant, settings, sso?, roles?, subTenants?}`` (``sso`` as a full backup's ``tenants[].sso``,
  ``roles`` the tenant's own roles with their ``tenantId``, ``subTenants`` of the same shape; an
  older snapshot holds only ``tenant`` and ``settings``);
- a full backup (``descope-config-backup/1``, from `ops backup`);
- a ``pulumi stack export`` file (``{"version": 3, "deployment": {"resources": [...]}}``):
  the recorded outputs of ``pulumi-python:dynamic/descope:Tenant``, ``...:Role``,
  ``...:Permission``, ``...:Flow``, ``...:Theme`` and ``...:SSOConfiguration`` resources (not
  those pending deletion, ``"delete": true``: the old versions of replaced ones).

A tenant is restored as a unit: its SSO configurations (in a full backup, a tenant or ``sso``
snapshot or a stack export's SSOConfiguration resources) and its own roles come with it
(`run`'s ``with_sso`` and ``with_roles``: ``--no-sso``, ``--no-roles``). Its entry's ``sso:`` is
edited key by key (`ops.project.sso.restore_sso`), unless the entry says the customer manages it
(``managedBy: customer``: left as it is). The sub-tenants a tenant snapshot holds are listed,
and restored as entries of their own (with their ``parent:``) only when chosen.
A restore never invents a client secret: an OIDC configuration's ``clientSecret`` keeps the
``${name}`` reference the entry has, or gets a placeholder reference, and the output says which
stack secret to set.

Each chosen tenant is written into the stack's tenants YAML, edited in place (`ops.edit.yaml_edit`):
only the restored entries change, every other line is kept as written. An entry that is there
is edited key by key (`ops.edit.tenant_entry`): what already loads as the backup holds it stays as
written, keys the ``defaults:`` block or the model already give are not written, ``${name}``
references are kept, and ``null`` is written only where a default must be overridden. A new
entry gets ``adopt: true`` and goes where the backup has it among its neighbours, written in the
forms the other entries use; existing ``adopt``/``protect``/``cascadeDelete`` are kept. Each
chosen flow is written to its flow file (normalised, sorted: the form `export` writes), and an
entry is added to ``flows:`` when missing. The theme (``--theme``, or ``--all``) is written to
the configuration's theme file as ``{"theme": {...}}`` (normalised); a ``theme:`` entry is added
when missing, its file beside the flow files. What the code already holds (a tenant that loads
as the backup holds it, a file with the same normalised content) is left as it is and reported
``unchanged``: an unchanged restore changes no file. After writing, the configuration is loaded
again (`config.load_configuration`) and each restored tenant compared with the backup; if
either fails, every file is put back as it was. Then ``pulumi preview`` shows what the restore
will change in Descope, and ``pulumi up`` does it.

Each chosen permission and role (``--permission NAME``, ``--role NAME`` for a project role,
``--role TENANT/NAME`` for a tenant's own role) is written into its entry under
``permissions:``, ``roles:`` or the tenant entry's ``roles:``, edited in place the same way
(`ops.edit.role_entry`), or added at the end of its list; a tenant's role needs its tenant's entry
(in the file, or restored with it).

A source taken from another Descope project or another stack (as far as it says) is refused
unless ``--from-other-stack``; a source holding an entry twice is refused, naming each and where
it is. A symlinked target file is written through its link.

Local edits are never overwritten silently: a target file with uncommitted changes in git is
refused, and outside git a target entry or flow file that exists with other content is
refused; ``--force`` overrides both. Review the change with ``git diff``.

The work is in three steps, one module each: `sources` reads SOURCE into one `Source`,
`planning` works out every edit in memory (`plan_restore`), `applying` writes them and checks
the result (`restore`); `command` is the command line's `run`.
"""

from __future__ import annotations

from ops.snapshots.restore.applying import RestoreResult, restore
from ops.snapshots.restore.command import run
from ops.snapshots.restore.sources import Source, read_source

__all__ = ["RestoreResult", "Source", "read_source", "restore", "run"]
