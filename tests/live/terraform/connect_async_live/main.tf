# The deployment the live suite (tests/live) applies with pytest-terraform: the module with the
# demo task, a Connect instance when one is given, alarms to a topic of the run's own, every
# resource tagged with the run's id so what is left after destroy can be listed by tag. Values
# come from TF_VAR_* set by tests/live/conftest.py (unique names per run).

locals {
  tags = {
    ConnectAsyncTestRun = var.run_id
    ManagedBy           = "connect-async-lambda live tests"
  }
}

module "connect_async" {
  source = "../../../.."

  name                = var.name
  connect_instance_id = var.connect_instance_id

  # A worker that dies goes straight to the dead-letter queue (no 1 + 2 minute retries).
  worker_maximum_retry_attempts = 0
  worker_timeout_seconds        = 60
  max_wait_seconds              = 30

  create_alarms       = true
  alarm_sns_topic_arn = aws_sns_topic.alarms.arn

  tags = local.tags
}

# Push mode (examples/push.tfvars) beside it: Connect validates its asynchronous check call, the
# Wait on it and LoadLambdaFunctionResult when it creates the flow.
module "connect_async_push" {
  source = "../../../.."

  name                = "${var.name}-push"
  connect_instance_id = var.connect_instance_id

  wait_mode              = "push"
  check_poll_interval_ms = 150
  memory_size            = { check = 128 }

  worker_maximum_retry_attempts = 0
  worker_timeout_seconds        = 60
  max_wait_seconds              = 30

  tags = local.tags
}

resource "aws_sns_topic" "alarms" {
  # checkov:skip=CKV_AWS_26:A test run's own alarm topic, deleted with the run; it carries alarm names only.
  name = "${var.name}-alarms"
  tags = local.tags
}
