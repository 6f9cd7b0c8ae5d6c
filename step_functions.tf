# backend = "step_functions": the state machine that runs your steps, wrapped by modules/plan so
# it claims, reports and records the run in the tracker exactly as the worker function does.
# start starts one execution per run attempt (its name derived from the run), so Connect's and
# start's own retries never start a second one.

locals {
  sfn_enabled  = var.backend == "step_functions"
  sfn_settings = module.plan.inputs.step_functions
  sfn_name     = "${var.name}-task"
}

resource "aws_cloudwatch_log_group" "state_machine" {
  # checkov:skip=CKV_AWS_338:Retention is the log_retention_days variable, as for the functions.
  count = local.sfn_enabled && try(local.sfn_settings.log_level, "OFF") != "OFF" ? 1 : 0

  # Step Functions' own prefix: its resource policy for log delivery covers /aws/vendedlogs/*.
  name              = "/aws/vendedlogs/states/${local.sfn_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.logs_kms_key_arn

  tags = var.tags
}

resource "aws_iam_role" "state_machine" {
  count = local.sfn_enabled ? 1 : 0

  name                 = "${local.sfn_name}-role"
  path                 = var.role_path
  permissions_boundary = var.role_permissions_boundary_arn
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "states.amazonaws.com" }
      # Only this account's state machines may take the role (the confused-deputy guard).
      Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current[0].account_id } }
    }]
  })

  tags = var.tags
}

data "aws_caller_identity" "current" {
  count = local.sfn_enabled ? 1 : 0
}

resource "aws_iam_role_policy" "state_machine" {
  count = local.sfn_enabled ? 1 : 0

  name = "${local.sfn_name}-least-privilege"
  role = aws_iam_role.state_machine[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [{
        # The claim, progress and the final write: one item's conditional updates.
        Sid      = "TrackerItems"
        Effect   = "Allow"
        Action   = ["dynamodb:UpdateItem"]
        Resource = [local.tracker_table_arn]
      }],
      length(local.kms_key_arns) == 0 ? [] : [{
        Sid      = "TrackerKey"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"]
        Resource = local.kms_key_arns
      }],
      [for index, statement in local.sfn_settings.policy_statements : {
        Sid      = coalesce(statement.sid, "Step${index}")
        Effect   = "Allow"
        Action   = statement.actions
        Resource = statement.resources
      }],
      local.sfn_settings.log_level == "OFF" ? [] : [{
        # Step Functions' log delivery: these actions take no resource narrower than *.
        Sid      = "LogDelivery"
        Effect   = "Allow"
        Action   = ["logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"]
        Resource = ["*"]
      }],
      !local.sfn_settings.tracing_enabled ? [] : [{
        Sid      = "XRayWrite"
        Effect   = "Allow"
        Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"]
        Resource = ["*"]
      }],
    )
  })
}

resource "aws_sfn_state_machine" "task" {
  count = local.sfn_enabled ? 1 : 0

  name       = local.sfn_name
  role_arn   = aws_iam_role.state_machine[0].arn
  type       = module.plan.state_machine.type
  definition = module.plan.state_machine.definition

  dynamic "logging_configuration" {
    for_each = aws_cloudwatch_log_group.state_machine
    content {
      log_destination        = "${logging_configuration.value.arn}:*"
      level                  = local.sfn_settings.log_level
      include_execution_data = local.sfn_settings.include_execution_data
    }
  }

  tracing_configuration {
    enabled = local.sfn_settings.tracing_enabled
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy.state_machine]
}
