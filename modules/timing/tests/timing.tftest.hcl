# Every rule of the timing submodule, one run each, plus the derived plan.
# Run with: terraform -chdir=modules/timing test

variables {
  flow_invocation_time_limit_seconds = 8
  check_budget_ms                    = 5000
  check_poll_interval_ms             = 250
  hold_prompt_seconds                = 4
  max_wait_seconds                   = 120
  worker_timeout_seconds             = 300
  worker_safety_margin_ms            = 3000
  record_ttl_seconds                 = 86400
  worker_maximum_event_age_seconds   = 3600
}

run "derives_the_plan" {
  command = apply

  assert {
    condition     = output.plan.loop_count == 14 && output.plan.loop_seconds == 9
    error_message = "120 s of waiting in 9 s loops (4 s hold message + 5 s check) needs 14 loops."
  }
  assert {
    condition     = output.plan.longest_wait_seconds >= var.max_wait_seconds
    error_message = "The loops must cover at least max_wait_seconds."
  }
  assert {
    condition     = output.plan.run_deadline_seconds == 330
    error_message = "The run's deadline is the worker timeout plus the dispatch slack."
  }
  assert {
    condition     = output.plan.check_timeout_seconds == 8 && output.plan.start_timeout_seconds == 8
    error_message = "start and check time out with the flow block that calls them."
  }
  assert {
    condition     = output.plan.expected_longest_silence_ms < output.plan.worst_case_silence_seconds * 1000
    error_message = "The expected silence must stay under Connect's cut-off."
  }
}

run "time_limit_over_eight_seconds" {
  command = plan
  variables { flow_invocation_time_limit_seconds = 9 }
  expect_failures = [var.flow_invocation_time_limit_seconds]
}

run "time_limit_fractional" {
  command = plan
  variables { flow_invocation_time_limit_seconds = 2.5 }
  expect_failures = [var.flow_invocation_time_limit_seconds]
}

run "budget_over_the_runtime_limit" {
  command = plan
  variables { check_budget_ms = 8000 }
  expect_failures = [var.check_budget_ms]
}

run "budget_without_margin_under_the_time_limit" {
  command = plan
  variables {
    flow_invocation_time_limit_seconds = 5
    check_budget_ms                    = 4500
  }
  expect_failures = [var.check_budget_ms]
}

run "margin_out_of_range" {
  command = plan
  variables { check_safety_margin_ms = 100 }
  expect_failures = [var.check_safety_margin_ms]
}

run "interval_out_of_range" {
  command = plan
  variables { check_poll_interval_ms = 10 }
  expect_failures = [var.check_poll_interval_ms]
}

run "interval_longer_than_budget" {
  command = plan
  variables {
    check_budget_ms        = 1000
    check_poll_interval_ms = 2000
  }
  expect_failures = [var.check_poll_interval_ms]
}

run "hold_prompt_out_of_range" {
  command = plan
  variables { hold_prompt_seconds = 0 }
  expect_failures = [var.hold_prompt_seconds]
}

run "wait_out_of_range" {
  command = plan
  variables { max_wait_seconds = 4000 }
  expect_failures = [var.max_wait_seconds]
}

run "wait_needs_more_than_one_hundred_loops" {
  command = plan
  variables {
    hold_prompt_seconds    = 1
    check_budget_ms        = 1000
    max_wait_seconds       = 300
    worker_timeout_seconds = 300
  }
  expect_failures = [var.max_wait_seconds]
}

run "worker_timeout_over_lambdas_maximum" {
  command = plan
  variables { worker_timeout_seconds = 901 }
  expect_failures = [var.worker_timeout_seconds]
}

run "worker_timeout_shorter_than_the_wait" {
  command = plan
  variables { worker_timeout_seconds = 60 }
  expect_failures = [var.worker_timeout_seconds]
}

run "worker_margin_eats_the_timeout" {
  command = plan
  variables {
    max_wait_seconds        = 5
    worker_timeout_seconds  = 5
    worker_safety_margin_ms = 3000
  }
  expect_failures = [var.worker_timeout_seconds]
}

run "worker_margin_out_of_range" {
  command = plan
  variables { worker_safety_margin_ms = 100 }
  expect_failures = [var.worker_safety_margin_ms]
}

run "ttl_shorter_than_the_run" {
  command = plan
  variables { record_ttl_seconds = 300 }
  expect_failures = [var.record_ttl_seconds]
}

run "ttl_out_of_range" {
  command = plan
  variables { record_ttl_seconds = 30 }
  expect_failures = [var.record_ttl_seconds]
}

run "event_age_out_of_range" {
  command = plan
  variables { worker_maximum_event_age_seconds = 30 }
  expect_failures = [var.worker_maximum_event_age_seconds]
}

run "slack_out_of_range" {
  command = plan
  variables { dispatch_slack_seconds = -1 }
  expect_failures = [var.dispatch_slack_seconds]
}

run "hold_message_longer_than_the_whole_wait" {
  command = plan
  variables {
    hold_prompt_seconds = 30
    max_wait_seconds    = 20
  }
  expect_failures = [var.max_wait_seconds]
}

run "fractional_seconds_where_whole_ones_are_meant" {
  command = plan
  variables { max_wait_seconds = 90.5 }
  expect_failures = [var.max_wait_seconds]
}

run "fractional_milliseconds" {
  command = plan
  variables { check_budget_ms = 999.5 }
  expect_failures = [var.check_budget_ms]
}
