variable "region" {
  description = "AWS Region to deploy to."
  type        = string
  default     = "eu-west-2"
}

variable "name" {
  description = "Name prefix of every resource: two instances with different names never collide."
  type        = string
  default     = "connect-async-enterprise"
}

variable "connect_instance_id" {
  description = "Amazon Connect instance id (UUID). Null: the backend only."
  type        = string
  default     = null
}

variable "vpc_id" {
  description = "The VPC the worker runs in (its policy statement is limited to calls from it)."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of that VPC for the worker."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Security groups of the worker (egress to the back office and the AWS endpoints)."
  type        = list(string)
}

variable "permissions_boundary_arn" {
  description = "The platform's IAM permissions boundary for every role the module creates."
  type        = string
}

variable "kms_key_arn" {
  description = "The platform's customer-managed key for the functions' environment and the tracker table."
  type        = string
}

variable "logs_kms_key_arn" {
  description = "Customer-managed key for the log groups (its policy must allow CloudWatch Logs). Null: CloudWatch's own."
  type        = string
  default     = null
}

variable "ledger_api_arn" {
  description = "The back-office API the task calls (an execute-api ARN)."
  type        = string
}

variable "alarm_topic_arn" {
  description = "SNS topic for the alarms (its key must let CloudWatch publish: see examples/complete)."
  type        = string
}

variable "provisioned_concurrency" {
  description = "Warm instances of start, check and lookup by name (behind the alias live; a name left out gets none). A map, not an object, so the module can refuse a misspelt name."
  type        = map(number)
  default = {
    start = 2
    check = 2
  }
}
