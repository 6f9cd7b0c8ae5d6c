output "plan" {
  description = "The derived timing plan: Lambda timeouts, flow loop count, the run's deadline and the worst silences a caller can hear."
  value = {
    flow_invocation_time_limit_seconds = var.flow_invocation_time_limit_seconds
    # start and check never outlive the flow block that called them.
    start_timeout_seconds   = var.flow_invocation_time_limit_seconds
    check_timeout_seconds   = var.flow_invocation_time_limit_seconds
    worker_timeout_seconds  = var.worker_timeout_seconds
    check_budget_ms         = var.check_budget_ms
    check_poll_interval_ms  = var.check_poll_interval_ms
    worker_safety_margin_ms = var.worker_safety_margin_ms
    loop_count              = local.loop_count
    loop_seconds            = local.loop_seconds
    # The flow checks once right after start, then gives up after its loops: at least
    # max_wait_seconds, rounded up to whole loops.
    longest_wait_seconds = local.check_budget_seconds + local.loop_count * local.loop_seconds
    run_deadline_seconds = local.run_deadline_seconds
    record_ttl_seconds   = var.record_ttl_seconds
    # Silence while check polls (the hold message plays between calls); the hard bound is the
    # flow's time limit, after which Connect takes the error branch.
    expected_longest_silence_ms      = var.check_budget_ms + 300
    worst_case_silence_seconds       = var.flow_invocation_time_limit_seconds
    worker_maximum_event_age_seconds = var.worker_maximum_event_age_seconds
  }
}
