variable "start_function_arn" {
  description = "ARN of the start function the flows call."
  type        = string
}

variable "check_function_arn" {
  description = "ARN of the check function the flows call."
  type        = string
}

variable "time_limit_seconds" {
  description = "InvocationTimeLimitSeconds of every Lambda call in the flows (the timing plan's flow limit)."
  type        = number

  validation {
    condition     = var.time_limit_seconds >= 1 && var.time_limit_seconds <= 8 && floor(var.time_limit_seconds) == var.time_limit_seconds
    error_message = "time_limit_seconds must be a whole number from 1 to 8 (Connect's synchronous limit)."
  }
}

variable "loop_count" {
  description = "How many times the flows play the hold message and call check before the \"taking longer\" path (the timing plan's loop_count)."
  type        = number

  validation {
    condition     = var.loop_count >= 1 && var.loop_count <= 100 && floor(var.loop_count) == var.loop_count
    error_message = "loop_count must be a whole number from 1 to 100 (Connect's Loop limit)."
  }
}

variable "start_retry_attempts" {
  description = "How many times the flows call start again, after a message, when a start call fails (validated by the root module)."
  type        = number
  default     = 1
}

variable "check_retry_attempts" {
  description = "How many times the flows call check again, after the hold message, when a check call fails (validated by the root module)."
  type        = number
  default     = 2
}

variable "result_keys" {
  description = "Result keys saved as contact attributes (result_<key>) when the task completes."
  type        = list(string)
  default     = []
}

variable "task_parameters" {
  description = "Parameters the flows pass to the task on the start call: name => a flow reference or a fixed string (validated by the root module). The flow module passes each from the contact attribute of the same name."
  type        = map(string)
  default     = {}
}

variable "tracking_id_reference" {
  description = "A flow reference passed as tracking_id on every start and check call (tracking_id_source = parameter); null: none."
  type        = string
  default     = null
}

variable "messages" {
  description = "What the caller hears: hold, success, fallback and timeout texts. {result.<key>} in the success text becomes a reference to check's answer for that key."
  type = object({
    hold     = string
    success  = string
    fallback = string
    timeout  = string
  })
}

variable "hold_prompt_id" {
  description = "ARN of a recorded prompt voice contacts hear instead of the hold text (chat contacts read the text). Null: text for everyone."
  type        = string
  default     = null
}

variable "voice" {
  description = "Text-to-speech voice of the inbound flow."
  type = object({
    id     = string
    engine = string
  })
}

variable "success_queue_id" {
  description = "Queue the inbound flow transfers to after success; null disconnects."
  type        = string
  default     = null
}

variable "fallback_queue_id" {
  description = "Queue the inbound flow transfers to after a failure or a long wait; null disconnects."
  type        = string
  default     = null
}

variable "flow_module_id" {
  description = "Id of the created wait-for-the-task flow module, which the re-queue disconnect flow invokes. Null: no disconnect flow is rendered."
  type        = string
  default     = null
}

variable "requeue" {
  description = "The re-queue disconnect flow's settings (see the root variable requeue_disconnect_flow). Null: not rendered."
  type = object({
    queue_id       = string
    task_name      = string
    wait_seconds   = number
    retry_attempts = number
  })
  default = null
}
