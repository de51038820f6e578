"""The roles resource: see :mod:`emulator.resources`."""
