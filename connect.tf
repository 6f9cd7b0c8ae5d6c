# Amazon Connect wiring (when connect_instance_id is set): permit and associate the two
# functions the flow calls, then create the flow. Connect validates a flow on create, so it
# comes last, after its Lambdas are associated and permitted.

data "aws_connect_instance" "this" {
  count = local.connect_enabled ? 1 : 0

  instance_id = var.connect_instance_id
}

locals {
  flow_functions = local.connect_enabled ? toset(["start", "check"]) : toset([])
  requeue = var.requeue_disconnect_flow == null ? null : {
    queue_id       = var.requeue_disconnect_flow.queue_id
    task_name      = var.requeue_disconnect_flow.task_name
    wait_seconds   = var.requeue_disconnect_flow.wait_seconds
    retry_attempts = var.requeue_disconnect_flow.retry_attempts
  }
}

resource "aws_lambda_permission" "connect" {
  for_each = local.flow_functions

  statement_id  = "AllowConnectInstance"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.function[each.key].function_name
  principal     = "connect.amazonaws.com"
  source_arn    = data.aws_connect_instance.this[0].arn
}

resource "aws_connect_lambda_function_association" "this" {
  for_each = local.flow_functions

  instance_id  = var.connect_instance_id
  function_arn = aws_lambda_function.function[each.key].arn
}

# The flows' content, rendered from flows/*.tftpl (see flows/README.md). A provider-free module,
# so tests and `make demo` render exactly this.
module "contact_flows" {
  source = "./modules/contact_flows"

  start_function_arn   = aws_lambda_function.function["start"].arn
  check_function_arn   = aws_lambda_function.function["check"].arn
  time_limit_seconds   = local.timing.flow_invocation_time_limit_seconds
  loop_count           = local.timing.loop_count
  start_retry_attempts = var.start_retry_attempts
  check_retry_attempts = var.check_retry_attempts
  result_keys          = var.result_attribute_keys
  task_parameters      = var.task_parameters
  # Passed only when start reads it: with the other sources it would be ignored anyway.
  tracking_id_reference = var.tracking_id_source == "parameter" ? var.tracking_id_reference : null
  messages              = var.messages
  voice                 = var.voice
  hold_prompt_id        = var.voice_hold_prompt_arn
  success_queue_id      = var.success_queue_id
  fallback_queue_id     = var.fallback_queue_id
  flow_module_id        = try(aws_connect_contact_flow_module.wait_for_task[0].contact_flow_module_id, null)
  requeue               = local.requeue
}

resource "aws_connect_contact_flow" "wait_for_task" {
  count = local.connect_enabled && var.create_contact_flow ? 1 : 0

  instance_id = var.connect_instance_id
  name        = coalesce(var.contact_flow_name, "${var.name}-wait-for-task")
  description = "Starts the task, then plays the hold message and checks until it is done (connect-async-lambda)."
  type        = "CONTACT_FLOW"
  content     = module.contact_flows.inbound_flow

  tags = var.tags

  depends_on = [aws_connect_lambda_function_association.this, aws_lambda_permission.connect]
}

resource "aws_connect_contact_flow_module" "wait_for_task" {
  count = local.connect_enabled && var.create_flow_module ? 1 : 0

  instance_id = var.connect_instance_id
  name        = coalesce(var.flow_module_name, "${var.name}-wait-for-task-module")
  description = "Runs a task (contact attributes task_name, task_input) and waits for it with hold messages; sets task_status and result_<key> (connect-async-lambda)."
  content     = module.contact_flows.wait_module

  tags = var.tags

  depends_on = [aws_connect_lambda_function_association.this, aws_lambda_permission.connect]
}

resource "aws_connect_contact_flow" "requeue_disconnect" {
  count = local.connect_enabled && var.create_flow_module && var.requeue_disconnect_flow != null ? 1 : 0

  instance_id = var.connect_instance_id
  name        = coalesce(try(var.requeue_disconnect_flow.name, null), "${var.name}-requeue-disconnect")
  description = "Chat disconnect flow: re-queues a returning customer after running a task through the flow module (connect-async-lambda)."
  type        = "CONTACT_FLOW"
  content     = module.contact_flows.requeue_disconnect_flow

  tags = var.tags
}
