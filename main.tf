# terraform-aws-connect-async-lambda: the tracker table, the start/worker/check functions,
# the worker's asynchronous handling, least-privilege IAM, and the Amazon Connect wiring.
#
# The runtime's contract (tracker attribute names, each function's environment variable names,
# handler paths) is generated from lambdas/connect_async into lambdas/contract.json and read
# here, so the Terraform and the Python cannot drift: a renamed variable fails the plan.

locals {
  contract = jsondecode(file("${path.module}/lambdas/contract.json"))

  # The committed, reproducible Lambda artifact: the same bytes and hash on every machine,
  # and nothing for module consumers to build.
  lambda_artifact_path   = "${path.module}/lambdas/dist/connect_async.zip"
  lambda_artifact_sha256 = filebase64sha256(local.lambda_artifact_path)

  tracker_table_name = var.create_tracker_table ? aws_dynamodb_table.tracker[0].name : var.tracker_table_name
  tracker_table_arn  = var.create_tracker_table ? aws_dynamodb_table.tracker[0].arn : var.tracker_table_arn

  function_names = {
    start  = "${var.name}-start"
    check  = "${var.name}-check"
    worker = "${var.name}-worker"
  }
  connect_enabled = var.connect_instance_id != null
  timing          = module.timing.plan
}

module "timing" {
  source = "./modules/timing"

  flow_invocation_time_limit_seconds = var.flow_invocation_time_limit_seconds
  check_budget_ms                    = var.check_budget_ms
  check_poll_interval_ms             = var.check_poll_interval_ms
  hold_prompt_seconds                = var.hold_prompt_seconds
  max_wait_seconds                   = var.max_wait_seconds
  worker_timeout_seconds             = var.worker_timeout_seconds
  worker_safety_margin_ms            = var.worker_safety_margin_ms
  record_ttl_seconds                 = var.record_ttl_seconds
  worker_maximum_event_age_seconds   = var.worker_maximum_event_age_seconds
}

################################################################################
# Tracker table
################################################################################

resource "aws_dynamodb_table" "tracker" {
  # checkov:skip=CKV_AWS_119:Encrypted at rest with DynamoDB's AWS-owned key by default; tracker_table_kms_key_arn switches to a customer-managed key.
  count = var.create_tracker_table ? 1 : 0

  name                        = "${var.name}-tracker"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = local.contract.table.hash_key
  deletion_protection_enabled = var.tracker_table_deletion_protection

  attribute {
    name = local.contract.table.hash_key
    type = "S"
  }

  # DynamoDB deletes expired items lazily; the runtime also checks the expiry on every read.
  ttl {
    attribute_name = local.contract.table.ttl_attribute
    enabled        = true
  }

  server_side_encryption {
    enabled     = var.tracker_table_kms_key_arn != null
    kms_key_arn = var.tracker_table_kms_key_arn
  }

  point_in_time_recovery {
    enabled = var.tracker_table_point_in_time_recovery
  }

  tags = var.tags
}
