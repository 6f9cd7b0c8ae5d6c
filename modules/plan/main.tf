# The module's plan: every tuning value turned into what the functions, Lambda and the flows use.
# Provider-free and self-contained (the contract, the settings schema and the flow templates are
# inside it), so the root module, `make demo`, the benchmarks and the tests all call this one
# module and get the same plan.
#
# The settings' variables (settings.tf) are generated from the runtime's settings schema
# (lambdas/connect_async/settings.py) with `make gen`, as is contract.json.

locals {
  contract  = jsondecode(file("${path.module}/contract.json"))
  settings  = local.contract.settings
  constants = local.contract.constants

  check_budget_seconds = var.check_budget_ms / 1000
  # One flow loop: the hold message, with a check call after each sentence. Counted at its
  # shortest, so the loops last at least max_wait_seconds: with check_poll_when = "due" a call
  # polls only when the run's end is due (most calls are one read), with "always" the last call
  # of a loop polls for the whole budget.
  loop_seconds = var.hold_prompt_seconds + (var.check_poll_when == "always" ? local.check_budget_seconds : 0)
  loop_count   = ceil(var.max_wait_seconds / local.loop_seconds)

  # check's Lambda timeout: the flow's time limit, or a push round's when longer.
  check_timeout_seconds = var.wait_mode == "push" ? max(var.flow_invocation_time_limit_seconds, var.push_wait_seconds) : var.flow_invocation_time_limit_seconds
  # Push (wait_mode = "push", the inbound flow's voice path): a round is one asynchronous check
  # call that holds for its time limit less the safety margin; the Continue branch plays the hold
  # message (or recording) more often than a round can last. Null in poll mode.
  push_hold_ms = var.push_wait_seconds * 1000 - local.constants.check_safety_margin_ms
  push = var.wait_mode != "push" ? null : {
    wait_seconds = var.push_wait_seconds
    hold_ms      = local.push_hold_ms
    loop_count   = ceil(var.max_wait_seconds * 1000 / local.push_hold_ms)
    hold_plays   = ceil(var.push_wait_seconds / var.hold_prompt_seconds) + 1
  }

  # Values the timing plan derives; the schema lists them (variable = null) with their formula.
  derived = {
    # A run past this counts as failed (worker_timeout) for every reader.
    run_deadline_seconds = var.worker_timeout_seconds + local.constants.dispatch_slack_seconds
  }
  values = merge(local.setting_values, local.derived)

  # Each function's environment, as far as settings go: every setting a function reads (the
  # schema's env and readers), plus the result keys check always answers. The root module adds
  # the names of what it creates (table, worker function, service name).
  environment = {
    for function in ["start", "check", "worker", "lookup", "reconciler"] : function => merge(
      {
        for name, setting in local.settings : setting.env => tostring(local.values[name])
        if setting.env != null && contains(setting.readers, function) && contains(keys(local.values), name)
      },
      contains(["check", "worker"], function) ? { RESULT_KEYS = join(",", var.result_attribute_keys) } : {},
      function == "lookup" ? { CONFIG_FIELDS = join(",", local.config_fields) } : {},
    )
  }
}

locals {
  # The reconciler's numeric attributes: their ranges (AWS's limits) and what a value outside says.
  reconciler_ranges = {
    maximum_batching_window_seconds = { min = 0, max = 300, unit = "seconds", why = "Lambda's limits" }
    maximum_concurrency             = { min = 2, max = 1000, unit = "", why = "Lambda's limits for an SQS event source" }
    max_receive_count               = { min = 1, max = 1000, unit = "", why = "SQS's redrive limits: the receives before the unreconciled queue" }
    # Under 10 s the reconciler has no time beside your function's own; 900 s is Lambda's limit.
    timeout_seconds = { min = 10, max = 900, unit = "seconds", why = "Lambda's limit, and time for the reconciler beside your function" }
    memory_size     = { min = 128, max = 10240, unit = "MB", why = "Lambda's limits" }
  }
}
