# An optional CloudWatch dashboard for operators (create_dashboard), drawn only from metrics the
# module already has: the runtime's own (namespace metrics_namespace, dimension service = name),
# Lambda's, SQS's and Step Functions'. Every widget is a one-minute view of one question.

locals {
  # The Region the functions run in, from an ARN (the aws_region data source's attribute differs
  # between provider 5.x and 6.x).
  dashboard_region = split(":", aws_lambda_function.function["start"].arn)[3]
  metric_namespace = var.metrics_namespace
  dashboard_widgets = concat(
    [
      {
        title   = "Runs started, completed, lost"
        metrics = [for name in ["RunsStarted", "RunsCompleted", "RunsLost", "DuplicateStarts"] : [local.metric_namespace, name, "service", var.name, { stat = "Sum", label = name }]]
      },
      {
        # One line per error code the runs failed with (a search, so new codes appear by themselves).
        title   = "Runs failed, by error code"
        metrics = [[{ expression = "SEARCH('{${local.metric_namespace},ErrorCode,service} MetricName=\"RunsFailed\" service=\"${var.name}\"', 'Sum', 60)", id = "failed", label = "" }]]
      },
      {
        title   = "start and check duration, p99 (Connect cuts a call at ${local.timing.flow_invocation_time_limit_seconds} s)"
        metrics = [for fn in ["start", "check"] : ["AWS/Lambda", "Duration", "FunctionName", local.function_names[fn], { stat = "p99", label = fn }]]
      },
      {
        title   = "Errors and throttles of the functions"
        metrics = flatten([for fn, name in local.function_names : [for metric in ["Errors", "Throttles"] : ["AWS/Lambda", metric, "FunctionName", name, { stat = "Sum", label = "${fn} ${lower(metric)}" }]]])
      },
    ],
    local.lambda_backend ? [
      {
        title   = "Worker events in the dead-letter queue"
        metrics = [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", try(aws_sqs_queue.dead_letter[0].name, ""), { stat = "Maximum", label = "messages" }]]
      },
      ] : [
      {
        title   = "State machine executions failed or timed out"
        metrics = [for metric in ["ExecutionsFailed", "ExecutionsTimedOut"] : ["AWS/States", metric, "StateMachineArn", try(aws_sfn_state_machine.task[0].arn, ""), { stat = "Sum", label = metric }]]
      },
    ],
    local.reconciler == null ? [] : [
      {
        # What the reconciler made of the dead-letter queue's messages, and what is left for people.
        title = "Lost runs reconciled, retried, parked; the unreconciled queue"
        metrics = concat(
          [for name in ["RunsReconciled", "ReconcileRetries", "DeadLettersParked"] : [local.metric_namespace, name, "service", var.name, { stat = "Sum", label = name }]],
          [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", aws_sqs_queue.unreconciled[0].name, { stat = "Maximum", label = "unreconciled messages" }]],
        )
      },
    ],
    local.lookup_enabled ? [
      {
        title   = "Configuration lookup: answers and fallbacks"
        metrics = [for name in ["ConfigLookupItem", "ConfigLookupDefaultItem", "ConfigLookupFallback", "ConfigLookupDegraded"] : [local.metric_namespace, name, "service", var.name, { stat = "Sum", label = name }]]
      },
    ] : [],
  )
}

resource "aws_cloudwatch_dashboard" "this" {
  count = var.create_dashboard ? 1 : 0

  dashboard_name = var.name
  dashboard_body = jsonencode({
    widgets = [for index, widget in local.dashboard_widgets : {
      type   = "metric"
      x      = (index % 2) * 12
      y      = floor(index / 2) * 6
      width  = 12
      height = 6
      properties = {
        title   = widget.title
        metrics = widget.metrics
        region  = local.dashboard_region
        period  = 60
        view    = "timeSeries"
        stacked = false
      }
    }]
  })
}
