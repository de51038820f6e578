"""Operations around the Pulumi program: export, report, backup, restore and the demo.

`python -m ops <command>`; see `ops.cli`. This is the only package besides the Pulumi program
that joins `config` (the YAML side) and `providers` (the Descope side).
"""
