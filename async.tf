# The worker's asynchronous handling. Lambda retries an event whose invocation failed, then
# sends it (request and response payloads) to the dead-letter queue. A worker that dies after
# claiming its run (crash, out of memory, hard timeout) stops renewing its lease: readers report
# the run failed/worker_lost within worker_lease_ms, and Lambda's retries of the event record it
# (metric RunsLost), never run the task again, and fail, so the event reaches the queue. See
# README "When the worker dies".

resource "aws_sqs_queue" "dead_letter" {
  count = local.lambda_backend ? 1 : 0

  name                      = "${var.name}-worker-dlq"
  message_retention_seconds = var.dead_letter_queue_retention_seconds
  # With the reconciler reading it: six times its timeout, as Lambda advises for an SQS event
  # source, so a message is not delivered again while a reconciler still works on it.
  visibility_timeout_seconds = local.reconciler == null ? null : 6 * local.reconciler.timeout_seconds
  kms_master_key_id          = var.dead_letter_queue_kms_key_arn
  sqs_managed_sse_enabled    = var.dead_letter_queue_kms_key_arn == null ? true : null

  tags = var.tags
}

resource "aws_lambda_function_event_invoke_config" "worker" {
  count = local.lambda_backend ? 1 : 0

  function_name                = aws_lambda_function.function["worker"].function_name
  maximum_retry_attempts       = local.timing.worker_maximum_retry_attempts
  maximum_event_age_in_seconds = local.timing.worker_maximum_event_age_seconds

  destination_config {
    on_failure {
      destination = aws_sqs_queue.dead_letter[0].arn
    }

    dynamic "on_success" {
      for_each = var.on_success_destination_arn == null ? [] : [var.on_success_destination_arn]
      content {
        destination = on_success.value
      }
    }
  }

  depends_on = [aws_iam_role_policy.function]
}
