# Renders the module's contact flows from flows/*.tftpl. The wait-for-the-task actions are one
# template, embedded by both the inbound flow and the flow module, so the two never drift apart.

locals {
  names = jsondecode(file("${path.module}/../../lambdas/contract.json")).flow
  flows = "${path.module}/../../flows"

  # What the caller hears: {result.<key>} in the success message becomes a dynamic text
  # reference to check's answer for that key (check always answers it: RESULT_KEYS), which holds
  # even when saving it as a contact attribute failed.
  spoken = {
    for name, text in var.messages : name => replace(
      text, "/\\{result\\.([A-Za-z0-9_]+)\\}/", "$$.External.${local.names.result_prefix}$${1}"
    )
  }
  # Passed on every start and check call when the tracking id is the flow's to give.
  tracking = var.tracking_id_reference == null ? {} : { (local.names.parameter.tracking_id) = var.tracking_id_reference }

  wait_settings = {
    names              = local.names
    start_function_arn = var.start_function_arn
    check_function_arn = var.check_function_arn
    time_limit_seconds = var.time_limit_seconds
    loop_count         = var.loop_count
    start_retries      = var.start_retry_attempts
    check_retries      = var.check_retry_attempts
    result_keys        = var.result_keys
    hold_message       = var.messages.hold
    hold_prompt_id     = var.hold_prompt_id
  }

  inbound_wait_actions = jsondecode(templatefile("${local.flows}/wait_for_task.actions.json.tftpl", merge(local.wait_settings, {
    # The inbound flow runs the default task (TASK_HANDLER) with what the flow knows.
    run_parameters  = local.tracking
    task_parameters = var.task_parameters
    exits           = { success = "Success", failure = "Fallback", taking_longer = "TakingLonger" }
  })))

  module_wait_actions = jsondecode(templatefile("${local.flows}/wait_for_task.actions.json.tftpl", merge(local.wait_settings, {
    # The module's inputs are contact attributes the calling flow sets: task_name, task_input,
    # and one per task parameter, of the same name.
    run_parameters = merge({ (local.names.parameter.task_name) = "$.Attributes.${local.names.attribute.task_name}" }, local.tracking)
    task_parameters = merge(
      { (local.names.attribute.task_input) = "$.Attributes.${local.names.attribute.task_input}" },
      { for name in keys(var.task_parameters) : name => "$.Attributes.${name}" },
    )
    exits = { success = "ReturnSuccess", failure = "ReturnError", taking_longer = "ReturnError" }
  })))
}
