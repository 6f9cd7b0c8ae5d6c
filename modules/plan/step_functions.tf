# backend = "step_functions": your steps (Amazon States Language), wrapped so that a state machine
# behaves towards the tracker exactly as the worker function does:
#
#   Claim     the run is claimed before your first step (a conditional write: in progress, this
#             attempt, unclaimed), so a duplicate execution does nothing ("Duplicate");
#   Steps     your states, in a one-branch Parallel, so any error in them is caught;
#   Complete  the run completed with result_<key> for each result_attribute_keys (checked first:
#             a missing or non-string key fails the run with invalid_result);
#   Failed    the run failed with a code: your Fail state's Error (insufficient_funds, ...),
#             worker_timeout for States.Timeout, task_error for any other AWS error;
#   Over      a late or duplicate execution never overwrites a run finished or restarted elsewhere
#             (every write is conditional on this execution's claim).
#
# Progress from any step: progress.<name> is a ready Task state (a conditional DynamoDB write of
# progress_messages[name]); add "Next" or "End" with merge() in your template.
# The record's attribute names and statuses come from contract.json, as in the runtime.

locals {
  sfn_enabled = var.backend == "step_functions"
  record      = local.contract.record
  run_status  = local.contract.run_status

  # The run's key and this execution's claim, in every write.
  sfn_key = { (local.record.task_id) = { "S.$" = "$$.Execution.Input.${local.record.task_id}" } }
  sfn_claimed = {
    condition = "#status = :in_progress AND #attempt = :attempt AND #owner = :me"
    names     = { "#status" = local.record.status, "#attempt" = local.record.attempt, "#owner" = local.record.lease_owner }
    values = {
      ":in_progress" = { S = local.run_status.in_progress }
      ":attempt"     = { "N.$" = "$$.Execution.Input.${local.contract.execution_attempt_field}" }
      ":me"          = { "S.$" = "$$.Execution.Id" }
    }
  }
  # Throttled or briefly unavailable DynamoDB: retried, as the worker's own writes are.
  sfn_write_retry = [{
    ErrorEquals     = ["DynamoDB.ProvisionedThroughputExceededException", "DynamoDB.RequestLimitExceededException", "DynamoDB.InternalServerErrorException", "DynamoDB.ThrottlingException"]
    IntervalSeconds = 1
    MaxAttempts     = 3
    BackoffRate     = 2
  }]
  # When the run became final, so elapsed_seconds stops there: JSONPath has no epoch clock, so
  # the final state's entry time is written as ISO 8601, which the runtime reads as such.
  sfn_finished = {
    names  = { "#finished" = local.record.finished_at_ms }
    values = { ":finished" = { "S.$" = "$$.State.EnteredTime" } }
  }
  sfn_not_ours = [{ ErrorEquals = ["DynamoDB.ConditionalCheckFailedException"], ResultPath = null, Next = "Over" }]

  # Every write after the claim (progress, Complete, Failed): one item's update, conditional on
  # this execution's claim, retried when throttled. Each adds its own SET, names and values.
  sfn_claimed_write = {
    Type       = "Task"
    Resource   = "arn:aws:states:::dynamodb:updateItem"
    ResultPath = null
    Retry      = local.sfn_write_retry
  }
  sfn_claimed_parameters = {
    TableName           = var.tracker_table_name
    Key                 = local.sfn_key
    ConditionExpression = local.sfn_claimed.condition
  }

  progress_states = {
    for name, progress in var.progress_messages : name => merge(local.sfn_claimed_write, {
      Parameters = merge(local.sfn_claimed_parameters, {
        UpdateExpression          = "SET #percent = :percent, #message = :message"
        ExpressionAttributeNames  = merge(local.sfn_claimed.names, { "#percent" = local.record.progress_percent, "#message" = local.record.progress_message })
        ExpressionAttributeValues = merge(local.sfn_claimed.values, { ":percent" = { N = tostring(progress.percent) }, ":message" = { S = progress.message } })
      })
    })
  }

  # Your definition, rendered with your template variables and the progress states.
  sfn_steps = local.sfn_enabled ? jsondecode(templatefile(var.step_functions.definition_file, merge(
    var.step_functions.template_variables, { progress = local.progress_states }
  ))) : null

  sfn_result_keys = var.result_attribute_keys
  sfn_definition = !local.sfn_enabled ? null : {
    Comment = "connect-async-lambda: your steps, claimed, reported and recorded in the tracker"
    StartAt = "Claim"
    # The task's budget; the run's deadline (read as worker_timeout) is this plus the dispatch slack.
    TimeoutSeconds = var.worker_timeout_seconds
    States = merge(
      {
        Claim = {
          Type     = "Task"
          Resource = "arn:aws:states:::dynamodb:updateItem"
          Parameters = {
            TableName = var.tracker_table_name
            Key       = local.sfn_key
            # The lease lives until the run's deadline: no heartbeat, so a stopped execution is
            # read as worker_timeout at the deadline (a failure inside the steps is recorded at once).
            UpdateExpression          = "SET #owner = :me, #runs = if_not_exists(#runs, :zero) + :one, #lease = #deadline"
            ConditionExpression       = "#status = :in_progress AND #attempt = :attempt AND attribute_not_exists(#owner)"
            ExpressionAttributeNames  = merge(local.sfn_claimed.names, { "#runs" = local.record.worker_runs, "#lease" = local.record.lease_expires_at_ms, "#deadline" = local.record.deadline_at_ms })
            ExpressionAttributeValues = merge(local.sfn_claimed.values, { ":zero" = { N = "0" }, ":one" = { N = "1" } })
          }
          ResultPath = null
          Retry      = local.sfn_write_retry
          Catch      = [{ ErrorEquals = ["DynamoDB.ConditionalCheckFailedException"], ResultPath = null, Next = "Duplicate" }]
          Next       = "Steps"
        }
        Duplicate = { Type = "Succeed", Comment = "Claimed by another execution, finished or restarted: nothing to do." }
        Steps = {
          Type       = "Parallel"
          Branches   = [{ StartAt = local.sfn_steps.StartAt, States = local.sfn_steps.States }]
          ResultPath = "$.steps"
          Catch      = [{ ErrorEquals = ["States.ALL"], ResultPath = "$.error", Next = "Classify" }]
          Next       = length(local.sfn_result_keys) == 0 ? "Complete" : "CheckResult"
        }
        Complete = merge(local.sfn_claimed_write, {
          Parameters = merge(local.sfn_claimed_parameters, {
            UpdateExpression          = "SET #status = :completed, #result = :result, #finished = :finished"
            ExpressionAttributeNames  = merge(local.sfn_claimed.names, local.sfn_finished.names, { "#result" = local.record.result })
            ExpressionAttributeValues = merge(local.sfn_claimed.values, local.sfn_finished.values, { ":completed" = { S = local.run_status.completed }, ":result" = { M = { for key in local.sfn_result_keys : key => { "S.$" = "$.steps[0].result.${key}" } } } })
          })
          Catch = local.sfn_not_ours
          End   = true
        })
        Classify = {
          Type = "Choice"
          Choices = [
            { Variable = "$.error.Error", StringEquals = "States.Timeout", Next = "TimedOut" },
            # AWS's own errors are namespaced (States.TaskFailed, Lambda.ServiceException, ...).
            { Variable = "$.error.Error", StringMatches = "*.*", Next = "StepError" },
            { And = [{ Variable = "$.error.Cause", IsPresent = true }, { Variable = "$.error.Cause", IsString = true }], Next = "YourError" },
          ]
          Default = "YourErrorWithoutCause"
        }
        TimedOut              = { Type = "Pass", Result = { code = local.contract.flow.error_code.worker_timeout, message = "a step ran out of time" }, ResultPath = "$.failure", Next = "Failed" }
        StepError             = { Type = "Pass", Parameters = { code = local.contract.flow.error_code.task_error, message = "a step of the workflow failed" }, ResultPath = "$.failure", Next = "Failed" }
        YourError             = { Type = "Pass", Parameters = { "code.$" = "$.error.Error", "message.$" = "$.error.Cause" }, ResultPath = "$.failure", Next = "Failed" }
        YourErrorWithoutCause = { Type = "Pass", Parameters = { "code.$" = "$.error.Error", message = "" }, ResultPath = "$.failure", Next = "Failed" }
        InvalidResult         = { Type = "Pass", Result = { code = local.contract.flow.error_code.invalid_result, message = "the steps' result lacks a result key as a string" }, ResultPath = "$.failure", Next = "Failed" }
        Failed = merge(local.sfn_claimed_write, {
          Parameters = merge(local.sfn_claimed_parameters, {
            UpdateExpression          = "SET #status = :failed, #code = :code, #message = :message, #finished = :finished"
            ExpressionAttributeNames  = merge(local.sfn_claimed.names, local.sfn_finished.names, { "#code" = local.record.error_code, "#message" = local.record.error_message })
            ExpressionAttributeValues = merge(local.sfn_claimed.values, local.sfn_finished.values, { ":failed" = { S = local.run_status.failed }, ":code" = { "S.$" = "$.failure.code" }, ":message" = { "S.$" = "$.failure.message" } })
          })
          Catch = local.sfn_not_ours
          End   = true
        })
        Over = { Type = "Succeed", Comment = "The run was finished or restarted elsewhere: nothing is overwritten." }
      },
      length(local.sfn_result_keys) == 0 ? {} : {
        CheckResult = {
          Type = "Choice"
          Choices = [{
            And = flatten([for key in local.sfn_result_keys : [
              { Variable = "$.steps[0].result.${key}", IsPresent = true },
              { Variable = "$.steps[0].result.${key}", IsString = true },
            ]])
            Next = "Complete"
          }]
          Default = "InvalidResult"
        }
      },
    )
  }
}
