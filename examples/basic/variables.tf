variable "region" {
  description = "AWS Region to deploy to."
  type        = string
  default     = "eu-west-2"
}

variable "name" {
  description = "Name prefix of the resources."
  type        = string
  default     = "connect-async-basic"
}

# The operators' tuning knobs (see ../ops.tfvars and the module's README, "Tuning"). Null, the
# default here, leaves the module's own default (its settings schema): no value is restated.
variable "flow_invocation_time_limit_seconds" {
  description = "InvocationTimeLimitSeconds of the flow's start and check blocks."
  type        = number
  default     = null
}

variable "check_budget_ms" {
  description = "The longest one check call polls before answering in_progress (the caller hears silence meanwhile): by default only when the task's progress says its end is due."
  type        = number
  default     = null
}

variable "check_poll_when" {
  description = "When check polls: due (when the task's progress puts its end within the budget) or always."
  type        = string
  default     = null
}

variable "check_poll_interval_ms" {
  description = "Pause between tracker reads inside one check call."
  type        = number
  default     = null
}

variable "hold_prompt_seconds" {
  description = "How long the hold message takes to play."
  type        = number
  default     = null
}

variable "max_wait_seconds" {
  description = "The longest a caller waits before the fallback."
  type        = number
  default     = null
}

variable "worker_timeout_seconds" {
  description = "The worker's Lambda timeout."
  type        = number
  default     = null
}

variable "record_ttl_seconds" {
  description = "How long a run's record stays readable."
  type        = number
  default     = null
}

variable "messages" {
  description = "What the caller hears or reads (hold, success, fallback, timeout); a text left out is the module's."
  type        = map(string)
  default     = {}
}
