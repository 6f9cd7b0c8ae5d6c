"""Tools for Amazon Connect flows, used by the tests and the demo (not shipped to Lambda)."""

from flowkit.checker import Violation, check_flow

__all__ = ["Violation", "check_flow"]
