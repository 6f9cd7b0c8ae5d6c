output "tracker_table_name" {
  description = "The tracker table."
  value       = module.connect_async.tracker_table_name
}

output "start_function_name" {
  description = "The start function."
  value       = module.connect_async.start_function_name
}

output "check_function_name" {
  description = "The check function."
  value       = module.connect_async.check_function_name
}

output "worker_function_name" {
  description = "The worker, running transfers.task:run from the task layer."
  value       = module.connect_async.worker_function_name
}

output "role_arns" {
  description = "IAM role of each function."
  value       = module.connect_async.role_arns
}

output "task_layer_arn" {
  description = "The task layer version the worker runs."
  value       = module.connect_async.task_layer_arn
}
