output "function_invoke_arns" {
  description = "What flows invoke: the alias live of start and check."
  value       = module.connect_async.function_invoke_arns
}

output "role_arns" {
  description = "Each function's role (under the platform's path and boundary)."
  value       = module.connect_async.role_arns
}

output "log_group_names" {
  description = "Each function's log group."
  value       = module.connect_async.log_group_names
}

output "dashboard_name" {
  description = "The operators' dashboard."
  value       = module.connect_async.dashboard_name
}

output "contact_flow_id" {
  description = "The inbound flow (with a Connect instance)."
  value       = module.connect_async.contact_flow_id
}

output "worker_function_name" {
  description = "The worker, in the VPC."
  value       = module.connect_async.worker_function_name
}

output "tracker_table_name" {
  description = "The tracker table, encrypted with the platform's key."
  value       = module.connect_async.tracker_table_name
}
