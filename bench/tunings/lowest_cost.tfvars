# check reads the tracker once and answers: almost no silence and the fewest GB-seconds; a result
# is heard when the hold message playing at that moment ends.
check_budget_ms = 0
