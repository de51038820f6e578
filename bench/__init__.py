"""Benchmarks: how fast, how frugal with Descope's API and how light the providers are.

``python -m bench`` drives the providers through the real dynamic-provider host (the SDK's
``python -m pulumi.dynamic``, over gRPC, 4 calls in flight as under the engine) against the
emulator (``python -m emulator``) with a fixed per-call latency, and reports:

- wall time to create N tenants and its ratio to the lower bound (calls x latency / 4);
- API calls per operation (counted by the emulator) next to the minimum each needs;
- API calls per tenant for a full refresh;
- serialised provider bytes per resource and recorded state (outputs JSON) per tenant;
- peak memory (VmHWM) of the provider host;
- time to load and validate a generated 10,000-tenant YAML file.

Modules: `bench.lab` (emulator process + provider host + concurrent driving),
`bench.workload` (generated tenants and YAML), `bench.run` (the measurements),
`bench.report` (table and JSON).
"""
