variable "flow_invocation_time_limit_seconds" {
  description = "InvocationTimeLimitSeconds of the flow's start and check blocks. Connect allows 1-8 seconds for a synchronous Lambda call."
  type        = number

  validation {
    condition     = var.flow_invocation_time_limit_seconds >= 1 && var.flow_invocation_time_limit_seconds <= 8 && floor(var.flow_invocation_time_limit_seconds) == var.flow_invocation_time_limit_seconds
    error_message = "flow_invocation_time_limit_seconds must be a whole number from 1 to 8: Connect cuts a synchronous Lambda call at 8 seconds."
  }
}

variable "check_budget_ms" {
  description = "How long one check call may poll the tracker before it answers in_progress."
  type        = number

  validation {
    condition     = var.check_budget_ms >= 0 && var.check_budget_ms <= 7500 && floor(var.check_budget_ms) == var.check_budget_ms
    error_message = "check_budget_ms must be a whole number of milliseconds from 0 to 7500 (the runtime's limit, under Connect's 8 seconds)."
  }
  validation {
    condition     = var.check_budget_ms + var.check_safety_margin_ms <= var.flow_invocation_time_limit_seconds * 1000
    error_message = "check_budget_ms plus check_safety_margin_ms must fit within flow_invocation_time_limit_seconds: lower the budget or raise the time limit, or Connect will cut check off and take the error branch."
  }
}

variable "check_safety_margin_ms" {
  description = "Time kept free between the end of check's polling budget and the flow's time limit (answering, cold starts, network)."
  type        = number
  default     = 1000

  validation {
    condition     = var.check_safety_margin_ms >= 500 && var.check_safety_margin_ms <= 5000
    error_message = "check_safety_margin_ms must be from 500 to 5000."
  }
}

variable "check_poll_interval_ms" {
  description = "Pause between two tracker reads inside one check call."
  type        = number

  validation {
    condition     = var.check_poll_interval_ms >= 20 && var.check_poll_interval_ms <= 5000 && floor(var.check_poll_interval_ms) == var.check_poll_interval_ms
    error_message = "check_poll_interval_ms must be a whole number of milliseconds from 20 to 5000."
  }
  validation {
    condition     = var.check_budget_ms == 0 || var.check_poll_interval_ms <= var.check_budget_ms
    error_message = "check_poll_interval_ms must not exceed check_budget_ms: check would read the tracker only once per call."
  }
}

variable "hold_prompt_seconds" {
  description = "How long the hold message takes to play or read: one loop of the flow is this plus one check call."
  type        = number

  validation {
    condition     = var.hold_prompt_seconds >= 1 && var.hold_prompt_seconds <= 120
    error_message = "hold_prompt_seconds must be from 1 to 120."
  }
}

variable "max_wait_seconds" {
  description = "The longest the caller waits for the task before the flow takes the 'taking longer than expected' path."
  type        = number

  validation {
    condition     = var.max_wait_seconds >= 5 && var.max_wait_seconds <= 3600 && floor(var.max_wait_seconds) == var.max_wait_seconds
    error_message = "max_wait_seconds must be a whole number of seconds from 5 to 3600."
  }
  validation {
    condition     = var.hold_prompt_seconds <= var.max_wait_seconds
    error_message = "hold_prompt_seconds is longer than max_wait_seconds: the caller would wait through a hold message longer than the whole wait. Shorten the hold message or wait longer."
  }
  validation {
    condition     = ceil(var.max_wait_seconds / (var.hold_prompt_seconds + var.check_budget_ms / 1000)) <= 100
    error_message = "max_wait_seconds needs more than 100 flow loops (Connect's Loop limit) at this hold_prompt_seconds and check_budget_ms: shorten the wait, lengthen the hold message or raise the check budget."
  }
}

variable "worker_timeout_seconds" {
  description = "The worker Lambda's timeout: the longest the task may run."
  type        = number

  validation {
    condition     = var.worker_timeout_seconds >= 1 && var.worker_timeout_seconds <= 900 && floor(var.worker_timeout_seconds) == var.worker_timeout_seconds
    error_message = "worker_timeout_seconds must be a whole number from 1 to 900 (Lambda's maximum)."
  }
  validation {
    condition     = var.worker_timeout_seconds >= var.max_wait_seconds
    error_message = "worker_timeout_seconds must be at least max_wait_seconds: otherwise the worker is stopped while the caller is still told to wait."
  }
  validation {
    condition     = var.worker_timeout_seconds * 1000 > 2 * var.worker_safety_margin_ms
    error_message = "worker_timeout_seconds must be more than twice worker_safety_margin_ms: the margin would leave the task almost no time."
  }
}

variable "worker_safety_margin_ms" {
  description = "Time the worker keeps back from its Lambda timeout to record worker_timeout itself instead of being killed silently."
  type        = number

  validation {
    condition     = var.worker_safety_margin_ms >= 500 && var.worker_safety_margin_ms <= 60000 && floor(var.worker_safety_margin_ms) == var.worker_safety_margin_ms
    error_message = "worker_safety_margin_ms must be a whole number of milliseconds from 500 to 60000."
  }
}

variable "dispatch_slack_seconds" {
  description = "Allowance for the asynchronous invocation to reach the worker; added to the worker timeout to make the run's deadline."
  type        = number
  default     = 30

  validation {
    condition     = var.dispatch_slack_seconds >= 0 && var.dispatch_slack_seconds <= 3600
    error_message = "dispatch_slack_seconds must be from 0 to 3600."
  }
}

variable "record_ttl_seconds" {
  description = "How long a tracker record (and so a result) stays readable after the run starts."
  type        = number

  validation {
    condition     = var.record_ttl_seconds >= 60 && var.record_ttl_seconds <= 31536000 && floor(var.record_ttl_seconds) == var.record_ttl_seconds
    error_message = "record_ttl_seconds must be a whole number of seconds from 60 (one minute) to 31536000 (one year)."
  }
  validation {
    condition     = var.record_ttl_seconds > var.worker_timeout_seconds + var.dispatch_slack_seconds
    error_message = "record_ttl_seconds must be greater than worker_timeout_seconds plus dispatch_slack_seconds: a record must outlive its run."
  }
}

variable "worker_maximum_event_age_seconds" {
  description = "How long Lambda keeps trying to deliver the worker's asynchronous event."
  type        = number

  validation {
    condition     = var.worker_maximum_event_age_seconds >= 60 && var.worker_maximum_event_age_seconds <= 21600 && floor(var.worker_maximum_event_age_seconds) == var.worker_maximum_event_age_seconds
    error_message = "worker_maximum_event_age_seconds must be a whole number of seconds from 60 to 21600 (Lambda's limits)."
  }
}
