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

# The operators' tuning knobs (see ../ops.tfvars and the module's README, "Tuning").
variable "flow_invocation_time_limit_seconds" {
  description = "InvocationTimeLimitSeconds of the flow's start and check blocks."
  type        = number
  default     = 8
}

variable "check_budget_ms" {
  description = "How long one check call polls before answering in_progress (the caller hears silence meanwhile)."
  type        = number
  default     = 1000
}

variable "check_poll_interval_ms" {
  description = "Pause between tracker reads inside one check call."
  type        = number
  default     = 250
}

variable "hold_prompt_seconds" {
  description = "How long the hold message takes to play."
  type        = number
  default     = 4
}

variable "max_wait_seconds" {
  description = "The longest a caller waits before the fallback."
  type        = number
  default     = 120
}

variable "worker_timeout_seconds" {
  description = "The worker's Lambda timeout."
  type        = number
  default     = 300
}

variable "record_ttl_seconds" {
  description = "How long a run's record stays readable."
  type        = number
  default     = 86400
}

variable "messages" {
  description = "What the caller hears or reads (hold, success, fallback, timeout)."
  type        = map(string)
  default     = {}
}
