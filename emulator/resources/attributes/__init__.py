"""The attributes resource: see :mod:`emulator.resources`."""
