"""The settings resource: see :mod:`emulator.resources`."""
