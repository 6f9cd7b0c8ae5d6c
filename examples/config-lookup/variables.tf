variable "region" {
  description = "AWS Region to deploy to."
  type        = string
  default     = "eu-west-2"
}

variable "name" {
  description = "Name prefix of the resources."
  type        = string
  default     = "connect-async-lookup"
}

variable "connect_instance_id" {
  description = "Amazon Connect instance id (UUID). Null: the backend, table and items only, no flows."
  type        = string
  default     = null
}

# Both come from ../lookup.tfvars (the items the demo plays): see the module's config_lookup and
# messages variables for their shape and validation.
variable "config_lookup" {
  description = "The configuration lookup: keys to try and the table's items (../lookup.tfvars)."
  type        = any
}

variable "messages" {
  description = "What the caller hears; here, messages.greeting_fallback (../lookup.tfvars)."
  type        = any
  default     = {}
}
