# Renders the module's contact flows from templates/*.tftpl. The wait-for-the-task actions are
# one template, embedded by both the inbound flow and the flow module, so the two never drift.

locals {
  names     = local.contract.flow
  templates = "${path.module}/templates"

  # What the caller hears, by name (messages: a map, so a misspelt name is refused, not dropped).
  # The fallback and timeout paths end in the fallback queue when one is set, and end the call
  # otherwise: their default wording promises only what follows.
  after_fallback = var.fallback_queue_id != null ? "Let me transfer you to an agent." : "Please try again later. Goodbye."
  message_defaults = {
    hold              = "Thanks for waiting. We're still working on it. Thank you for your patience."
    success           = "Thank you. Your request is complete."
    fallback          = "Sorry, we could not complete your request. ${local.after_fallback}"
    timeout           = "This is taking longer than expected. ${local.after_fallback}"
    greeting_fallback = "Thank you for calling."
  }
  message_names = keys(local.message_defaults)
  messages      = { for name, text in local.message_defaults : name => coalesce(lookup(var.messages, name, null), text) }

  # What the caller hears: {result.<key>} in the success message becomes a dynamic text
  # reference to check's answer for that key (check always answers it: RESULT_KEYS), which holds
  # even when saving it as a contact attribute failed.
  spoken = {
    for name, text in local.messages : name => replace(
      text, "/\\{result\\.([A-Za-z0-9_]+)\\}/", "$$.External.${local.names.result_prefix}$${1}"
    )
  }
  # Passed on every start and check call when the tracking id is the flow's to give; with the
  # other sources start and check would ignore it anyway.
  tracking_id_reference = var.tracking_id_source == "parameter" ? var.tracking_id_reference : null
  tracking              = local.tracking_id_reference == null ? {} : { (local.names.parameter.tracking_id) = local.tracking_id_reference }

  # The hold message's spoken length, estimated from its words (the plan holds
  # hold_prompt_seconds against it: setting_rules.hcl).
  hold_words          = length(regexall("[^\\s]+", local.messages.hold))
  hold_spoken_seconds = ceil(local.hold_words * 600 / local.constants.speech_words_per_minute) / 10
  # The voice hold message, sentence by sentence (the contract's pattern; validated in variables.tf).
  hold_clips = [for sentence in regexall(local.names.hold_sentence_pattern, local.messages.hold) : trimspace(sentence) if trimspace(sentence) != ""]
  # The check call after each sentence: CheckClip<n>, and after the last the loop's own CheckTask.
  check_after_clip = [for n in range(1, length(local.hold_clips) + 1) : n == length(local.hold_clips) ? "CheckTask" : "CheckClip${n}"]
  # Each check call, the branch on its answer, and where that branch goes while the run is in
  # progress: from CheckTask (which every other path calls too) round the loop, from the check
  # after sentence n on to sentence n + 1.
  # (hold_ms and time_limit_seconds: null, check's own budget under the flow's time limit.)
  check_calls = { for n, check in local.check_after_clip : check => merge(
    { hold_ms = null, time_limit_seconds = null },
    check == "CheckTask"
    ? { branch = "BranchOnStatus", still_running = "WaitLoop" }
    : { branch = "BranchClip${n + 1}", still_running = "HoldClip${n + 2}" },
  ) }
  # A chat loop waits as long as the hold message takes to play, so it lasts as long as a voice loop.
  chat_pause_seconds = max(ceil(var.hold_prompt_seconds), 1)
  chat_hold_loops    = max(ceil(local.names.chat_hold_every_seconds / local.chat_pause_seconds) - 1, 0)
  # The flow module's chat pause. Connect allows no Wait block in a flow module, so there the
  # pause is a check call that holds (hold_ms) and answers as soon as the run ends or its progress
  # changes, under a time limit just above the hold. Between two hold texts those calls chain with
  # no prompt: the check after a message, then one per loop until the next text. The text comes
  # often enough that the chain stays within Connect's 20 s even if every call ran to its limit.
  module_chat_hold_ms = min(
    local.chat_pause_seconds * 1000,
    var.flow_invocation_time_limit_seconds * 1000 - local.constants.check_safety_margin_ms,
  )
  module_chat_time_limit_seconds = min(
    ceil((local.module_chat_hold_ms + local.constants.check_safety_margin_ms) / 1000),
    var.flow_invocation_time_limit_seconds,
  )
  module_chat_hold_loops = max(min(
    floor(local.constants.connect_lambda_chain_seconds / local.module_chat_time_limit_seconds) - 2,
    local.chat_hold_loops,
  ), 0)

  wait_settings = {
    names              = local.names
    start_function_arn = var.start_function_arn
    check_function_arn = var.check_function_arn
    time_limit_seconds = var.flow_invocation_time_limit_seconds
    loop_count         = local.loop_count
    start_retries      = var.start_retry_attempts
    check_retries      = var.check_retry_attempts
    result_keys        = var.result_attribute_keys
    hold_message       = local.messages.hold
    hold_prompt_id     = var.voice_hold_prompt_arn
    hold_clips         = local.hold_clips
    check_after_clip   = local.check_after_clip
    chat_pause_seconds = local.chat_pause_seconds
  }

  inbound_wait_actions = jsondecode(templatefile("${local.templates}/wait_for_task.actions.json.tftpl", merge(local.wait_settings, local.push == null ? {} : {
    # Push: voice waits on one asynchronous check per round, so no sentences and no check after each.
    hold_clips       = []
    check_after_clip = []
    }, {
    # The inbound flow runs the default task (TASK_HANDLER) with what the flow knows.
    run_parameters  = local.tracking
    task_parameters = var.task_parameters
    exits           = { success = "Success", failure = "Fallback", taking_longer = "TakingLonger" }
    # Chat: a Wait of the hold message's length between checks (ChatPause).
    chat_check      = null
    chat_hold_loops = local.chat_hold_loops
    # Push: after each round one read (hold_ms 0): a check that polled its budget for a due end
    # would be silence, the round has already waited.
    check_calls = local.push == null ? local.check_calls : {
      CheckTask = local.check_calls.CheckTask
      PushRead  = { branch = "BranchPush", still_running = "WaitLoop", hold_ms = 0, time_limit_seconds = null }
    }
    push = local.push
  })))

  module_wait_actions = jsondecode(templatefile("${local.templates}/wait_for_task.actions.json.tftpl", merge(local.wait_settings, {
    # The module's inputs are contact attributes the calling flow sets: task_name, task_input,
    # and one per task parameter, of the same name.
    run_parameters = merge({ (local.names.parameter.task_name) = "$.Attributes.${local.names.attribute.task_name}" }, local.tracking)
    task_parameters = merge(
      { (local.names.attribute.task_input) = "$.Attributes.${local.names.attribute.task_input}" },
      { for name in keys(var.task_parameters) : name => "$.Attributes.${name}" },
    )
    exits = { success = "ReturnSuccess", failure = "ReturnError", taking_longer = "ReturnError" }
    # Connect allows no Wait in a flow module: it always polls.
    push = null
    # Chat: a check call that holds for the pause (ChatCheck), as a module has no Wait block.
    chat_check      = "ChatCheck"
    chat_hold_loops = local.module_chat_hold_loops
    check_calls = merge(local.check_calls, { ChatCheck = {
      branch             = "BranchChat", still_running = "WaitLoop", hold_ms = local.module_chat_hold_ms,
      time_limit_seconds = local.module_chat_time_limit_seconds,
    } })
  })))

  inbound_document = jsondecode(templatefile("${local.templates}/inbound.json.tftpl", {
    names             = local.names
    after_voice       = local.lookup_enabled ? "LookupConfig" : "InitSpokenProgress"
    lookup_actions    = local.inbound_lookup_actions
    wait_actions      = jsondecode(local.run_task ? jsonencode(local.inbound_wait_actions) : "[]")
    messages          = local.spoken
    voice             = local.voice
    success_queue_id  = var.success_queue_id
    fallback_queue_id = var.fallback_queue_id
  }))

  wait_module_document = jsondecode(templatefile("${local.templates}/wait_for_task_module.json.tftpl", {
    wait_actions = local.module_wait_actions
  }))

  requeue_disconnect_document = var.flow_module_id == null || var.requeue_disconnect_flow == null ? null : jsondecode(templatefile("${local.templates}/requeue_disconnect.json.tftpl", {
    names          = local.names
    flow_module_id = var.flow_module_id
    requeue        = var.requeue_disconnect_flow
    messages       = local.messages
  }))

  # Each flow as Connect's designer exports it: with Metadata, a position for every block from
  # layout.json (generated by scripts/flow_layout.py from the richest renders), so the console
  # draws it and a tuning never moves a block it did not change.
  # (Without the file, while scripts/flow_layout.py makes it, every block is unplaced.)
  layout    = jsondecode(fileexists("${path.module}/layout.json") ? file("${path.module}/layout.json") : jsonencode({ entry_point = { x = 40, y = 40 }, unplaced = { x = 0, y = 0 }, flows = {} }))
  layout_of = { for name in ["inbound_flow", "wait_module", "requeue_disconnect_flow", "config_lookup_module"] : name => lookup(local.layout.flows, name, {}) }
  # One expression per flow, not one map of flows: a map would make the flow module's content
  # wait for the re-queue flow, which waits for the flow module's id (a cycle).
  inbound_flow = jsonencode(merge(local.inbound_document, { Metadata = {
    entryPointPosition = local.layout.entry_point, snapToGrid = false
    ActionMetadata     = { for a in local.inbound_document.Actions : a.Identifier => { position = lookup(local.layout_of.inbound_flow, a.Identifier, local.layout.unplaced) } }
  } }))
  wait_module = jsonencode(merge(local.wait_module_document, { Metadata = {
    entryPointPosition = local.layout.entry_point, snapToGrid = false
    ActionMetadata     = { for a in local.wait_module_document.Actions : a.Identifier => { position = lookup(local.layout_of.wait_module, a.Identifier, local.layout.unplaced) } }
  } }))
  requeue_disconnect_flow = local.requeue_disconnect_document == null ? null : jsonencode(merge(local.requeue_disconnect_document, { Metadata = {
    entryPointPosition = local.layout.entry_point, snapToGrid = false
    ActionMetadata     = { for a in local.requeue_disconnect_document.Actions : a.Identifier => { position = lookup(local.layout_of.requeue_disconnect_flow, a.Identifier, local.layout.unplaced) } }
  } }))
}

# The configuration lookup (config_lookup): its actions, the flow module, and the table's items.
locals {
  lookup_enabled = var.config_lookup != null && var.lookup_function_arn != null
  lookup_names   = local.contract.lookup
  run_task       = local.lookup_enabled ? var.config_lookup.run_task : true

  voice_defaults   = { id = "Joanna", engine = "Neural" }
  voice            = merge(local.voice_defaults, var.voice)
  config_item_list = var.config_lookup == null ? {} : var.config_lookup.items
  # An item's speech profile, when it names a voice: the flow sets this language and voice for it.
  speech_profiles = {
    for key, item in local.config_item_list : key => join("/", [coalesce(item.language, "-"), item.voice, coalesce(item.engine, local.voice.engine)])
    if item.voice != null
  }
  profiles = [for id in sort(distinct(values(local.speech_profiles))) : {
    id       = id
    language = split("/", id)[0] == "-" ? null : split("/", id)[0]
    voice    = split("/", id)[1]
    engine   = split("/", id)[2]
  }]
  # Every field an item may hold, answered by the lookup and saved as config_<field>.
  standard_fields = [for name in ["language", "voice", "engine", "line_of_business", "queue"] : local.lookup_names.field[name]]
  config_fields = sort(distinct(concat(
    local.standard_fields, flatten([for item in values(local.config_item_list) : keys(item.attributes)]),
  )))
  # The table's items as DynamoDB JSON (aws_dynamodb_table_item), each field a string.
  config_items = {
    for key, item in local.config_item_list : key => jsonencode(merge(
      { (local.lookup_names.table_key) = { S = key } },
      {
        for field, value in {
          language         = item.language, voice = item.voice, engine = item.engine, greeting = item.greeting,
          line_of_business = item.line_of_business, queue = item.queue,
        } : local.lookup_names.field[field] => { S = value } if value != null
      },
      { for name, value in item.attributes : name => { S = value } },
      contains(keys(local.speech_profiles), key) ? { (local.lookup_names.field.speech_profile) = { S = local.speech_profiles[key] } } : {},
    ))
  }

  lookup_settings = {
    lookup              = local.lookup_names
    lookup_function_arn = var.lookup_function_arn
    time_limit_seconds  = var.lookup_time_limit_seconds
    keys                = try(var.config_lookup.keys, [])
    profiles            = local.profiles
    fields              = local.config_fields
    fallback_greeting   = local.messages.greeting_fallback
    call_failed         = local.names.error_code.call_failed
  }
  inbound_lookup_actions = jsondecode(!local.lookup_enabled ? "[]" : templatefile("${local.templates}/config_lookup.actions.json.tftpl", merge(local.lookup_settings, {
    # Greeted or not, the task runs next; a lookup-only flow sends the caller on.
    exits = local.run_task ? { greeted = "InitSpokenProgress", fallback = "InitSpokenProgress" } : { greeted = "AfterSuccess", fallback = "AfterFallback" }
  })))
  config_lookup_document = !local.lookup_enabled ? null : jsondecode(templatefile("${local.templates}/config_lookup_module.json.tftpl", {
    lookup_actions = jsondecode(templatefile("${local.templates}/config_lookup.actions.json.tftpl", merge(local.lookup_settings, {
      exits = { greeted = "ReturnGreeted", fallback = "ReturnFallback" }
    })))
  }))
  config_lookup_module = local.config_lookup_document == null ? null : jsonencode(merge(local.config_lookup_document, { Metadata = {
    entryPointPosition = local.layout.entry_point, snapToGrid = false
    ActionMetadata     = { for a in local.config_lookup_document.Actions : a.Identifier => { position = lookup(local.layout_of.config_lookup_module, a.Identifier, local.layout.unplaced) } }
  } }))
}

# A fallback or timeout text that promises a transfer while no fallback queue is set: the caller
# would hear the promise and then be disconnected. A warning (the words may mean something else);
# `make demo` stops on it, as on every warning.
check "fallback_promises_only_what_follows" {
  assert {
    condition = var.fallback_queue_id != null || alltrue([
      for name in ["fallback", "timeout"] : length(regexall("(?i)(transfer(ring)? you|put(ting)? you through|connect(ing)? you to|an agent|a representative)", local.messages[name])) == 0
    ])
    error_message = "messages.fallback or messages.timeout promises a transfer to an agent, but fallback_queue_id is null, so the flow ends the call after it: set fallback_queue_id, or reword the message."
  }
}
