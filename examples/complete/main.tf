# Everything: an Amazon Connect instance's flow, the Bedrock task with its IAM statement,
# alarms to an SNS topic, and an on-success destination queue that another system can read
# (for example to text a caller who hung up before the answer was ready).

locals {
  bedrock_model_arn = "arn:aws:bedrock:${var.region}::foundation-model/${var.bedrock_model_id}"
}

module "connect_async" {
  source = "../../"

  name                = var.name
  connect_instance_id = var.connect_instance_id

  task_handler = "connect_async.tasks.bedrock:run"
  bedrock = {
    model_id        = var.bedrock_model_id
    prompt_template = "Answer the caller's question in two short sentences: $question"
    system_prompt   = "You are a helpful contact centre assistant. Never ask for personal data."
    max_tokens      = 300
  }
  worker_policy_statements = [{
    sid       = "InvokeTheModel"
    actions   = ["bedrock:InvokeModel"]
    resources = [local.bedrock_model_arn]
  }]

  max_wait_seconds       = 60
  worker_timeout_seconds = 120
  task_retry_attempts    = 2

  on_success_destination_arn = aws_sqs_queue.finished_runs.arn

  create_alarms       = true
  alarm_sns_topic_arn = aws_sns_topic.alarms.arn

  reserved_concurrency = {
    start = 20
    check = 20
  }

  tags = {
    Example = "complete"
  }
}

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = "alias/aws/sns"
}

resource "aws_sqs_queue" "finished_runs" {
  name                    = "${var.name}-finished-runs"
  sqs_managed_sse_enabled = true
}
