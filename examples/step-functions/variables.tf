variable "region" {
  description = "AWS Region to deploy to."
  type        = string
  default     = "eu-west-2"
}

variable "name" {
  description = "Name prefix of the resources."
  type        = string
  default     = "connect-async-steps"
}

variable "bank_function_arn" {
  description = "ARN of your integration Lambda that talks to the payee's bank (actions create and status)."
  type        = string
}

variable "connect_instance_id" {
  description = "Id (UUID) of your Amazon Connect instance; null deploys the backend alone."
  type        = string
  default     = null
}

# Set in terraform.tfvars (which `make demo` plays too).
variable "task_parameters" {
  description = "What the flow passes to the steps: parameter name => a flow reference."
  type        = map(string)
}

variable "result_attribute_keys" {
  description = "Result keys the flow saves as contact attributes."
  type        = list(string)
}

variable "messages" {
  description = "What the caller hears (hold, success, fallback; timeout is the module's)."
  type        = map(string)
}

variable "progress_messages" {
  description = "What the caller hears as the steps progress: name => { percent, message }. Passed on as written (type any), so the module can refuse a misspelt attribute by name."
  type        = any
}
