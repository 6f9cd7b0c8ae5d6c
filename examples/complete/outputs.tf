output "contact_flow_id" {
  description = "The flow to attach to a phone number or chat widget."
  value       = module.connect_async.contact_flow_id
}

output "contact_flow_arn" {
  description = "The flow's ARN."
  value       = module.connect_async.contact_flow_arn
}

output "flow_module_id" {
  description = "The wait-for-the-task flow module, to drop into your own flows."
  value       = module.connect_async.flow_module_id
}

output "requeue_disconnect_flow_id" {
  description = "The chat disconnect flow to set on your chat flows (null without requeue_queue_id)."
  value       = module.connect_async.requeue_disconnect_flow_id
}

output "start_function_arn" {
  description = "The start function."
  value       = module.connect_async.start_function_arn
}

output "check_function_arn" {
  description = "The check function."
  value       = module.connect_async.check_function_arn
}

output "start_function_name" {
  description = "The start function's name."
  value       = module.connect_async.start_function_name
}

output "check_function_name" {
  description = "The check function's name."
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
  description = "Failed worker events."
  value       = module.connect_async.dead_letter_queue_url
}

output "finished_runs_queue_url" {
  description = "A record of each finished run (the on-success destination)."
  value       = aws_sqs_queue.finished_runs.url
}

output "role_arns" {
  description = "Each function's role."
  value       = module.connect_async.role_arns
}

output "timing_plan" {
  description = "Loop count, timeouts and silences derived from the tuning."
  value       = module.connect_async.timing_plan
}
