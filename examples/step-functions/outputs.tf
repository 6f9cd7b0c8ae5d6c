output "state_machine_arn" {
  description = "The state machine that runs the transfer's steps."
  value       = module.connect_async.state_machine_arn
}

output "start_function_name" {
  description = "The start function (starts one execution per run)."
  value       = module.connect_async.start_function_name
}

output "check_function_name" {
  description = "The check function."
  value       = module.connect_async.check_function_name
}

output "tracker_table_name" {
  description = "The tracker table."
  value       = module.connect_async.tracker_table_name
}

output "accounts_table_name" {
  description = "The accounts table the Debit step writes."
  value       = aws_dynamodb_table.accounts.name
}
