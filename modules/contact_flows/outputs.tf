output "names" {
  description = "The contract's flow names (statuses, response keys, attributes) the flows use."
  value       = local.names
}

output "inbound_flow" {
  description = "Content of the inbound flow: start the task, wait for it with hold messages, then success or fallback."
  value = templatefile("${local.flows}/inbound.json.tftpl", {
    names             = local.names
    wait_actions      = local.inbound_wait_actions
    messages          = local.spoken
    voice             = var.voice
    success_queue_id  = var.success_queue_id
    fallback_queue_id = var.fallback_queue_id
  })
}

output "wait_module" {
  description = "Content of the wait-for-the-task flow module (aws_connect_contact_flow_module)."
  value = templatefile("${local.flows}/wait_for_task_module.json.tftpl", {
    wait_actions = local.module_wait_actions
  })
}

output "requeue_disconnect_flow" {
  description = "Content of the re-queue disconnect flow, or null when flow_module_id or requeue is null."
  value = var.flow_module_id == null || var.requeue == null ? null : templatefile("${local.flows}/requeue_disconnect.json.tftpl", {
    names          = local.names
    flow_module_id = var.flow_module_id
    requeue        = var.requeue
    messages       = var.messages
  })
}
