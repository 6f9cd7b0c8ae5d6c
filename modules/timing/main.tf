# Provider-free: the timing plan every other part of the module derives from, and (in
# variables.tf) the rules that reject a tuning Connect or Lambda would break at run time.

locals {
  check_budget_seconds = var.check_budget_ms / 1000
  # One flow loop: the hold message, then one check call (which may poll for its whole budget).
  loop_seconds = var.hold_prompt_seconds + local.check_budget_seconds
  loop_count   = ceil(var.max_wait_seconds / local.loop_seconds)

  # A run past this counts as failed (worker_timeout) for every reader.
  run_deadline_seconds = var.worker_timeout_seconds + var.dispatch_slack_seconds
}
