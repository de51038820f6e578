"""The emulated project's resources, one folder each, the moto way for a large service.

Each folder holds, for one resource (or a small family that shares its entities):

- ``models.py``: the entities with their wire shapes and the resource model, one typed method
  per management operation, raising :class:`~emulator.exceptions.DescopeApiError`, no HTTP;
  a model is given the :class:`~emulator.context.ProjectContext` (lock, clock, options, tenant
  table, the role lookup), never the whole backend;
- ``responses.py``: its routes (:class:`~emulator.routing.Route`), each handler parsing the
  request and calling one operation;
- ``persistence.py``: its part of the data file, checked on the way in (``parse_*``, nothing
  written) and held afterwards (``install_*``).

The resources: ``tenants``, ``settings`` (the tenant settings endpoint), ``roles`` (roles and
permissions), ``attributes`` (tenant custom-attribute definitions: no route of their own, set by
the admin API and by ``infra``), ``infra`` (the project configuration, ``/v1/mgmt/infra``, whose
``attributes.tenant`` are ``attributes``'), ``flows`` (flows and the theme), ``access_keys``,
``sso`` (per-tenant SSO configurations, XAA trust and admin links: large, so its model is split
into ``configurations`` (entities), ``requests`` (readers of its nested request objects),
``store`` (state and shared checks) and ``models`` (the operations)) and ``license``.

A resource imports the core (:mod:`emulator.context`, :mod:`emulator.tenant`,
:mod:`emulator.options`, :mod:`emulator.routing`, :mod:`emulator.records`,
:mod:`emulator.fields`, :mod:`emulator.exceptions`) and never the backend. Three dependencies
between resources are direct: tenants check custom attributes against ``attributes`` (and so
does ``infra``, which writes them), and a tenant record in the data file carries its
``settings``. Everything else goes through the context: the role lookup (answered by ``roles``)
and the tenant-deleted listeners (``sso``, ``roles`` and ``access_keys`` forget a deleted
tenant's). :class:`~emulator.backend.DescopeBackend` composes the models; :mod:`emulator.urls`,
:mod:`emulator.responses` and :mod:`emulator.persistence` join their routes and file parts.
"""
