output "start_function_name" {
  description = "start."
  value       = module.connect_async.start_function_name
}

output "check_function_name" {
  description = "check."
  value       = module.connect_async.check_function_name
}

output "worker_function_name" {
  description = "The worker."
  value       = module.connect_async.worker_function_name
}

output "tracker_table_name" {
  description = "The tracker table."
  value       = module.connect_async.tracker_table_name
}

output "dead_letter_queue_url" {
  description = "The worker's dead-letter queue."
  value       = module.connect_async.dead_letter_queue_url
}

output "contact_flow_id" {
  description = "The inbound flow (null without an instance)."
  value       = module.connect_async.contact_flow_id
}

output "flow_module_id" {
  description = "The flow module (null without an instance)."
  value       = module.connect_async.flow_module_id
}

output "push_contact_flow_id" {
  description = "The inbound flow in push mode (null without an instance)."
  value       = module.connect_async_push.contact_flow_id
}

output "name" {
  description = "The run's name prefix."
  value       = var.name
}

output "run_id" {
  description = "The run's id (its tag)."
  value       = var.run_id
}
