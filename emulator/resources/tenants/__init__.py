"""The tenants resource: see :mod:`emulator.resources`."""
