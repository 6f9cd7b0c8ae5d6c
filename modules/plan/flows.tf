# Renders the module's contact flows from templates/*.tftpl. The wait-for-the-task actions are
# one template, embedded by both the inbound flow and the flow module, so the two never drift.

locals {
  names     = local.contract.flow
  templates = "${path.module}/templates"

  # What the caller hears: {result.<key>} in the success message becomes a dynamic text
  # reference to check's answer for that key (check always answers it: RESULT_KEYS), which holds
  # even when saving it as a contact attribute failed.
  spoken = {
    for name, text in var.messages : name => replace(
      text, "/\\{result\\.([A-Za-z0-9_]+)\\}/", "$$.External.${local.names.result_prefix}$${1}"
    )
  }
  # Passed on every start and check call when the tracking id is the flow's to give; with the
  # other sources start and check would ignore it anyway.
  tracking_id_reference = var.tracking_id_source == "parameter" ? var.tracking_id_reference : null
  tracking              = local.tracking_id_reference == null ? {} : { (local.names.parameter.tracking_id) = local.tracking_id_reference }

  wait_settings = {
    names              = local.names
    start_function_arn = var.start_function_arn
    check_function_arn = var.check_function_arn
    time_limit_seconds = var.flow_invocation_time_limit_seconds
    loop_count         = local.loop_count
    start_retries      = var.start_retry_attempts
    check_retries      = var.check_retry_attempts
    result_keys        = var.result_attribute_keys
    hold_message       = var.messages.hold
    hold_prompt_id     = var.voice_hold_prompt_arn
  }

  inbound_wait_actions = jsondecode(templatefile("${local.templates}/wait_for_task.actions.json.tftpl", merge(local.wait_settings, {
    # The inbound flow runs the default task (TASK_HANDLER) with what the flow knows.
    run_parameters  = local.tracking
    task_parameters = var.task_parameters
    exits           = { success = "Success", failure = "Fallback", taking_longer = "TakingLonger" }
  })))

  module_wait_actions = jsondecode(templatefile("${local.templates}/wait_for_task.actions.json.tftpl", merge(local.wait_settings, {
    # The module's inputs are contact attributes the calling flow sets: task_name, task_input,
    # and one per task parameter, of the same name.
    run_parameters = merge({ (local.names.parameter.task_name) = "$.Attributes.${local.names.attribute.task_name}" }, local.tracking)
    task_parameters = merge(
      { (local.names.attribute.task_input) = "$.Attributes.${local.names.attribute.task_input}" },
      { for name in keys(var.task_parameters) : name => "$.Attributes.${name}" },
    )
    exits = { success = "ReturnSuccess", failure = "ReturnError", taking_longer = "ReturnError" }
  })))

  inbound_flow = templatefile("${local.templates}/inbound.json.tftpl", {
    names             = local.names
    wait_actions      = local.inbound_wait_actions
    messages          = local.spoken
    voice             = var.voice
    success_queue_id  = var.success_queue_id
    fallback_queue_id = var.fallback_queue_id
  })

  wait_module = templatefile("${local.templates}/wait_for_task_module.json.tftpl", {
    wait_actions = local.module_wait_actions
  })

  requeue_disconnect_flow = var.flow_module_id == null || var.requeue_disconnect_flow == null ? null : templatefile("${local.templates}/requeue_disconnect.json.tftpl", {
    names          = local.names
    flow_module_id = var.flow_module_id
    requeue        = var.requeue_disconnect_flow
    messages       = var.messages
  })
}
