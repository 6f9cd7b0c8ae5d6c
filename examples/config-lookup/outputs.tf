output "lookup_function_name" {
  description = "The configuration lookup function."
  value       = module.connect_async.lookup_function_name
}

output "lookup_function_arn" {
  description = "The lookup's ARN, which the flows call first."
  value       = module.connect_async.lookup_function_arn
}

output "config_table_name" {
  description = "The configuration table (its items come from config_lookup.items)."
  value       = module.connect_async.config_table_name
}

output "tracker_table_name" {
  description = "The tracker table (the lookup's role may not read it)."
  value       = module.connect_async.tracker_table_name
}

output "contact_flow_id" {
  description = "The inbound flow: lookup, greeting, then the task."
  value       = module.connect_async.contact_flow_id
}

output "config_lookup_module_id" {
  description = "The config lookup flow module, for the start of your own flows."
  value       = module.connect_async.config_lookup_module_id
}

output "role_arns" {
  description = "Each function's role."
  value       = module.connect_async.role_arns
}
