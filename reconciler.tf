# The reconciler (reconciler): the dead-letter queue's consumer. Lambda reads the queue in
# batches (an event source mapping) and the function reports only the messages to retry
# (ReportBatchItemFailures). The queue's redrive policy moves a message received
# max_receive_count times to the unreconciled queue, where the reconciler also parks what it
# cannot reconcile (not a worker's invocation record, an unknown run); an alarm watches it.

resource "aws_sqs_queue" "unreconciled" {
  count = local.reconciler == null ? 0 : 1

  name                      = "${var.name}-unreconciled"
  message_retention_seconds = 1209600 # the longest SQS keeps a message (14 days): an operator looks
  kms_master_key_id         = var.dead_letter_queue_kms_key_arn
  sqs_managed_sse_enabled   = var.dead_letter_queue_kms_key_arn == null ? true : null

  tags = var.tags
}

resource "aws_sqs_queue_redrive_policy" "dead_letter" {
  count = local.reconciler == null ? 0 : 1

  queue_url = aws_sqs_queue.dead_letter[0].id
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.unreconciled[0].arn
    maxReceiveCount     = local.reconciler.max_receive_count
  })
}

resource "aws_lambda_event_source_mapping" "reconciler" {
  count = local.reconciler == null ? 0 : 1

  function_name                      = aws_lambda_function.function["reconciler"].arn
  event_source_arn                   = aws_sqs_queue.dead_letter[0].arn
  batch_size                         = local.reconciler.batch_size
  maximum_batching_window_in_seconds = local.reconciler.maximum_batching_window_seconds
  function_response_types            = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = local.reconciler.maximum_concurrency
  }

  tags = var.tags

  # Lambda checks the function's right to read the queue when the mapping is created.
  depends_on = [aws_iam_role_policy.function]
}
