"""Tools for Amazon Connect flows, used by the tests and the demo (not shipped to Lambda):
``flowkit.checker`` (the flow rules), ``flowkit.clock`` and ``flowkit.simulator`` (a call
played on a virtual clock)."""

__all__: list[str] = []
