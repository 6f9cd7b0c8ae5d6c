# Amazon Connect wiring (when connect_instance_id is set): permit and associate the two
# functions the flow calls, then create the flow. Connect validates a flow on create, so it
# comes last, after its Lambdas are associated and permitted.

data "aws_connect_instance" "this" {
  count = local.connect_enabled ? 1 : 0

  instance_id = var.connect_instance_id
}

locals {
  flow_functions = local.connect_enabled ? toset(["start", "check"]) : toset([])
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

resource "aws_connect_contact_flow" "wait_for_task" {
  count = local.connect_enabled && var.create_contact_flow ? 1 : 0

  instance_id = var.connect_instance_id
  name        = coalesce(var.contact_flow_name, "${var.name}-wait-for-task")
  description = "Starts the task, then plays the hold message and checks until it is done (connect-async-lambda)."
  type        = "CONTACT_FLOW"
  # Set the voice, start the task, then loop [hold message, check, branch on the status] for
  # the timing plan's loop count. See flows/README.md for the paths.
  content = templatefile("${path.module}/flows/inbound.json.tftpl", {
    start_function_arn = aws_lambda_function.function["start"].arn
    check_function_arn = aws_lambda_function.function["check"].arn
    time_limit_seconds = local.timing.flow_invocation_time_limit_seconds
    loop_count         = local.timing.loop_count
    check_retries      = var.check_retry_attempts
    result_keys        = var.result_attribute_keys
    success_queue_id   = var.success_queue_id
    fallback_queue_id  = var.fallback_queue_id
    messages           = var.messages
    voice              = var.voice
  })

  tags = var.tags

  depends_on = [aws_connect_lambda_function_association.this, aws_lambda_permission.connect]
}
