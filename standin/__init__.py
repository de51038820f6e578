"""The stand-in for the Pulumi engine: ``up``, ``preview``, ``refresh`` and ``destroy`` of the
project's stacks without the pulumi CLI, played as Pulumi plays them.

- `standin.program`: runs the Pulumi program (``__main__.py``) under Pulumi's mocks and records
  what it registers, resource by resource, with the options the engine acts on.
- `standin.host`: Pulumi's own dynamic-provider host in its own process, spoken to over gRPC
  as the engine speaks to it.
- `standin.engine`: the operations (preview, up, refresh, destroy), by the engine's rules;
  its parts: `standin.graph` (what a run plays, in which order), `standin.steps` (one
  resource's step: Check, Diff, Create, Update, replace, Delete, Read), `standin.journal` (a
  run's state as its steps finish, and its checkpoints), `standin.snapshot` (what a stack
  records, and its state file's document), `standin.results` (what a run did).
- `standin.resource`: one resource driven alone through the host by the engine's steps (for
  what exercises one provider at a time: the tests of its answers, the benchmark).
- `standin.state`: the stack's state file, its lock, and Ctrl-C during a run.
- `standin.sealed`: secrets sealed in the state file with a key beside it, as Pulumi encrypts
  them.
- `standin.changes`: a run printed as the pulumi CLI prints one.
- `standin.files`, `standin.errors`: writing files whole or not at all; the error worded for
  the user.

The stand-in knows nothing of the commands (`ops`, which drive it) nor of the providers, the
configuration or the model: it sees the program and the provider host only as Pulumi does.
"""
