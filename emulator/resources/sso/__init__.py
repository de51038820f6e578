"""The sso resource: see :mod:`emulator.resources`."""
