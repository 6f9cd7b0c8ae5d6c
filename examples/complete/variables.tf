variable "region" {
  description = "AWS Region of the Amazon Connect instance."
  type        = string
  default     = "eu-west-2"
}

variable "name" {
  description = "Name prefix of the resources."
  type        = string
  default     = "connect-async-complete"
}

variable "connect_instance_id" {
  description = "Id (UUID) of your Amazon Connect instance."
  type        = string
}

variable "bedrock_model_id" {
  description = "Bedrock model the task calls (enable access to it in the Bedrock console first)."
  type        = string
  default     = "anthropic.claude-3-haiku-20240307-v1:0"
}

variable "requeue_queue_id" {
  description = "Id (UUID) of the queue a returning chat customer is put back in by the re-queue disconnect flow (null: no disconnect flow)."
  type        = string
  default     = null
}
