# The money transfer as steps on AWS Step Functions (transfer.asl.json): validate, debit the
# caller's account, call the payee's bank through your integration Lambda, wait for its
# confirmation, then send the receipt and the ledger event in parallel. The module wraps the
# steps so the run is claimed, its progress spoken and its outcome recorded like any other.

module "connect_async" {
  source = "../../"

  name    = var.name
  backend = "step_functions"
  step_functions = {
    definition_file = "${path.module}/transfer.asl.json"
    template_variables = {
      accounts_table     = aws_dynamodb_table.accounts.name
      bank_function_arn  = var.bank_function_arn
      receipts_topic_arn = aws_sns_topic.receipts.arn
    }
    # Standard: at most one execution per run, and its history kept for 90 days.
    type = "STANDARD"
    # Exactly what the steps call: the accounts item, the bank Lambda, the topic, the default bus.
    policy_statements = [
      { sid = "Accounts", actions = ["dynamodb:UpdateItem"], resources = [aws_dynamodb_table.accounts.arn] },
      { sid = "Bank", actions = ["lambda:InvokeFunction"], resources = [var.bank_function_arn] },
      { sid = "Receipts", actions = ["sns:Publish"], resources = [aws_sns_topic.receipts.arn] },
      { sid = "Ledger", actions = ["events:PutEvents"], resources = ["arn:aws:events:${var.region}:${data.aws_caller_identity.current.account_id}:event-bus/default"] },
    ]
  }
  progress_messages = var.progress_messages

  # A transfer waits for the bank: two minutes on hold at most, five minutes for the steps.
  max_wait_seconds       = 120
  worker_timeout_seconds = 300

  connect_instance_id   = var.connect_instance_id
  task_parameters       = var.task_parameters
  result_attribute_keys = var.result_attribute_keys
  messages              = var.messages

  tags = {
    Example = "step-functions"
  }
}

data "aws_caller_identity" "current" {}

# Stands for your ledger: one item per account, with its balance.
resource "aws_dynamodb_table" "accounts" {
  # checkov:skip=CKV_AWS_119:An example's stand-in for your ledger, encrypted with DynamoDB's AWS-owned key.
  name         = "${var.name}-accounts"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "account_id"

  attribute {
    name = "account_id"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }
}

resource "aws_sns_topic" "receipts" {
  name              = "${var.name}-receipts"
  kms_master_key_id = "alias/aws/sns"
}
