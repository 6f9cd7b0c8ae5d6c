# The knobs operators tune, with what each one trades (see README, "Tuning").
# Try one before applying:  terraform -chdir=examples/basic plan -var-file=../ops.tfvars

# Each start/check block may run this long before Connect takes its error branch (1-8 s).
flow_invocation_time_limit_seconds = 8

# One check call polls for up to this long: the caller hears silence meanwhile. Longer means a
# result is heard sooner when it lands during the poll, and fewer loops; shorter means less dead
# air and fewer Lambda GB-seconds. Must leave 1 s under the time limit. Default 1000.
check_budget_ms = 1500

# How often check reads the tracker while polling: shorter finds a result sooner, for more reads.
check_poll_interval_ms = 200

# How long the hold message takes to say; one loop is this plus one check call.
hold_prompt_seconds = 5

# How long a caller waits before "taking longer than expected" (at most 100 loops).
max_wait_seconds = 90

# The longest the task may run: at least max_wait_seconds.
worker_timeout_seconds = 180

# How long a result stays readable by tracking id (a caller may call back for it).
record_ttl_seconds = 172800

messages = {
  hold    = "Thanks for waiting. We are still working on your request."
  timeout = "This is taking longer than expected. We will text you when it is done."
}
