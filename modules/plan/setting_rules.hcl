# The rules between settings, checked at plan time, in Terraform's language. Each `rule` block
# becomes a `validation` block of the variable it names, in settings.tf (`make gen` copies it
# there: Terraform has no way to add a validation to a variable declared elsewhere, and a local
# holding the rules would make a cycle with the validations that read it). A setting's own range
# is its row in lambdas/connect_async/settings.py; what ties two settings together is written
# here, once. A name that is not a setting of the plan fails `make gen`.

rule "check_budget_ms" {
  condition     = var.check_budget_ms + local.constants.check_safety_margin_ms <= var.flow_invocation_time_limit_seconds * 1000
  error_message = "check_budget_ms plus the check safety margin (${local.constants.check_safety_margin_ms} ms) must fit within flow_invocation_time_limit_seconds: lower the budget or raise the time limit, or Connect will cut check off and take the error branch."
}

rule "check_poll_interval_ms" {
  condition     = var.check_budget_ms == 0 || var.check_poll_interval_ms <= var.check_budget_ms
  error_message = "check_poll_interval_ms must not exceed check_budget_ms: check would read the tracker only once per call."
}

rule "max_wait_seconds" {
  condition     = var.hold_prompt_seconds <= var.max_wait_seconds
  error_message = "hold_prompt_seconds is longer than max_wait_seconds: the caller would wait through a hold message longer than the whole wait. Shorten the hold message or wait longer."
}

rule "max_wait_seconds" {
  # One loop is the hold message, plus a whole check budget when check polls on every call.
  condition     = ceil(var.max_wait_seconds / (var.hold_prompt_seconds + (var.check_poll_when == "always" ? var.check_budget_ms / 1000 : 0))) <= local.constants.connect_loop_limit
  error_message = "max_wait_seconds needs more than ${local.constants.connect_loop_limit} flow loops (Connect's Loop limit) at this hold_prompt_seconds (and check_budget_ms, with check_poll_when = always): shorten the wait or lengthen the hold message."
}

rule "worker_timeout_seconds" {
  condition     = var.worker_timeout_seconds >= var.max_wait_seconds
  error_message = "worker_timeout_seconds must be at least max_wait_seconds: otherwise the worker is stopped while the caller is still told to wait."
}

rule "worker_timeout_seconds" {
  condition     = var.worker_timeout_seconds * 1000 > 2 * var.worker_safety_margin_ms
  error_message = "worker_timeout_seconds must be more than twice worker_safety_margin_ms: the margin would leave the task almost no time."
}

rule "record_ttl_seconds" {
  condition     = var.record_ttl_seconds > var.worker_timeout_seconds + local.constants.dispatch_slack_seconds
  error_message = "record_ttl_seconds must be greater than worker_timeout_seconds plus the dispatch allowance (${local.constants.dispatch_slack_seconds} s): a record must outlive its run."
}

rule "lookup_budget_ms" {
  condition     = var.lookup_budget_ms + local.constants.check_safety_margin_ms <= var.lookup_time_limit_seconds * 1000
  error_message = "lookup_budget_ms plus the safety margin (${local.constants.check_safety_margin_ms} ms) must fit within lookup_time_limit_seconds: lower the budget or raise the time limit, or Connect cuts the lookup off before it can answer fallback."
}

rule "push_wait_seconds" {
  # One push round is the check's hold: the time limit less the safety margin.
  condition     = var.wait_mode != "push" || ceil(var.max_wait_seconds / (var.push_wait_seconds - local.constants.check_safety_margin_ms / 1000)) <= local.constants.connect_loop_limit
  error_message = "With wait_mode = push, max_wait_seconds needs more than ${local.constants.connect_loop_limit} rounds (Connect's Loop limit) of push_wait_seconds less the safety margin: lengthen push_wait_seconds or shorten the wait."
}

rule "push_wait_seconds" {
  # The Wait's Continue branch holds one block per play of the hold message (a flow has at most 250).
  condition     = var.wait_mode != "push" || ceil(var.push_wait_seconds / var.hold_prompt_seconds) + 1 <= 30
  error_message = "With wait_mode = push, one round of push_wait_seconds needs more than 30 plays of a hold message of hold_prompt_seconds: lengthen the hold message (or hold_prompt_seconds, if it is measured short) or shorten push_wait_seconds."
}

rule "hold_prompt_seconds" {
  # A text hold (no recorded prompt, whose length is the operator's to declare): the plan counts
  # loops with hold_prompt_seconds, so one far from the text's spoken length misjudges the wait
  # (a 45-word hold declared as 1 s would make a 60 s wait last about 15 minutes).
  condition     = var.voice_hold_prompt_arn != null || (var.hold_prompt_seconds * local.constants.hold_length_factor >= local.hold_spoken_seconds && var.hold_prompt_seconds <= local.hold_spoken_seconds * local.constants.hold_length_factor)
  error_message = "hold_prompt_seconds is ${var.hold_prompt_seconds} s, but messages.hold has ${local.hold_words} words: about ${local.hold_spoken_seconds} s spoken (an estimate at ${local.constants.speech_words_per_minute} words a minute; more than ${local.constants.hold_length_factor} times apart is refused). Set hold_prompt_seconds to the message's length (time it in your voice: Polly's speech marks), or change the text."
}

rule "worker_start_timeout_seconds" {
  # The run's deadline is worker_timeout_seconds plus the dispatch allowance: a claim bound at or
  # past it would never be the one a reader applies.
  condition     = var.worker_start_timeout_seconds < var.worker_timeout_seconds + local.constants.dispatch_slack_seconds
  error_message = "worker_start_timeout_seconds must be less than worker_timeout_seconds plus the dispatch allowance (${local.constants.dispatch_slack_seconds} s), the run's deadline: a run no worker claimed would read as worker_timeout at the deadline first. Lower it (the default 30 s covers five of Lambda's throttle retries)."
}
