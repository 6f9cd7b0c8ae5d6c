# One role per function, least privilege: exact actions on exact ARNs, nothing else.
#   start:  read and update tracker items, invoke the worker (or start the state machine)
#   worker: update tracker items, send to its destinations, plus worker_policy_statements
#   check:  read tracker items
#   lookup: read configuration items (config_lookup), nothing of the tracker
#   reconciler: read tracker items and write only the reconciliation fields, read the
#           dead-letter queue, park on the unreconciled queue, plus reconciler.policy_statements
# Each may write logs only to its own log group. A role you bring (execution_role_arns) replaces
# the module's role and policy for that function; role_policy_documents says what it needs.

locals {
  kms_key_arns = compact([var.tracker_table_kms_key_arn])

  tracker_statements = {
    start      = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
    check      = ["dynamodb:GetItem"]
    worker     = ["dynamodb:UpdateItem"]
    reconciler = ["dynamodb:GetItem"]
  }

  # Your statements (worker_policy_statements, reconciler.policy_statements) as IAM writes them,
  # each list through JSON: a statement with conditions has one more key than the others.
  user_statements = {
    for function, given in {
      worker     = { prefix = "Task", statements = module.plan.inputs.worker_policy_statements }
      reconciler = { prefix = "Reconcile", statements = try(local.reconciler.policy_statements, []) }
      } : function => jsonencode([
        for index, statement in given.statements : merge(
          {
            Sid      = coalesce(statement.sid, "${given.prefix}${index}")
            Effect   = "Allow"
            Action   = statement.actions
            Resource = statement.resources
          },
          # Condition only when there are conditions (IAM refuses an empty or null one).
          {
            for key, condition in {
              Condition = {
                for test in distinct([for c in statement.conditions : c.test]) : test => {
                  for c in statement.conditions : c.variable => c.values if c.test == test
                }
              }
            } : key => condition if length(statement.conditions) > 0
          },
        )
    ])
  }

  # The reconciler's statements (reconciler). Its writes name only the reconciliation fields and
  # ask nothing back, which DynamoDB's fine-grained access conditions hold it to.
  reconciler_statements = local.reconciler == null ? "[]" : jsonencode(concat(
    [
      {
        Sid      = "TrackerReconcileFields"
        Effect   = "Allow"
        Action   = ["dynamodb:UpdateItem"]
        Resource = [local.tracker_table_arn]
        Condition = {
          "ForAllValues:StringEquals" = { "dynamodb:Attributes" = local.contract.reconcile.fields }
          StringEqualsIfExists        = { "dynamodb:ReturnValues" = ["NONE"] }
        }
      },
      {
        Sid      = "DeadLetterQueueRead"
        Effect   = "Allow"
        Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
        Resource = [aws_sqs_queue.dead_letter[0].arn]
      },
      {
        Sid      = "UnreconciledQueue"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = [aws_sqs_queue.unreconciled[0].arn]
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
    jsondecode(local.user_statements.reconciler),
  ))

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
      # Through JSON: a statement with conditions has one more key than the others, and
      # Terraform only unifies a conditional's two sides into one list type.
      jsondecode(function != "reconciler" ? "[]" : local.reconciler_statements),
      jsondecode(function != "worker" ? "[]" : jsonencode(concat(
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
        jsondecode(local.user_statements.worker),
      ))),
      var.lambda_kms_key_arn == null ? [] : [
        {
          # The functions' environment variables are encrypted with this key.
          Sid      = "EnvironmentKey"
          Effect   = "Allow"
          Action   = ["kms:Decrypt"]
          Resource = [var.lambda_kms_key_arn]
        },
      ],
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

locals {
  # The roles the module makes: every function's but those you bring.
  created_roles = { for function, name in local.function_names : function => name if try(var.execution_role_arns[function], null) == null }
  role_arns = {
    for function in keys(local.function_names) : function => coalesce(
      try(var.execution_role_arns[function], null), try(aws_iam_role.function[function].arn, null),
    )
  }
  # Functions in the VPC need to manage their network interfaces. EC2 allows these actions only
  # on "*" (as AWS's own AWSLambdaVPCAccessExecutionRole has them), so they go to those
  # functions alone, in a policy of their own that exists before the functions are created
  # (Lambda checks it at CreateFunction).
  vpc_functions = module.plan.inputs.vpc_config == null ? [] : [for function in module.plan.inputs.vpc_config.functions : function if contains(keys(local.function_names), function)]
  network_statements = [{
    Sid    = "NetworkInterfaces"
    Effect = "Allow"
    Action = [
      "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
      "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses",
    ]
    Resource = ["*"]
  }]
}

resource "aws_iam_role" "function" {
  for_each = local.created_roles

  name                 = "${each.value}-role"
  path                 = var.role_path
  permissions_boundary = var.role_permissions_boundary_arn
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
  for_each = local.created_roles

  name = "${each.value}-least-privilege"
  role = aws_iam_role.function[each.key].id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.function_statements[each.key]
  })
}

resource "aws_iam_role_policy" "network" {
  # checkov:skip=CKV_AWS_290:Lambda manages a VPC function's network interfaces through its role; EC2 takes these actions only on "*" (AWS's own AWSLambdaVPCAccessExecutionRole has them so), and only functions in vpc_config get them.
  # checkov:skip=CKV_AWS_355:The same statement: DescribeNetworkInterfaces and DescribeSubnets have no resource-level permissions, and Lambda needs the others on the interfaces it creates, whose ARNs do not exist yet.
  for_each = { for function in local.vpc_functions : function => local.function_names[function] if contains(keys(local.created_roles), function) }

  name = "${each.value}-network-interfaces"
  role = aws_iam_role.function[each.key].id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.network_statements
  })
}
