# The module's default before it was measured: check polls for 5 s in every loop.
check_budget_ms = 5000
