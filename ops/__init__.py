"""Operations around the Pulumi program: export, report, backup, restore and the demo.

`python -m ops <command>`; see `ops.cli`. This is the only package besides the Pulumi program
that joins `config` (the YAML side) and `providers` (the Descope side).

The commands live in rooms by what they do:

- `ops.project`: reading a Descope project (`live`, the client; `reader`, the one reader of a
  whole project into a `ProjectSnapshot`) and putting its answers in the configuration's terms;
- `ops.inspect`: `export` and `report` (with its SSO part), which read and never change Descope;
- `ops.snapshots`: `backup`, `stack-backup` and `restore` (split into reading sources, planning
  and applying);
- `ops.edit`: editing the tenants YAML in place, for restore;
- `ops.deploy`: preview/up/refresh/destroy, the demo and emulator, and `sso-link`.

Shared by all, at the top: `cli` (the command line), `stack` (a stack's settings, read once
into one `StackSettings`), `errors`, `files`, `progress` and `pulumi_cli` (finding and running
the pulumi CLI). Without that CLI the `deploy` commands play the program on the stand-in
engine, the top-level `standin` package.
"""
