# Renders the module's contact flows from flows/*.tftpl. The wait-for-the-task actions are one
# template, embedded by both the inbound flow and the flow module, so the two never drift apart.

locals {
  names = jsondecode(file("${path.module}/../../lambdas/contract.json")).flow
  flows = "${path.module}/../../flows"

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
    # The inbound flow runs the default task (TASK_HANDLER): nothing to pass.
    run_parameters  = {}
    task_parameters = {}
    exits           = { success = "Success", failure = "Fallback", taking_longer = "TakingLonger" }
  })))

  module_wait_actions = jsondecode(templatefile("${local.flows}/wait_for_task.actions.json.tftpl", merge(local.wait_settings, {
    # The module's inputs are contact attributes the calling flow sets.
    run_parameters  = { (local.names.parameter.task_name) = "$.Attributes.${local.names.attribute.task_name}" }
    task_parameters = { (local.names.attribute.task_input) = "$.Attributes.${local.names.attribute.task_input}" }
    exits           = { success = "ReturnSuccess", failure = "ReturnError", taking_longer = "ReturnError" }
  })))
}
