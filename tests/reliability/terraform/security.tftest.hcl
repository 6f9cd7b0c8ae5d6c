# Security properties of every rendered IAM policy and store, with a mocked provider (offline).
# Run by tests/reliability/test_security.py:
#   terraform test -test-directory=tests/reliability/terraform -json
# (Refusing the user's wildcard statements is modules/plan's rule, where worker_policy_statements
# is validated: its wildcard runs in modules/plan/tests/plan.tftest.hcl, run by the same test.)

mock_provider "aws" {
  source = "./tests/mocks"
}

# Every optional statement switched on: Connect, tracing, customer-managed keys, an on-success
# destination, the user's own task statements.
variables {
  name                          = "sec"
  connect_instance_id           = "0e3b1d0a-1111-4222-8333-444455556666"
  tracing_enabled               = true
  tracker_table_kms_key_arn     = "arn:aws:kms:eu-west-2:123456789012:key/11111111-2222-3333-4444-555555555555"
  dead_letter_queue_kms_key_arn = "arn:aws:kms:eu-west-2:123456789012:key/21111111-2222-3333-4444-555555555555"
  logs_kms_key_arn              = "arn:aws:kms:eu-west-2:123456789012:key/31111111-2222-3333-4444-555555555555"
  on_success_destination_arn    = "arn:aws:sns:eu-west-2:123456789012:finished"
  worker_policy_statements = [{
    actions   = ["bedrock:InvokeModel"]
    resources = ["arn:aws:bedrock:eu-west-2::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"]
  }]
}

run "no_wildcard_action_in_any_policy" {
  command = apply

  assert {
    condition = alltrue(flatten([
      for policy in aws_iam_role_policy.function : [
        for statement in jsondecode(policy.policy).Statement : [
          for action in statement.Action : !strcontains(action, "*")
        ]
      ]
    ]))
    error_message = "An IAM policy grants a wildcard action."
  }
  assert {
    condition = alltrue(flatten([
      for policy in aws_iam_role_policy.function : [
        for statement in jsondecode(policy.policy).Statement :
        alltrue([for action in statement.Action : startswith(action, "xray:")]) if contains(statement.Resource, "*")
      ]
    ]))
    error_message = "Only X-Ray's write actions (which allow nothing else) may name Resource \"*\"."
  }
}

run "every_store_is_encrypted_at_rest" {
  command = apply

  assert {
    condition     = one(aws_dynamodb_table.tracker[0].server_side_encryption).enabled && one(aws_dynamodb_table.tracker[0].server_side_encryption).kms_key_arn == var.tracker_table_kms_key_arn
    error_message = "The tracker table uses the customer-managed key when one is given."
  }
  assert {
    condition     = aws_sqs_queue.dead_letter[0].kms_master_key_id == var.dead_letter_queue_kms_key_arn
    error_message = "The dead-letter queue uses the customer-managed key when one is given."
  }
  assert {
    condition     = alltrue([for group in aws_cloudwatch_log_group.function : group.kms_key_id == var.logs_kms_key_arn])
    error_message = "Every log group uses the customer-managed key when one is given."
  }
}

run "default_stores_are_encrypted_with_aws_keys" {
  command = apply

  variables {
    tracker_table_kms_key_arn     = null
    dead_letter_queue_kms_key_arn = null
    logs_kms_key_arn              = null
  }

  assert {
    # DynamoDB encrypts every table at rest; "enabled = false" selects the AWS-owned key.
    condition     = one(aws_dynamodb_table.tracker[0].server_side_encryption).enabled == false
    error_message = "Without a key the table keeps DynamoDB's default encryption (AWS-owned key)."
  }
  assert {
    condition     = aws_sqs_queue.dead_letter[0].sqs_managed_sse_enabled == true
    error_message = "Without a key the dead-letter queue uses SQS-managed encryption."
  }
}

run "connect_may_invoke_only_for_this_instance" {
  command = apply

  assert {
    condition     = alltrue([for p in aws_lambda_permission.connect : p.principal == "connect.amazonaws.com" && p.source_arn == data.aws_connect_instance.this[0].arn])
    error_message = "Each Lambda permission is scoped to the instance's ARN."
  }
  assert {
    condition     = toset(keys(aws_lambda_permission.connect)) == toset(["start", "check"])
    error_message = "Connect may invoke start and check, never the worker."
  }
}
