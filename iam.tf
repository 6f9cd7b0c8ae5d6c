# One role per function, least privilege: exact actions on exact ARNs, nothing else.
#   start:  read and update tracker items, invoke the worker (or start the state machine)
#   worker: update tracker items, send to its destinations, plus worker_policy_statements
#   check:  read tracker items
#   lookup: read configuration items (config_lookup), nothing of the tracker
# Each may write logs only to its own log group.

locals {
  kms_key_arns = compact([var.tracker_table_kms_key_arn])

  tracker_statements = {
    start  = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
    check  = ["dynamodb:GetItem"]
    worker = ["dynamodb:UpdateItem"]
  }

  on_success_action = var.on_success_destination_arn == null ? null : {
    sqs    = "sqs:SendMessage"
    sns    = "sns:Publish"
    events = "events:PutEvents"
  }[split(":", var.on_success_destination_arn)[2]]

  function_statements = {
    for function in keys(local.function_names) : function => concat(
      [
        {
          Sid      = "OwnLogGroup"
          Effect   = "Allow"
          Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
          Resource = ["${aws_cloudwatch_log_group.function[function].arn}:*"]
        },
      ],
      function == "lookup" ? [] : [
        {
          Sid      = "TrackerItems"
          Effect   = "Allow"
          Action   = local.tracker_statements[function]
          Resource = [local.tracker_table_arn]
        },
      ],
      function == "lookup" || length(local.kms_key_arns) == 0 ? [] : [
        {
          Sid      = "TrackerKey"
          Effect   = "Allow"
          Action   = ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"]
          Resource = local.kms_key_arns
        },
      ],
      function != "lookup" ? [] : concat(
        [
          {
            # One BatchGetItem reads the keys' items and the default item.
            Sid      = "ConfigItems"
            Effect   = "Allow"
            Action   = ["dynamodb:BatchGetItem"]
            Resource = [try(aws_dynamodb_table.config[0].arn, "")]
          },
        ],
        var.config_table_kms_key_arn == null ? [] : [
          {
            Sid      = "ConfigKey"
            Effect   = "Allow"
            Action   = ["kms:Decrypt", "kms:DescribeKey"]
            Resource = [var.config_table_kms_key_arn]
          },
        ],
      ),
      function != "start" ? [] : [
        local.lambda_backend ? {
          Sid      = "InvokeWorker"
          Effect   = "Allow"
          Action   = ["lambda:InvokeFunction"]
          Resource = [try(aws_lambda_function.function["worker"].arn, "")]
          } : {
          Sid      = "StartExecution"
          Effect   = "Allow"
          Action   = ["states:StartExecution"]
          Resource = [try(aws_sfn_state_machine.task[0].arn, "")]
        },
      ],
      function != "worker" ? [] : concat(
        [
          {
            Sid      = "DeadLetterQueue"
            Effect   = "Allow"
            Action   = ["sqs:SendMessage"]
            Resource = [try(aws_sqs_queue.dead_letter[0].arn, "")]
          },
        ],
        var.dead_letter_queue_kms_key_arn == null ? [] : [
          {
            Sid      = "DeadLetterQueueKey"
            Effect   = "Allow"
            Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
            Resource = [var.dead_letter_queue_kms_key_arn]
          },
        ],
        local.on_success_action == null ? [] : [
          {
            Sid      = "OnSuccessDestination"
            Effect   = "Allow"
            Action   = [local.on_success_action]
            Resource = [var.on_success_destination_arn]
          },
        ],
        [
          for index, statement in var.worker_policy_statements : {
            Sid      = coalesce(statement.sid, "Task${index}")
            Effect   = "Allow"
            Action   = statement.actions
            Resource = statement.resources
          }
        ],
      ),
      !var.tracing_enabled ? [] : [
        {
          # X-Ray accepts these two actions only on all resources.
          Sid      = "XRayWrite"
          Effect   = "Allow"
          Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
          Resource = ["*"]
        },
      ],
    )
  }
}

resource "aws_iam_role" "function" {
  for_each = local.function_names

  name = "${each.value}-role"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })

  tags = var.tags
}

resource "aws_iam_role_policy" "function" {
  for_each = local.function_names

  name = "${each.value}-least-privilege"
  role = aws_iam_role.function[each.key].id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.function_statements[each.key]
  })
}
