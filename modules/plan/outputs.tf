output "contract" {
  description = "The runtime's contract (contract.json): tracker table keys, handlers, each function's environment variable names, the flow names and the settings schema."
  value       = local.contract
}

output "timing" {
  description = "The derived timing plan: Lambda timeouts, flow loop count, the run's deadline and the worst silences a caller can hear."
  value = {
    flow_invocation_time_limit_seconds = var.flow_invocation_time_limit_seconds
    # start and check never outlive the flow block that called them.
    start_timeout_seconds   = var.flow_invocation_time_limit_seconds
    check_timeout_seconds   = local.check_timeout_seconds
    worker_timeout_seconds  = var.worker_timeout_seconds
    check_budget_ms         = var.check_budget_ms
    check_poll_interval_ms  = var.check_poll_interval_ms
    worker_safety_margin_ms = var.worker_safety_margin_ms
    hold_prompt_seconds     = var.hold_prompt_seconds
    check_poll_when         = var.check_poll_when
    # Voice: the hold message's sentences, each followed by a check call.
    hold_sentences = var.voice_hold_prompt_arn == null ? length(local.hold_clips) : 1
    loop_count     = local.loop_count
    loop_seconds   = local.loop_seconds
    # The flow checks once right after start, then gives up after its loops: at least
    # max_wait_seconds, rounded up to whole loops.
    # (Each check call adds its own few tens of milliseconds on top: a call per sentence.)
    longest_wait_seconds = (var.check_poll_when == "always" ? local.check_budget_seconds : 0) + local.loop_count * local.loop_seconds
    # The flow module on chat: Connect allows no Wait in a module, so each loop is a check call that
    # holds this long (the hold message's length, at most the time limit less the safety margin),
    # with the hold text every module_chat_hold_every_loops loops.
    module_chat_hold_ms              = local.module_chat_hold_ms
    module_chat_hold_every_loops     = local.module_chat_hold_loops + 1
    module_chat_longest_wait_seconds = local.loop_count * local.module_chat_hold_ms / 1000
    run_deadline_seconds             = local.derived.run_deadline_seconds
    record_ttl_seconds               = var.record_ttl_seconds
    # Silence while check polls (the hold message plays between calls); the hard bound is the
    # flow's time limit, after which Connect takes the error branch.
    expected_longest_silence_ms      = var.check_budget_ms + local.constants.response_margin_ms
    worst_case_silence_seconds       = var.flow_invocation_time_limit_seconds
    worker_maximum_retry_attempts    = var.worker_maximum_retry_attempts
    worker_maximum_event_age_seconds = var.worker_maximum_event_age_seconds
    # The configuration lookup: the silence before the greeting is at most its budget when the
    # table is slow, and the block's time limit when the lookup cannot answer at all.
    lookup_time_limit_seconds = var.lookup_time_limit_seconds
    lookup_budget_ms          = var.lookup_budget_ms
    # How each flow waits: the inbound flow's voice path pushes with wait_mode = "push"; chat and
    # the flow module (where Connect allows no Wait) always poll.
    wait_mode = { inbound_voice = var.wait_mode, inbound_chat = "poll", wait_module = "poll" }
    # Push: each round's asynchronous check (its time limit, how long it holds), the rounds, and
    # the hold plays on the Wait's Continue branch. A waiting caller holds one running check the
    # whole wait (poll: a few tens of milliseconds per call), so size reserved_concurrency.check
    # for the callers who wait at once.
    push_wait_seconds                   = try(local.push.wait_seconds, null)
    push_check_hold_ms                  = try(local.push.hold_ms, null)
    push_loop_count                     = try(local.push.loop_count, null)
    push_hold_plays                     = try(local.push.hold_plays, null)
    push_longest_wait_seconds           = try(local.push.loop_count * local.push.hold_ms / 1000, null)
    check_executions_per_waiting_caller = local.push == null ? 0 : 1
  }
}

output "functions" {
  description = "Per function (start, check, worker, lookup, and reconciler when set): its Lambda timeout, memory and the environment variables its settings become (and the reconciler's max_receive_count)."
  value = merge(
    {
      for function in ["start", "check", "worker", "lookup"] : function => {
        timeout = lookup({
          worker = var.worker_timeout_seconds, lookup = var.lookup_time_limit_seconds,
          check  = local.check_timeout_seconds,
        }, function, var.flow_invocation_time_limit_seconds)
        memory_size = local.setting_values["memory_size.${function}"]
        environment = local.environment[function]
      }
    },
    var.reconciler == null ? {} : {
      reconciler = {
        timeout     = var.reconciler.timeout_seconds
        memory_size = var.reconciler.memory_size
        environment = merge(local.environment.reconciler, { RECONCILE_HANDLER = var.reconciler.handler })
        # How often SQS delivers a message before it moves to the unreconciled queue.
        max_receive_count = var.reconciler.max_receive_count
      }
    },
  )
}

# One output per flow, not one map: the re-queue flow needs the id of the flow module created
# from wait_module, and Terraform orders a module's outputs one by one.

output "inbound_flow" {
  description = "Content of the inbound flow: start the task, wait for it with hold messages, then success or fallback."
  value       = local.inbound_flow
}

output "wait_module" {
  description = "Content of the wait-for-the-task flow module (aws_connect_contact_flow_module)."
  value       = local.wait_module
}

output "requeue_disconnect_flow" {
  description = "Content of the re-queue disconnect flow, or null unless flow_module_id and requeue_disconnect_flow are set."
  value       = local.requeue_disconnect_flow
}

output "config_lookup_module" {
  description = "Content of the config lookup flow module, or null unless config_lookup and lookup_function_arn are set."
  value       = local.config_lookup_module
}

output "config_items" {
  description = "The configuration table's items (config_lookup.items) as DynamoDB JSON by key, each with its speech profile: for aws_dynamodb_table_item."
  value       = local.config_items
}

output "call" {
  description = "What a caller meets, for the call simulator: the hold message, result keys, task parameters and tracking id reference the flows were rendered with."
  value = {
    hold_message          = local.messages.hold
    hold_is_recorded      = var.voice_hold_prompt_arn != null
    hold_spoken_seconds   = local.hold_spoken_seconds
    result_keys           = var.result_attribute_keys
    task_parameters       = var.task_parameters
    tracking_id_reference = local.tracking_id_reference
    # The configuration lookup's keys (flow references) and fields, or null when off.
    config_lookup = !local.lookup_enabled ? null : {
      keys     = var.config_lookup.keys
      fields   = local.config_fields
      run_task = local.run_task
    }
  }
}

output "state_machine" {
  description = "The Step Functions backend (null with backend = lambda): the wrapped definition (JSON) and the workflow type."
  value = !local.sfn_enabled ? null : {
    definition = jsonencode(local.sfn_definition)
    type       = var.step_functions.type
  }
}

output "inputs" {
  description = "The object-typed inputs the root module builds with, as this module converted them (each optional attribute filled with its default). The root declares them type = any, so that it can refuse a misspelt attribute by name, and reads their values here."
  value = {
    vpc_config               = var.vpc_config
    worker_policy_statements = var.worker_policy_statements
    bedrock                  = var.bedrock
    step_functions           = var.step_functions
    requeue_disconnect_flow  = var.requeue_disconnect_flow
    reconciler               = var.reconciler
  }
}
