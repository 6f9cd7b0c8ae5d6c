"""Tools for Amazon Connect flows, used by the tests, the demo and the benchmarks (not shipped to
Lambda): ``flowkit.checker`` (the flow rules), ``flowkit.plan`` (the module's plan, applied by
Terraform), and the call simulator: ``flowkit.simulator`` puts together ``interpreter`` (the
flow), ``services`` (the runtime on moto, the latency model) and ``report`` (what the caller
met), on ``flowkit.clock``'s virtual clock."""

__all__: list[str] = []
