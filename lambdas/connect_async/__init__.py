"""Runtime of terraform-aws-connect-async-lambda: start, worker and check over a DynamoDB tracker.

Layout: ``contract`` and ``config`` name everything; ``events`` reads Connect's event;
``tracker`` is the only module that talks to DynamoDB; ``start``, ``worker`` and ``check`` hold
the logic; ``handlers`` are the thin Lambda entry points; ``tasks`` holds the shipped tasks.
"""

__all__ = ["REPOSITORY", "__version__"]

__version__ = "0.2.0"
# Where the module and this package live: every document's address is this one (a test).
REPOSITORY = "https://github.com/connect-async/terraform-aws-connect-async-lambda"
