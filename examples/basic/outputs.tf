output "start_function_arn" {
  description = "Invoke first from your flow."
  value       = module.connect_async.start_function_arn
}

output "check_function_arn" {
  description = "Invoke in your flow's loop."
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

output "role_arns" {
  description = "Each function's role."
  value       = module.connect_async.role_arns
}

output "timing_plan" {
  description = "Loop count, timeouts and silences derived from the tuning."
  value       = module.connect_async.timing_plan
}
