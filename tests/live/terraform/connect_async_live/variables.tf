variable "region" {
  description = "AWS Region of the run."
  type        = string
}

variable "name" {
  description = "Name prefix of the run's resources (unique per run)."
  type        = string
}

variable "run_id" {
  description = "The run's id: the ConnectAsyncTestRun tag on every resource."
  type        = string
}

variable "connect_instance_id" {
  description = "An existing Amazon Connect instance (UUID) the run creates its flows in. Null: no flows."
  type        = string
  default     = null
}
