# Optional alarms, all to one SNS topic.

locals {
  # What runs the task: the worker function and its dead-letter queue, or the state machine.
  task_alarms = local.lambda_backend ? merge({
    dead_letter_messages = {
      description = "Worker events reached the dead-letter queue: runs that failed outside the task's own code."
      namespace   = "AWS/SQS"
      metric      = "ApproximateNumberOfMessagesVisible"
      statistic   = "Maximum"
      threshold   = 0
      dimensions  = { QueueName = try(aws_sqs_queue.dead_letter[0].name, "") }
    }
    worker_errors = {
      description = "The worker function failed (crash, out of memory, timeout, or DynamoDB unreachable)."
      namespace   = "AWS/Lambda"
      metric      = "Errors"
      statistic   = "Sum"
      threshold   = 0
      dimensions  = { FunctionName = try(aws_lambda_function.function["worker"].function_name, "") }
    }
    worker_throttles = {
      description = "The worker was throttled: raise reserved concurrency or the account limit."
      namespace   = "AWS/Lambda"
      metric      = "Throttles"
      statistic   = "Sum"
      threshold   = 0
      dimensions  = { FunctionName = try(aws_lambda_function.function["worker"].function_name, "") }
    }
    }, local.reconciler == null ? {} : {
    unreconciled_messages = {
      description = "A lost run could not be reconciled (your reconcile function kept failing or asking to retry, reconciler.max_receive_count receives) or a message on the dead-letter queue was not a worker's (parked, with its reason as a message attribute): look at the unreconciled queue."
      namespace   = "AWS/SQS"
      metric      = "ApproximateNumberOfMessagesVisible"
      statistic   = "Maximum"
      threshold   = 0
      dimensions  = { QueueName = try(aws_sqs_queue.unreconciled[0].name, "") }
    }
    reconciler_errors = {
      description = "The reconciler function failed as a whole (misconfigured, out of memory, timed out): its batch returns to the dead-letter queue."
      namespace   = "AWS/Lambda"
      metric      = "Errors"
      statistic   = "Sum"
      threshold   = 0
      dimensions  = { FunctionName = try(aws_lambda_function.function["reconciler"].function_name, "") }
    }
    }) : {
    executions_failed = {
      description = "An execution of the task's state machine failed outside your steps (the wrapper records any failure inside them): the run is read as worker_timeout at its deadline."
      namespace   = "AWS/States"
      metric      = "ExecutionsFailed"
      statistic   = "Sum"
      threshold   = 0
      dimensions  = { StateMachineArn = try(aws_sfn_state_machine.task[0].arn, "") }
    }
    executions_timed_out = {
      description = "An execution ran past worker_timeout_seconds: callers heard the fallback (worker_timeout)."
      namespace   = "AWS/States"
      metric      = "ExecutionsTimedOut"
      statistic   = "Sum"
      threshold   = 0
      dimensions  = { StateMachineArn = try(aws_sfn_state_machine.task[0].arn, "") }
    }
  }

  alarms = var.create_alarms ? merge(local.task_alarms, {
    lost_runs = {
      description = "A worker died after claiming a run (crash, out of memory, Lambda's hard timeout): callers heard the fallback; the run is failed/worker_lost and its event is in the dead-letter queue."
      namespace   = var.metrics_namespace
      metric      = "RunsLost"
      statistic   = "Sum"
      threshold   = 0
      # Powertools' Metrics adds the service dimension (POWERTOOLS_SERVICE_NAME = var.name).
      dimensions = { service = var.name }
    }
    check_duration = {
      description = "check ran close to the flow's time limit: Connect may cut it off and take the error branch."
      namespace   = "AWS/Lambda"
      metric      = "Duration"
      statistic   = "Maximum"
      # Half the safety margin left: the budget is being overrun (slow DynamoDB, cold starts).
      threshold  = local.timing.check_budget_ms + (local.timing.flow_invocation_time_limit_seconds * 1000 - local.timing.check_budget_ms) / 2
      dimensions = { FunctionName = aws_lambda_function.function["check"].function_name }
    }
  }) : {}
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = "${var.name}-${replace(each.key, "_", "-")}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  statistic           = each.value.statistic
  dimensions          = each.value.dimensions
  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.threshold
  period              = 60
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.alarm_sns_topic_arn]
  ok_actions          = [var.alarm_sns_topic_arn]

  tags = var.tags
}
