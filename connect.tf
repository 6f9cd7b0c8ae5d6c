# Amazon Connect wiring (when connect_instance_id is set): permit and associate the functions
# the flows call (start and check, and the lookup with config_lookup), then create the flows.
# Connect validates a flow on create, so it comes last, after its Lambdas are associated and
# permitted.

data "aws_connect_instance" "this" {
  count = local.connect_enabled ? 1 : 0

  instance_id = var.connect_instance_id
}

locals {
  flow_functions = local.connect_enabled ? toset(concat(["start", "check"], local.lookup_enabled ? ["lookup"] : [])) : toset([])
}

resource "aws_lambda_permission" "connect" {
  for_each = local.flow_functions

  statement_id  = "AllowConnectInstance"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.function[each.key].function_name
  # With provisioned concurrency the flows invoke the alias, so the alias is what Connect may call.
  qualifier  = try(aws_lambda_alias.live[each.key].name, null)
  principal  = "connect.amazonaws.com"
  source_arn = data.aws_connect_instance.this[0].arn
}

# The provider takes the function's ARN without a qualifier here; a flow may still call its alias
# (AWS documents invoking a Lambda alias from Connect, permitted on the alias as above).
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
  content     = module.plan.inbound_flow

  tags = var.tags

  depends_on = [aws_connect_lambda_function_association.this, aws_lambda_permission.connect]
}

resource "aws_connect_contact_flow_module" "wait_for_task" {
  count = local.connect_enabled && var.create_flow_module ? 1 : 0

  instance_id = var.connect_instance_id
  name        = coalesce(var.flow_module_name, "${var.name}-wait-for-task-module")
  description = "Runs a task (contact attributes task_name, task_input) and waits for it with hold messages; sets task_status and result_<key> (connect-async-lambda)."
  content     = module.plan.wait_module

  tags = var.tags

  lifecycle {
    # Connect allows no Wait block in a flow module, so the module's chat loop pauses in a check
    # call that holds: it needs a second of the flow's time limit beyond the safety margin.
    precondition {
      condition     = module.plan.timing.module_chat_hold_ms >= 1000
      error_message = "flow_invocation_time_limit_seconds = ${var.flow_invocation_time_limit_seconds} leaves the flow module's chat loop no time to pause (it pauses in a check call, held under that limit less a 1 s margin): raise flow_invocation_time_limit_seconds to at least 2, or set create_flow_module = false."
    }
  }

  depends_on = [aws_connect_lambda_function_association.this, aws_lambda_permission.connect]
}

resource "aws_connect_contact_flow" "requeue_disconnect" {
  count = local.connect_enabled && var.create_flow_module && var.requeue_disconnect_flow != null ? 1 : 0

  instance_id = var.connect_instance_id
  name        = coalesce(module.plan.inputs.requeue_disconnect_flow.name, "${var.name}-requeue-disconnect")
  description = "Chat disconnect flow: re-queues a returning customer after running a task through the flow module (connect-async-lambda)."
  type        = "CONTACT_FLOW"
  content     = module.plan.requeue_disconnect_flow

  tags = var.tags
}

resource "aws_connect_contact_flow_module" "config_lookup" {
  count = local.connect_enabled && local.lookup_enabled && var.create_config_lookup_module ? 1 : 0

  instance_id = var.connect_instance_id
  name        = coalesce(var.config_lookup_module_name, "${var.name}-config-lookup-module")
  description = "Looks the contact's configuration up, sets its language and voice and config_<field> attributes, and speaks the greeting or the fallback greeting (connect-async-lambda)."
  content     = module.plan.config_lookup_module

  tags = var.tags

  depends_on = [aws_connect_lambda_function_association.this, aws_lambda_permission.connect]
}
