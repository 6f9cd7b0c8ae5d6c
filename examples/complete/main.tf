# Everything: an Amazon Connect instance's flow that answers a caller's question with the
# Bedrock task (the question from the contact attribute "question", set by an earlier flow or
# a Lex bot; the answer spoken, and saved as result_answer for the queue and the agent), alarms
# to an SNS topic, and an on-success destination queue that another system can read (for
# example to text a caller who hung up before the answer was ready).

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
  # The caller's question goes to the task; its answer comes back to the caller.
  task_parameters       = { question = "$.Attributes.question" }
  result_attribute_keys = ["answer"]
  messages = {
    success = "Here is what I found. {result.answer}"
  }
  worker_policy_statements = [{
    sid       = "InvokeTheModel"
    actions   = ["bedrock:InvokeModel"]
    resources = [local.bedrock_model_arn]
  }]

  # The chat disconnect flow: a returning customer is recorded by the task (through the flow
  # module) and put back in the queue.
  requeue_disconnect_flow = var.requeue_queue_id == null ? null : {
    queue_id  = var.requeue_queue_id
    task_name = "record_return"
  }

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

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

# CloudWatch can publish alarms to an encrypted topic only if the key lets it: the AWS-managed
# aws/sns key never does (its policy cannot be changed), so alarms would be silently lost.
resource "aws_kms_key" "alarms" {
  description             = "Encrypts ${var.name}'s alarm topic; usable by CloudWatch alarms."
  enable_key_rotation     = true
  deletion_window_in_days = 7
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministersTheKey"
        Effect    = "Allow"
        Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchAlarmsPublish"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
        Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } }
      },
    ]
  })
}

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = aws_kms_key.alarms.arn
}

resource "aws_sqs_queue" "finished_runs" {
  name                    = "${var.name}-finished-runs"
  sqs_managed_sse_enabled = true
}
