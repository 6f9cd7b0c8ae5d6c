# Every rule of the plan module (the settings' ranges and the rules between them, the flows'
# inputs), one run each, plus the derived timing plan and environment.
# Run with: terraform -chdir=modules/plan test

variables {
  start_function_arn                 = "arn:aws:lambda:eu-west-2:123456789012:function:start"
  check_function_arn                 = "arn:aws:lambda:eu-west-2:123456789012:function:check"
  flow_module_id                     = null
  lookup_function_arn                = null
  tracker_table_name                 = "tracker"
  flow_invocation_time_limit_seconds = 8
  check_budget_ms                    = 5000
  check_poll_interval_ms             = 250
  hold_prompt_seconds                = 4
  max_wait_seconds                   = 120
  worker_timeout_seconds             = 300
  worker_safety_margin_ms            = 3000
  record_ttl_seconds                 = 86400
  worker_maximum_event_age_seconds   = 3600
}

run "derives_the_plan" {
  command = apply

  assert {
    condition     = output.timing.loop_count == 30 && output.timing.loop_seconds == 4
    error_message = "check polls only when the run's end is due (check_poll_when = due): a loop is counted at its shortest, the 4 s hold message, and 120 s needs 30 loops."
  }
  assert {
    condition     = output.functions.check.environment.CHECK_POLL_WHEN == "due"
    error_message = "check reads when to poll from its environment."
  }
  assert {
    condition     = output.timing.longest_wait_seconds >= var.max_wait_seconds
    error_message = "The loops must cover at least max_wait_seconds."
  }
}

run "always_polling_counts_the_budget_in_every_loop" {
  command = apply

  variables {
    check_poll_when = "always"
  }

  assert {
    condition     = output.timing.loop_count == 14 && output.timing.loop_seconds == 9
    error_message = "120 s of waiting in 9 s loops (4 s hold message + 5 s check) needs 14 loops."
  }
  assert {
    condition     = output.timing.longest_wait_seconds >= var.max_wait_seconds
    error_message = "The loops must cover at least max_wait_seconds."
  }
  assert {
    condition     = output.timing.run_deadline_seconds == 330
    error_message = "The run's deadline is the worker timeout plus the dispatch slack."
  }
  assert {
    condition     = output.timing.check_timeout_seconds == 8 && output.timing.start_timeout_seconds == 8
    error_message = "start and check time out with the flow block that calls them."
  }
  assert {
    condition     = output.timing.expected_longest_silence_ms < output.timing.worst_case_silence_seconds * 1000
    error_message = "The expected silence must stay under Connect's cut-off."
  }
  assert {
    condition = (
      output.functions.check.environment.CHECK_BUDGET_MS == "5000"
      && output.functions.start.environment.RUN_DEADLINE_SECONDS == "330"
      && output.functions.worker.environment.WORKER_LEASE_MS == "5000"
      && output.functions.check.environment.RESULT_KEYS == "message"
      && !contains(keys(output.functions.start.environment), "CHECK_BUDGET_MS")
    )
    error_message = "Each function's environment holds the settings it reads (the schema's env and readers), and only those."
  }
  assert {
    condition     = output.functions.worker.timeout == 300 && output.functions.check.timeout == 8 && output.functions.worker.memory_size == 512
    error_message = "The functions' timeouts and memory come from the plan."
  }
}

run "time_limit_over_eight_seconds" {
  command = plan
  variables { flow_invocation_time_limit_seconds = 9 }
  expect_failures = [var.flow_invocation_time_limit_seconds]
}

run "time_limit_fractional" {
  command = plan
  variables { flow_invocation_time_limit_seconds = 2.5 }
  expect_failures = [var.flow_invocation_time_limit_seconds]
}

run "budget_over_the_runtime_limit" {
  command = plan
  variables { check_budget_ms = 8000 }
  expect_failures = [var.check_budget_ms]
}

run "budget_without_margin_under_the_time_limit" {
  command = plan
  variables {
    flow_invocation_time_limit_seconds = 5
    check_budget_ms                    = 4500
  }
  expect_failures = [var.check_budget_ms]
}

run "interval_out_of_range" {
  command = plan
  variables { check_poll_interval_ms = 10 }
  expect_failures = [var.check_poll_interval_ms]
}

run "interval_longer_than_budget" {
  command = plan
  variables {
    check_budget_ms        = 1000
    check_poll_interval_ms = 2000
  }
  expect_failures = [var.check_poll_interval_ms]
}

run "hold_prompt_out_of_range" {
  command = plan
  variables { hold_prompt_seconds = 0 }
  expect_failures = [var.hold_prompt_seconds]
}

run "wait_out_of_range" {
  command = plan
  variables { max_wait_seconds = 4000 }
  expect_failures = [var.max_wait_seconds]
}

run "wait_needs_more_than_one_hundred_loops" {
  command = plan
  variables {
    hold_prompt_seconds    = 1
    messages               = { hold = "Please hold." }
    check_budget_ms        = 1000
    max_wait_seconds       = 300
    worker_timeout_seconds = 300
  }
  expect_failures = [var.max_wait_seconds]
}

run "worker_timeout_over_lambdas_maximum" {
  command = plan
  variables { worker_timeout_seconds = 901 }
  expect_failures = [var.worker_timeout_seconds]
}

run "worker_timeout_shorter_than_the_wait" {
  command = plan
  variables { worker_timeout_seconds = 60 }
  expect_failures = [var.worker_timeout_seconds]
}

run "worker_margin_eats_the_timeout" {
  command = plan
  variables {
    max_wait_seconds        = 5
    worker_timeout_seconds  = 5
    worker_safety_margin_ms = 3000
  }
  expect_failures = [var.worker_timeout_seconds]
}

run "worker_margin_out_of_range" {
  command = plan
  variables { worker_safety_margin_ms = 100 }
  expect_failures = [var.worker_safety_margin_ms]
}

run "ttl_shorter_than_the_run" {
  command = plan
  variables { record_ttl_seconds = 300 }
  expect_failures = [var.record_ttl_seconds]
}

run "ttl_out_of_range" {
  command = plan
  variables { record_ttl_seconds = 30 }
  expect_failures = [var.record_ttl_seconds]
}

run "claim_bound_at_or_past_the_deadline" {
  command = plan
  variables {
    max_wait_seconds             = 30
    hold_prompt_seconds          = 4
    worker_timeout_seconds       = 30
    worker_start_timeout_seconds = 60
  }
  expect_failures = [var.worker_start_timeout_seconds]
}

run "claim_bound_out_of_range" {
  command = plan
  variables { worker_start_timeout_seconds = 5 }
  expect_failures = [var.worker_start_timeout_seconds]
}

run "event_age_out_of_range" {
  command = plan
  variables { worker_maximum_event_age_seconds = 30 }
  expect_failures = [var.worker_maximum_event_age_seconds]
}

run "hold_message_longer_than_the_whole_wait" {
  command = plan
  variables {
    hold_prompt_seconds = 30
    messages            = { hold = "Thank you for holding. We are still working on your request and will be with you shortly, so please stay on the line while we finish checking every detail of your account with our team in the back office today, thank you." }
    max_wait_seconds    = 20
  }
  expect_failures = [var.max_wait_seconds]
}

run "fractional_seconds_where_whole_ones_are_meant" {
  command = plan
  variables { max_wait_seconds = 90.5 }
  expect_failures = [var.max_wait_seconds]
}

run "fractional_milliseconds" {
  command = plan
  variables { check_budget_ms = 999.5 }
  expect_failures = [var.check_budget_ms]
}

# The flows' inputs and the settings the root module passes through.

run "bad_requeue_settings" {
  command = plan
  variables {
    requeue_disconnect_flow = { queue_id = "1e3b1d0a-1111-4222-8333-444455556666", wait_seconds = 0 }
  }
  expect_failures = [var.requeue_disconnect_flow]
}

run "bad_requeue_queue" {
  command = plan
  variables {
    requeue_disconnect_flow = { queue_id = "BasicQueue" }
  }
  expect_failures = [var.requeue_disconnect_flow]
}

run "bad_start_retries" {
  command = plan
  variables { start_retry_attempts = 6 }
  expect_failures = [var.start_retry_attempts]
}

run "memory_out_of_range" {
  command = plan
  variables { memory_size = { worker = 64 } }
  expect_failures = [var.memory_size]
}

run "bad_log_level" {
  command = plan
  variables { log_level = "VERBOSE" }
  expect_failures = [var.log_level]
}

run "too_many_async_retries" {
  command = plan
  variables { worker_maximum_retry_attempts = 3 }
  expect_failures = [var.worker_maximum_retry_attempts]
}

run "too_many_task_retries" {
  command = plan
  variables { task_retry_attempts = 11 }
  expect_failures = [var.task_retry_attempts]
}

run "result_limit_over_connects_cap" {
  command = plan
  variables { max_result_bytes = 40000 }
  expect_failures = [var.max_result_bytes]
}

run "bad_tracking_id_source" {
  command = plan
  variables { tracking_id_source = "phone_number" }
  expect_failures = [var.tracking_id_source]
}

run "empty_message" {
  command = plan
  variables { messages = { hold = " " } }
  expect_failures = [var.messages]
}

run "hold_message_of_more_than_eight_sentences" {
  command = plan
  variables { messages = { hold = "One. Two. Three. Four. Five. Six. Seven. Eight. Nine." } }
  expect_failures = [var.messages]
}

run "hold_message_of_eight_sentences_is_played_sentence_by_sentence" {
  command = plan
  variables { messages = { hold = "One. Two! Three? Four costs $3.50. Five. Six. Seven. Eight." } }

  assert {
    condition     = [for a in jsondecode(output.inbound_flow).Actions : a.Parameters.Text if startswith(a.Identifier, "HoldClip")] == ["One.", "Two!", "Three?", "Four costs $3.50.", "Five.", "Six.", "Seven.", "Eight."]
    error_message = "Each sentence is its own prompt, in order; a decimal point does not end a sentence."
  }
  assert {
    condition     = length([for a in jsondecode(output.inbound_flow).Actions : a if startswith(a.Identifier, "CheckClip")]) == 7
    error_message = "A check call follows every sentence but the last (whose call is CheckTask)."
  }
}

run "too_many_check_retries" {
  command = plan
  variables { check_retry_attempts = 6 }
  expect_failures = [var.check_retry_attempts]
}

run "bad_result_attribute_key" {
  command = plan
  variables { result_attribute_keys = ["has space"] }
  expect_failures = [var.result_attribute_keys]
}

run "bad_queue_id" {
  command = plan
  variables { fallback_queue_id = "BasicQueue" }
  expect_failures = [var.fallback_queue_id]
}

run "unknown_voice_engine" {
  command = plan
  variables { voice = { engine = "robotic" } }
  expect_failures = [var.voice]
}

run "lower_case_voice_engine" {
  command = plan
  variables { voice = { engine = "neural" } }
  expect_failures = [var.voice]
}

run "bad_hold_prompt" {
  command = plan
  variables { voice_hold_prompt_arn = "hold-music.wav" }
  expect_failures = [var.voice_hold_prompt_arn]
}

run "task_parameter_name_clashes_with_a_control_parameter" {
  command = plan
  variables { task_parameters = { restart_token = "$.ContactId" } }
  expect_failures = [var.task_parameters]
}

run "task_parameter_with_an_unknown_reference" {
  command = plan
  variables { task_parameters = { question = "$.External.question" } }
  expect_failures = [var.task_parameters]
}

run "task_parameter_with_a_bad_name" {
  command = plan
  variables { task_parameters = { "the question" = "$.Attributes.question" } }
  expect_failures = [var.task_parameters]
}

run "success_message_speaks_a_key_the_flow_does_not_save" {
  command = plan
  variables { messages = { success = "Your balance is {result.balance}" } }
  expect_failures = [var.messages]
}

run "placeholder_in_the_fallback_message" {
  command = plan
  variables { messages = { fallback = "Sorry ({error_code})." } }
  expect_failures = [var.messages]
}

# The Step Functions backend's wrapping and its rules.

run "step_functions_wraps_the_steps" {
  command = apply

  variables {
    backend               = "step_functions"
    result_attribute_keys = ["reference"]
    step_functions = {
      definition_file    = "../../tests/integration/asl/steps.asl.json"
      template_variables = { reference = "TX1" }
    }
    progress_messages = {
      debited   = { percent = 40, message = "Your account is debited." }
      confirmed = { percent = 90, message = "The bank confirmed." }
    }
  }

  assert {
    condition     = jsondecode(output.state_machine.definition).States.Steps.Branches[0].StartAt == "Validate"
    error_message = "Your steps run inside the wrapper's Parallel state."
  }
  assert {
    condition     = jsondecode(output.state_machine.definition).States.Steps.Branches[0].States.Debited.Parameters.ExpressionAttributeValues[":percent"].N == "40"
    error_message = "progress.<name> renders the progress write where the template puts it."
  }
  assert {
    condition     = jsondecode(output.state_machine.definition).States.Claim.Parameters.TableName == "tracker"
    error_message = "The wrapper writes the module's tracker table."
  }
}

run "step_functions_backend_needs_its_steps" {
  command = plan
  variables { backend = "step_functions" }
  expect_failures = [var.step_functions]
}

run "express_workflows_run_five_minutes_at_most" {
  command = plan
  variables {
    backend                = "step_functions"
    worker_timeout_seconds = 600
    step_functions         = { definition_file = "../../tests/integration/asl/steps.asl.json", template_variables = { reference = "x" }, type = "EXPRESS" }
  }
  expect_failures = [var.step_functions]
}

run "a_progress_message_out_of_range" {
  command = plan
  variables {
    backend = "step_functions"
    step_functions = {
      definition_file    = "../../tests/integration/asl/steps.asl.json"
      template_variables = { reference = "x" }
    }
    progress_messages = { debited = { percent = 140, message = "Debited." }, confirmed = { percent = 90, message = "Confirmed." } }
  }
  expect_failures = [var.progress_messages]
}

################################################################################
# The configuration lookup (config_lookup)
################################################################################

run "lookup_renders_items_profiles_and_the_module" {
  command = apply
  variables {
    lookup_function_arn = "arn:aws:lambda:eu-west-2:123456789012:function:lookup"
    config_lookup = {
      items = {
        default         = { greeting = "Thank you for calling." }
        "+442071234567" = { language = "en-GB", voice = "Amy", greeting = "Welcome.", attributes = { opening_hours = "9-5" } }
        "Sales"         = { voice = "Joanna", engine = "Standard", queue = "sales" }
      }
    }
  }
  assert {
    condition     = jsondecode(output.config_items["+442071234567"]).speech_profile.S == "en-GB/Amy/Neural" && jsondecode(output.config_items["Sales"]).speech_profile.S == "-/Joanna/Standard" && !can(jsondecode(output.config_items["default"]).speech_profile)
    error_message = "An item naming a voice carries its speech profile (its language or -, its voice, its engine or the flow's); others carry none."
  }
  assert {
    condition     = output.functions.lookup.environment.CONFIG_FIELDS == "engine,language,line_of_business,opening_hours,queue,voice" && output.functions.lookup.timeout == 3 && output.functions.lookup.environment.LOOKUP_BUDGET_MS == "1500"
    error_message = "The lookup answers every field the items use, and times out with its flow block."
  }
  assert {
    condition     = jsondecode(output.inbound_flow).Actions[1].Identifier == "LookupConfig" && length([for a in jsondecode(output.inbound_flow).Actions : a if a.Type == "UpdateContactData"]) == 1 && length([for a in jsondecode(output.inbound_flow).Actions : a if a.Type == "UpdateContactTextToSpeechVoice"]) == 3
    error_message = "The inbound flow looks the configuration up first, with one Set language per profile that names a language and one Set voice per profile (plus its own)."
  }
  assert {
    condition     = jsondecode(output.config_lookup_module).StartAction == "LookupConfig" && length([for a in jsondecode(output.config_lookup_module).Actions : a if a.Type == "EndFlowModuleExecution"]) == 2
    error_message = "The config lookup module starts with the lookup and returns after either greeting."
  }
}

run "lookup_only_flow_runs_no_task" {
  command = apply
  variables {
    lookup_function_arn = "arn:aws:lambda:eu-west-2:123456789012:function:lookup"
    config_lookup       = { run_task = false, items = { default = { greeting = "Hello." } } }
  }
  assert {
    condition     = length([for a in jsondecode(output.inbound_flow).Actions : a if a.Type == "InvokeLambdaFunction"]) == 1 && one([for a in jsondecode(output.inbound_flow).Actions : a if a.Identifier == "Greet"]).Transitions.NextAction == "AfterSuccess"
    error_message = "With run_task = false the flow greets and sends the caller on: no start or check call."
  }
}

run "lookup_off_renders_nothing_of_it" {
  command = apply
  assert {
    condition     = output.config_lookup_module == null && length(output.config_items) == 0 && !strcontains(output.inbound_flow, "LookupConfig")
    error_message = "Without config_lookup nothing of the lookup is rendered."
  }
}

run "lookup_key_not_a_reference" {
  command = plan
  variables {
    config_lookup = { keys = ["+442071234567"], items = { default = { greeting = "Hi" } } }
  }
  expect_failures = [var.config_lookup]
}

run "lookup_more_than_five_keys" {
  command = plan
  variables {
    config_lookup = { keys = ["$.Attributes.a", "$.Attributes.b", "$.Attributes.c", "$.Attributes.d", "$.Attributes.e", "$.Attributes.f"], items = { default = { greeting = "Hi" } } }
  }
  expect_failures = [var.config_lookup]
}

run "lookup_without_items" {
  command = plan
  variables {
    config_lookup = { items = {} }
  }
  expect_failures = [var.config_lookup]
}

run "lookup_item_key_with_a_control_character" {
  command = plan
  variables {
    config_lookup = { items = { "line\nbreak" = { greeting = "Hi" } } }
  }
  expect_failures = [var.config_lookup]
}

run "lookup_item_without_any_greeting" {
  command = plan
  variables {
    config_lookup = { items = { "+442071234567" = { voice = "Amy" } } }
  }
  expect_failures = [var.config_lookup]
}

run "lookup_greeting_too_long" {
  command = plan
  variables {
    config_lookup = { items = { default = { greeting = join("", [for i in range(1001) : "x"]) } } }
  }
  expect_failures = [var.config_lookup]
}

run "lookup_unknown_language" {
  command = plan
  variables {
    config_lookup = { items = { default = { greeting = "Hi", language = "en-XX", voice = "Amy" } } }
  }
  expect_failures = [var.config_lookup]
}

run "lookup_unknown_voice" {
  command = plan
  variables {
    config_lookup = { items = { default = { greeting = "Hi", voice = "Hal9000" } } }
  }
  expect_failures = [var.config_lookup]
}

run "lookup_lower_case_engine" {
  command = plan
  variables {
    config_lookup = { items = { default = { greeting = "Hi", voice = "Amy", engine = "neural" } } }
  }
  expect_failures = [var.config_lookup]
}

run "lookup_language_without_a_voice" {
  command = plan
  variables {
    config_lookup = { items = { default = { greeting = "Bonjour", language = "fr-FR" } } }
  }
  expect_failures = [var.config_lookup]
}

run "lookup_attribute_named_like_a_field" {
  command = plan
  variables {
    config_lookup = { items = { default = { greeting = "Hi", attributes = { source = "x" } } } }
  }
  expect_failures = [var.config_lookup]
}

run "lookup_attribute_name_not_lower_case" {
  command = plan
  variables {
    config_lookup = { items = { default = { greeting = "Hi", attributes = { OpeningHours = "x" } } } }
  }
  expect_failures = [var.config_lookup]
}

run "lookup_too_many_speech_profiles" {
  command = plan
  variables {
    config_lookup = { items = { for voice in ["Amy", "Emma", "Brian", "Arthur", "Joanna", "Matthew", "Ivy", "Kendra", "Kimberly", "Salli", "Joey"] : voice => { greeting = "Hi", voice = voice } } }
  }
  expect_failures = [var.config_lookup]
}

run "lookup_budget_without_margin_under_its_time_limit" {
  command = plan
  variables {
    lookup_time_limit_seconds = 2
    lookup_budget_ms          = 1500
  }
  expect_failures = [var.lookup_budget_ms]
}

run "lookup_time_limit_over_eight_seconds" {
  command = plan
  variables { lookup_time_limit_seconds = 9 }
  expect_failures = [var.lookup_time_limit_seconds]
}

run "push_derives_its_rounds_and_the_check_timeout" {
  command = apply

  variables {
    wait_mode         = "push"
    push_wait_seconds = 20
  }

  assert {
    condition     = output.timing.push_check_hold_ms == 19000 && output.timing.push_loop_count == 7 && output.timing.push_hold_plays == 6
    error_message = "A push round holds 20 s less the 1 s margin; 120 s needs 7 rounds; the Continue branch plays the 4 s hold message 6 times (longer than a round)."
  }
  assert {
    condition     = output.functions.check.timeout == 20 && output.timing.check_timeout_seconds == 20 && output.timing.check_executions_per_waiting_caller == 1
    error_message = "check's Lambda timeout is the push round's time limit, and each waiting caller holds one check."
  }
  assert {
    condition     = output.timing.wait_mode.inbound_voice == "push" && output.timing.wait_mode.wait_module == "poll"
    error_message = "The inbound flow's voice path pushes; the flow module polls."
  }
  assert {
    condition     = strcontains(output.inbound_flow, "\"InvocationType\":\"ASYNCHRONOUS\"") && !strcontains(output.wait_module, "ASYNCHRONOUS")
    error_message = "Only the inbound flow calls check asynchronously: Connect allows no Wait in a flow module."
  }
}

run "push_wait_out_of_range" {
  command = plan
  variables {
    wait_mode         = "push"
    push_wait_seconds = 61
  }
  expect_failures = [var.push_wait_seconds]
}

run "push_wait_needs_more_than_one_hundred_rounds" {
  command = plan
  variables {
    wait_mode              = "push"
    push_wait_seconds      = 3
    max_wait_seconds       = 300
    worker_timeout_seconds = 300
  }
  expect_failures = [var.push_wait_seconds]
}

run "push_round_needs_more_than_thirty_hold_plays" {
  command = plan
  variables {
    wait_mode           = "push"
    hold_prompt_seconds = 1
    messages            = { hold = "Please hold." }
    push_wait_seconds   = 40
    max_wait_seconds    = 60
  }
  expect_failures = [var.push_wait_seconds]
}

run "wait_mode_unknown" {
  command = plan
  variables {
    wait_mode = "stream"
  }
  expect_failures = [var.wait_mode]
}

run "default_fallback_promises_no_agent_without_a_queue" {
  command = apply
  assert {
    condition     = strcontains(output.inbound_flow, "Please try again later. Goodbye.") && !strcontains(output.inbound_flow, "transfer you to an agent")
    error_message = "Without fallback_queue_id the call ends after the fallback: its default wording must not promise an agent."
  }
}

run "default_fallback_promises_an_agent_with_a_queue" {
  command = apply
  variables {
    fallback_queue_id = "0e3b1d0a-1111-4222-8333-444455556666"
  }
  assert {
    condition     = strcontains(output.inbound_flow, "Let me transfer you to an agent.") && !strcontains(output.inbound_flow, "Please try again later")
    error_message = "With a fallback queue the fallback and timeout paths transfer: the default wording says so."
  }
}

run "own_fallback_promising_an_agent_without_a_queue" {
  command = plan
  variables {
    messages = { fallback = "Sorry. Let me put you through to an agent." }
  }
  expect_failures = [check.fallback_promises_only_what_follows]
}

run "messages_name_misspelt" {
  command = plan
  variables {
    messages = { sucess = "Done." }
  }
  expect_failures = [var.messages]
}

run "voice_name_misspelt" {
  command = plan
  variables {
    voice = { engin = "Generative" }
  }
  expect_failures = [var.voice]
}

run "memory_size_name_misspelt" {
  command = plan
  variables {
    memory_size = { workr = 1024 }
  }
  expect_failures = [var.memory_size]
}

run "memory_size_for_one_function_leaves_the_others_at_their_defaults" {
  command = plan
  variables {
    memory_size = { worker = 1024 }
  }
  assert {
    condition     = output.functions.worker.memory_size == 1024 && output.functions.check.memory_size == 256
    error_message = "memory_size = { worker = 1024 } sets the worker's memory only."
  }
}

# A text hold declared far shorter than it is spoken: the plan would count loops of 1 s while
# each takes about 21 s (52 words).
run "hold_prompt_seconds_far_from_the_hold_texts_length" {
  command = plan
  variables {
    hold_prompt_seconds = 1
    messages            = { hold = "Thank you for holding. We are still looking into your request and will be with you as soon as we can. Your call matters to us, and we appreciate your patience while we finish checking the details with our back office team. Please stay on the line for a little while longer." }
  }
  expect_failures = [var.hold_prompt_seconds]
}

run "a_recorded_hold_prompt_keeps_its_declared_length" {
  command = plan
  variables {
    hold_prompt_seconds   = 2 # a two-second chime, and the 13-word default text for chat
    voice_hold_prompt_arn = "arn:aws:connect:eu-west-2:123456789012:instance/11111111-2222-3333-4444-555555555555/prompt/66666666-7777-8888-9999-000000000000"
  }
  assert {
    condition     = output.timing.hold_prompt_seconds == 2
    error_message = "A recorded prompt's length is the operator's to declare."
  }
}

# The inputs the root module builds with (network, the worker's IAM, the Bedrock task).
run "bad_vpc_subnet" {
  command = plan
  variables {
    vpc_config = { subnet_ids = ["10.0.1.0/24"], security_group_ids = ["sg-0123456789abcdef0"] }
  }
  expect_failures = [var.vpc_config]
}

run "vpc_for_an_unknown_function" {
  command = plan
  variables {
    vpc_config = { subnet_ids = ["subnet-0123456789abcdef0"], security_group_ids = ["sg-0123456789abcdef0"], functions = ["checker"] }
  }
  expect_failures = [var.vpc_config]
}

run "bad_statement_condition" {
  command = plan
  variables {
    worker_policy_statements = [{ actions = ["s3:GetObject"], resources = ["arn:aws:s3:::b/k"], conditions = [{ test = "Equals!", variable = "aws:SourceVpce", values = ["x"] }] }]
  }
  expect_failures = [var.worker_policy_statements]
}

run "wildcard_action_in_task_statement" {
  command = plan
  variables {
    worker_policy_statements = [{ actions = ["bedrock:*"], resources = ["arn:aws:bedrock:eu-west-2::foundation-model/x"] }]
  }
  expect_failures = [var.worker_policy_statements]
}

run "wildcard_resource_in_task_statement" {
  command = plan
  variables {
    worker_policy_statements = [{ actions = ["bedrock:InvokeModel"], resources = ["*"] }]
  }
  expect_failures = [var.worker_policy_statements]
}

run "bedrock_limits" {
  command = plan
  variables {
    bedrock = { model_id = "m", prompt_template = "p", temperature = 3 }
  }
  expect_failures = [var.bedrock]
}

run "bedrock_empty_prompt" {
  command = plan
  variables {
    bedrock = { model_id = "m", prompt_template = " " }
  }
  expect_failures = [var.bedrock]
}

# -- the reconciler (reconciler) --------------------------------------------------------------

run "reconciler_needs_the_lambda_backend" {
  command = plan
  variables {
    backend        = "step_functions"
    step_functions = { definition_file = "../../tests/integration/asl/steps.asl.json", template_variables = { reference = "x" } }
    progress_messages = {
      debited   = { percent = 40, message = "Your account is debited." }
      confirmed = { percent = 90, message = "The bank confirmed." }
    }
    reconciler = { handler = "my_tasks.transfers:reconcile" }
  }
  expect_failures = [var.reconciler]
}

run "reconciler_handler_that_is_not_a_function" {
  command = plan
  variables { reconciler = { handler = "my_tasks/transfers.py" } }
  expect_failures = [var.reconciler]
}

run "reconciler_batch_over_ten_without_a_window" {
  command = plan
  variables { reconciler = { handler = "a.b:c", batch_size = 50 } }
  expect_failures = [var.reconciler]
}

run "reconciler_concurrency_below_sqs_minimum" {
  command = plan
  variables { reconciler = { handler = "a.b:c", maximum_concurrency = 1 } }
  expect_failures = [var.reconciler]
}

run "reconciler_gives_its_function_its_handler_timeout_and_memory" {
  command = plan
  variables { reconciler = { handler = "my_tasks.transfers:reconcile", timeout_seconds = 120, memory_size = 512 } }

  assert {
    condition     = output.functions.reconciler.timeout == 120 && output.functions.reconciler.memory_size == 512 && output.functions.reconciler.environment.RECONCILE_HANDLER == "my_tasks.transfers:reconcile"
    error_message = "The reconciler function takes its timeout, memory and handler from reconciler."
  }
  assert {
    condition     = output.functions.reconciler.environment.POWERTOOLS_LOG_LEVEL == "INFO"
    error_message = "The reconciler logs at the module's log level."
  }
}

run "no_reconciler_function_by_default" {
  command = plan

  assert {
    condition     = !contains(keys(output.functions), "reconciler")
    error_message = "No reconciler function unless reconciler is set."
  }
}

run "reconciler_timeout_below_its_own_needs" {
  command = plan
  variables { reconciler = { handler = "a.b:c", timeout_seconds = 3 } }
  expect_failures = [var.reconciler]
}

run "reconciler_statement_with_a_wildcard" {
  command = plan
  variables { reconciler = { handler = "a.b:c", policy_statements = [{ actions = ["s3:*"], resources = ["arn:aws:s3:::b/*"] }] } }
  expect_failures = [var.reconciler]
}
