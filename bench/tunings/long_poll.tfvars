# Polling on every call for 5 s (the module's default before it was measured): a result that
# lands while check polls is heard within a poll interval, for 5 s of silence in every loop.
check_budget_ms = 5000
check_poll_when = "always"
