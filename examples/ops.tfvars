# The knobs operators tune, with what each one trades (see README, "Tuning").
# Try one before applying:  terraform -chdir=examples/basic plan -var-file=../ops.tfvars

# Each start/check block may run this long before Connect takes its error branch (1-8 s).
flow_invocation_time_limit_seconds = 8

# One check call polls for up to this long: longer means fewer hold messages and Lambda calls,
# but a longer silence while it polls. Must leave 1 s under the time limit.
check_budget_ms = 4000

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
