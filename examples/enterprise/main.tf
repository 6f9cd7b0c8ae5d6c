# The module as an enterprise platform team runs it: in its own network, under its IAM
# guardrails, with warm functions, its own keys, tags, alarms and a dashboard. Everything the
# platform already has (subnets, security groups, the permissions boundary, the keys, the alarm
# topic) comes in as variables. Two of these can run side by side in one account: every name
# starts with var.name.

module "connect_async" {
  source = "../../"

  name                = var.name
  connect_instance_id = var.connect_instance_id

  # The worker calls the back office inside the VPC (its ENI permissions, and nobody else's).
  vpc_config = {
    subnet_ids         = var.subnet_ids
    security_group_ids = var.security_group_ids
    functions          = ["worker"]
  }

  role_path                     = "/service-roles/connect-async/"
  role_permissions_boundary_arn = var.permissions_boundary_arn

  # start and check answer Connect within 8 s, cold start included: keep them warm.
  provisioned_concurrency = var.provisioned_concurrency
  reserved_concurrency = {
    start = 20
    check = 20
  }

  lambda_kms_key_arn        = var.kms_key_arn
  tracker_table_kms_key_arn = var.kms_key_arn
  logs_kms_key_arn          = var.logs_kms_key_arn

  worker_policy_statements = [{
    sid       = "CallTheLedgerApi"
    actions   = ["execute-api:Invoke"]
    resources = [var.ledger_api_arn]
    conditions = [{
      test     = "StringEquals"
      variable = "aws:SourceVpc"
      values   = [var.vpc_id]
    }]
  }]

  create_alarms       = true
  alarm_sns_topic_arn = var.alarm_topic_arn
  create_dashboard    = true

  tags = {
    CostCentre         = "contact-centre"
    DataClassification = "internal"
    Example            = "enterprise"
  }
}
