# The plan's inputs besides the settings (settings.tf): what the flows say and pass, and the ids
# of what the root module creates. The root module declares each optional one again, generated
# from this file without its validations (`make gen`): the rules live here, once.

################################################################################
# Wiring: supplied by the root module from what it creates (the demo gives fixed ids)
################################################################################

variable "start_function_arn" {
  description = "ARN (or alias ARN) of the start function the flows call."
  type        = string
}

variable "check_function_arn" {
  description = "ARN (or alias ARN) of the check function the flows call."
  type        = string
}

variable "flow_module_id" {
  description = "Id of the created wait-for-the-task flow module, which the re-queue disconnect flow invokes. Null: no disconnect flow is rendered."
  type        = string
}

variable "tracker_table_name" {
  description = "Name of the tracker table, which the state machine writes (backend step_functions)."
  type        = string
}

variable "lookup_function_arn" {
  description = "ARN (or alias ARN) of the lookup function the flows call first (config_lookup). Null: no lookup is rendered."
  type        = string
}

################################################################################
# What the flows say and pass
################################################################################

variable "task_parameters" {
  description = "What the module's flows pass to the task on the start call: parameter name => a reference to what the flow knows ($.Attributes.<name> a contact attribute, $.FlowAttributes.<name>, $.Lex.Slots.<name> or $.Lex.SessionAttributes.<name>, $.StoredCustomerInput, a system value such as $.Channel or $.CustomerEndpoint.Address) or a fixed string. The task reads them as context.parameters. The flow module passes each one from the contact attribute of the same name (set it before invoking the module)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for name in keys(var.task_parameters) : can(regex("^[A-Za-z][A-Za-z0-9_]{0,63}$", name))])
    error_message = "task_parameters names must start with a letter and be 1-64 letters, digits or underscores (they are also the flow module's contact attribute names)."
  }
  validation {
    condition     = length(setintersection(keys(var.task_parameters), concat(values(local.contract.flow.parameter), ["task_input"]))) == 0
    error_message = "task_parameters cannot use the names start and check read themselves (task_name, tracking_id, restart_token, spoken_progress) nor task_input (the flow module's own input)."
  }
  validation {
    condition     = alltrue([for value in values(var.task_parameters) : startswith(value, "$.") ? can(regex(local.contract.flow.reference_pattern, value)) : length(value) > 0 && length(value) <= 1024])
    error_message = "Each task_parameters value must be a flow reference ($.Attributes.<name>, $.FlowAttributes.<name>, $.Lex.Slots.<name>, $.Lex.SessionAttributes.<name>, $.StoredCustomerInput, or a system value such as $.Channel, $.ContactId, $.CustomerEndpoint.Address, $.Queue.Name) or a fixed string of 1-1024 characters."
  }
}

variable "tracking_id_reference" {
  description = "With tracking_id_source = \"parameter\": what the module's flows pass as the tracking id, a reference to something the flow knows, such as \"$.Attributes.customer_reference\" (a verified customer reference set upstream), so a caller who calls back finds the same run. Required then when the module creates flows."
  type        = string
  default     = null

  validation {
    condition     = var.tracking_id_reference == null || can(regex(local.contract.flow.reference_pattern, coalesce(var.tracking_id_reference, "-")))
    error_message = "tracking_id_reference must be a flow reference: $.Attributes.<name>, $.FlowAttributes.<name>, $.Lex.Slots.<name>, $.Lex.SessionAttributes.<name>, $.StoredCustomerInput, or a system value such as $.ContactId or $.CustomerEndpoint.Address."
  }
}

variable "result_attribute_keys" {
  description = "Result keys the flow saves as contact attributes (result_<key>) when the task completes, so later Lambda calls cannot overwrite them. For the demo task: message; for the Bedrock task: answer."
  type        = list(string)
  default     = ["message"]

  validation {
    condition     = alltrue([for key in var.result_attribute_keys : can(regex("^[A-Za-z0-9_]{1,64}$", key))])
    error_message = "result_attribute_keys must be 1-64 letters, digits or underscores each (the runtime's result key rule)."
  }
}

variable "messages" {
  description = "What the caller hears or reads, by name: hold, success, fallback, timeout, greeting_fallback (a name not among them is refused: Terraform would drop it silently). Plain text, so one flow serves voice and chat. A name left out is the module's wording. messages.hold is spoken sentence by sentence (a sentence ends at . ! or ? and a space, so write abbreviations without stops; at most 8 sentences), with a check call after each: a result is heard when the sentence playing ends, so short sentences answer sooner; chat contacts read it when the wait begins and about every 30 s. messages.success may speak result values as {result.<key>} (each key in result_attribute_keys): the flow speaks check's answer for that key. messages.fallback and messages.timeout, when unset, promise a transfer to an agent only when fallback_queue_id is set (the call ends otherwise); a text of your own that promises one without a queue is warned about at plan time. With config_lookup, greeting_fallback is what the caller hears when the lookup fails, times out or finds nothing."
  # A map, not an object: an object type drops a misspelt name without a word, and the caller
  # would hear the default wording (the defaults: modules/plan/flows.tf, local.message_defaults).
  type     = map(string)
  default  = {}
  nullable = false

  validation {
    condition     = length(setsubtract(keys(var.messages), local.message_names)) == 0
    error_message = "messages has no ${join(", ", setsubtract(keys(var.messages), local.message_names))}: its names are ${join(", ", local.message_names)} (check the spelling)."
  }
  validation {
    condition     = alltrue([for text in values(var.messages) : text == null ? true : length(trimspace(text)) > 0 && length(text) <= 1000])
    error_message = "Each message must be 1-1000 characters."
  }
  validation {
    condition     = alltrue([for key in regexall("\\{result\\.([A-Za-z0-9_]+)\\}", coalesce(lookup(var.messages, "success", null), local.message_defaults.success)) : contains(var.result_attribute_keys, key[0])])
    error_message = "messages.success speaks a result key ({result.<key>}) that is not in result_attribute_keys: add the key there, so the flow saves it as result_<key>."
  }
  validation {
    condition     = alltrue([for name, text in var.messages : text == null ? true : length(regexall("\\{[^}]*\\}", text)) == (name == "success" ? length(regexall("\\{result\\.[A-Za-z0-9_]+\\}", text)) : 0)])
    error_message = "Only messages.success takes placeholders, and only {result.<key>}: the other messages are spoken where a result may not exist (the error code is saved as the contact attribute error_code, for the next flow to branch on)."
  }
  validation {
    condition     = length([for sentence in regexall(local.contract.flow.hold_sentence_pattern, coalesce(lookup(var.messages, "hold", null), local.message_defaults.hold)) : sentence if trimspace(sentence) != ""]) <= local.contract.flow.max_hold_sentences
    error_message = "messages.hold has more than ${local.contract.flow.max_hold_sentences} sentences: voice callers hear it sentence by sentence with a check call after each (a flow block per sentence). Say it in fewer sentences."
  }
}

variable "voice" {
  description = "Amazon Polly voice the flow speaks with (Set voice: UpdateContactTextToSpeechVoice), and its engine, written as the Connect console writes it (Neural, for example). Chat contacts are unaffected."
  # A map, not an object: an object type drops a misspelt name (voice = { engin = ... }) without a
  # word. A name left out takes modules/plan's local.voice_defaults (Joanna, Neural).
  type     = map(string)
  default  = {}
  nullable = false

  validation {
    condition     = length(setsubtract(keys(var.voice), ["id", "engine"])) == 0
    error_message = "voice has no ${join(", ", setsubtract(keys(var.voice), ["id", "engine"]))}: its names are id and engine (check the spelling)."
  }

  validation {
    condition     = can(regex("^[A-Z][A-Za-z]{1,30}$", merge(local.voice_defaults, var.voice).id))
    error_message = "voice.id must be an Amazon Polly voice name (for example Joanna or Amy)."
  }

  validation {
    condition     = contains(local.contract.flow.voice_engines, merge(local.voice_defaults, var.voice).engine)
    error_message = "voice.engine must be one of ${join(", ", local.contract.flow.voice_engines)}, capitalised as the Connect console writes it (\"neural\" is not accepted by the flow language)."
  }
}

variable "voice_hold_prompt_arn" {
  description = "ARN of a recorded prompt (in the instance's prompt library) that voice callers hear instead of the hold text; chat contacts still read messages.hold. Set hold_prompt_seconds to its length. Null: text for everyone."
  type        = string
  default     = null

  validation {
    condition     = var.voice_hold_prompt_arn == null || can(regex("^arn:aws[a-z-]*:connect:[a-z0-9-]+:[0-9]{12}:instance/[0-9a-f-]{36}/prompt/[0-9a-f-]{36}$", var.voice_hold_prompt_arn))
    error_message = "voice_hold_prompt_arn must be a Connect prompt ARN (arn:aws:connect:<region>:<account>:instance/<id>/prompt/<id>)."
  }
}

variable "success_queue_id" {
  description = "Queue the caller is transferred to after a completed task (null: the call ends after the success message)."
  type        = string
  default     = null

  validation {
    condition     = var.success_queue_id == null || can(regex("^[0-9a-f-]{36}$", var.success_queue_id))
    error_message = "success_queue_id must be a queue id (UUID)."
  }
}

variable "fallback_queue_id" {
  description = "Queue the caller is transferred to after a failure or the 'taking longer' message (null: the call ends)."
  type        = string
  default     = null

  validation {
    condition     = var.fallback_queue_id == null || can(regex("^[0-9a-f-]{36}$", var.fallback_queue_id))
    error_message = "fallback_queue_id must be a queue id (UUID)."
  }
}

variable "requeue_disconnect_flow" {
  description = "Create a chat disconnect flow that re-queues a returning customer after running task_name through the flow module (needs create_flow_module). queue_id: the queue to put them back in; wait_seconds: how long to wait for the customer to come back; retry_attempts: how often a failing module call is retried before the contact is disconnected. Null: not created."
  type = object({
    queue_id       = string
    task_name      = optional(string, "default")
    wait_seconds   = optional(number, 300)
    retry_attempts = optional(number, 2)
    name           = optional(string)
  })
  default = null

  validation {
    condition = var.requeue_disconnect_flow == null || try(
      can(regex("^[0-9a-f-]{36}$", var.requeue_disconnect_flow.queue_id))
      && can(regex("^[A-Za-z0-9_-]{1,64}$", var.requeue_disconnect_flow.task_name))
      && var.requeue_disconnect_flow.wait_seconds >= 1 && var.requeue_disconnect_flow.wait_seconds <= 604800
      && floor(var.requeue_disconnect_flow.wait_seconds) == var.requeue_disconnect_flow.wait_seconds
      && var.requeue_disconnect_flow.retry_attempts >= 0 && var.requeue_disconnect_flow.retry_attempts <= 5
      && floor(var.requeue_disconnect_flow.retry_attempts) == var.requeue_disconnect_flow.retry_attempts
    , false)
    error_message = "requeue_disconnect_flow.queue_id must be a queue id (UUID); task_name must be 1-64 letters, digits, _ or -; wait_seconds a whole number from 1 to 604800 (7 days); retry_attempts a whole number from 0 to 5."
  }
}

################################################################################
# The fast path: a configuration lookup at the start of the contact
################################################################################

variable "config_lookup" {
  description = "The configuration lookup (null: off). The flows call the lookup function first with keys (flow references tried in order, such as $.SystemEndpoint.Address, the dialled number; the item keyed \"default\" is tried last), set the item's language and voice, set config_<field> contact attributes, and speak its greeting, or messages.greeting_fallback on any error, a missing item or a timeout; then the task runs unless run_task is false. items: the configuration table's items by key (a key's fields override the default item's); language and voice from Amazon Polly's lists, engine as the console writes it, greeting 1-1000 characters, attributes: more fields of your own (lower-case names)."
  type = object({
    keys = optional(list(string), ["$.SystemEndpoint.Address"])
    items = map(object({
      language         = optional(string)
      voice            = optional(string)
      engine           = optional(string)
      greeting         = optional(string)
      line_of_business = optional(string)
      queue            = optional(string)
      attributes       = optional(map(string), {})
    }))
    run_task = optional(bool, true)
  })
  default = null

  validation {
    condition     = var.config_lookup == null ? true : length(var.config_lookup.keys) >= 1 && length(var.config_lookup.keys) <= local.contract.lookup.max_keys && alltrue([for key in var.config_lookup.keys : can(regex(local.contract.flow.reference_pattern, key))])
    error_message = "config_lookup.keys must be 1-${local.contract.lookup.max_keys} flow references, tried in order: $.SystemEndpoint.Address (the dialled number), $.Queue.Name, $.Attributes.<name>, $.Lex.Slots.<name> and the other forms task_parameters takes."
  }
  validation {
    condition     = var.config_lookup == null ? true : length(var.config_lookup.items) >= 1 && alltrue([for key in keys(var.config_lookup.items) : can(regex("^[^\\x00-\\x1f\\x7f]{1,${local.contract.lookup.key_max_chars}}$", key)) && trimspace(key) == key])
    error_message = "config_lookup.items needs at least one item; each key is 1-${local.contract.lookup.key_max_chars} printable characters with no spaces around it (a dialled number such as +442071234567, a queue name, or \"default\")."
  }
  validation {
    condition     = var.config_lookup == null ? true : alltrue([for key, item in var.config_lookup.items : coalesce(item.greeting, try(var.config_lookup.items[local.contract.lookup.default_key].greeting, null), "-") != "-"])
    error_message = "Every config_lookup item needs a greeting, its own or the default item's (key \"default\"): the lookup answers fallback for an item with none."
  }
  validation {
    condition     = var.config_lookup == null ? true : alltrue([for item in values(var.config_lookup.items) : item.greeting == null ? true : length(trimspace(item.greeting)) > 0 && length(item.greeting) <= local.contract.lookup.max_greeting_chars])
    error_message = "config_lookup greetings must be 1-${local.contract.lookup.max_greeting_chars} characters."
  }
  validation {
    condition     = var.config_lookup == null ? true : alltrue([for item in values(var.config_lookup.items) : (item.language == null ? true : contains(local.contract.lookup.languages, item.language)) && (item.voice == null ? true : contains(local.contract.lookup.voices, item.voice)) && (item.engine == null ? true : contains(local.contract.flow.voice_engines, item.engine))])
    error_message = "config_lookup items: language must be a language code Amazon Polly knows (${join(", ", local.contract.lookup.languages)}), voice an Amazon Polly voice (Joanna, Amy, Lea, ...), engine one of ${join(", ", local.contract.flow.voice_engines)}."
  }
  validation {
    condition     = var.config_lookup == null ? true : alltrue([for item in values(var.config_lookup.items) : item.language == null || item.voice != null])
    error_message = "A config_lookup item that sets a language must set its voice too: the flow's default voice would read the greeting in the wrong language."
  }
  validation {
    condition = var.config_lookup == null ? true : alltrue(flatten([for item in values(var.config_lookup.items) : [
      for name, value in item.attributes : can(regex(local.contract.lookup.field_pattern, name)) && !contains(concat(values(local.contract.lookup.field), values(local.contract.lookup.response)), name) && length(value) <= 1024
    ]]))
    error_message = "config_lookup attributes: names of a lower-case letter then up to 39 lower-case letters, digits or underscores, none of the item's own fields (${join(", ", values(local.contract.lookup.field))}) or the lookup's answer keys (${join(", ", values(local.contract.lookup.response))}); values up to 1024 characters."
  }
  validation {
    condition     = var.config_lookup == null ? true : length(distinct([for item in values(var.config_lookup.items) : "${coalesce(item.language, "-")}/${coalesce(item.voice, "-")}/${coalesce(item.engine, "-")}" if item.voice != null])) <= 10
    error_message = "config_lookup items use more than 10 language and voice combinations: each is two blocks in the flow (Connect allows 250 actions)."
  }
}

################################################################################
# The Step Functions backend (backend = "step_functions")
################################################################################

variable "step_functions" {
  description = "Your steps, for backend = \"step_functions\": definition_file, an Amazon States Language template (StartAt and States; rendered with template_variables and progress, the ready Task states of progress_messages: \"Debited\": $${jsonencode(merge(progress.debited, { Next = \"CallBank\" }))}) whose last state outputs {\"result\": {<key>: \"<string>\"}} for each result_attribute_keys and whose Fail states name the error code (insufficient_funds); type STANDARD (at most once per run, up to a year, history kept 90 days) or EXPRESS (at least once, at most 5 minutes, cheaper per run); policy_statements for what your steps call."
  type = object({
    definition_file    = string
    template_variables = optional(map(string), {})
    type               = optional(string, "STANDARD")
    policy_statements = optional(list(object({
      sid       = optional(string)
      actions   = list(string)
      resources = list(string)
    })), [])
    log_level              = optional(string, "ERROR")
    include_execution_data = optional(bool, false)
    tracing_enabled        = optional(bool, false)
  })
  default = null

  validation {
    condition     = var.backend != "step_functions" || var.step_functions != null
    error_message = "backend = \"step_functions\" runs your steps: set step_functions.definition_file."
  }
  validation {
    condition     = var.step_functions == null ? true : fileexists(var.step_functions.definition_file)
    error_message = "step_functions.definition_file must be an existing file (an Amazon States Language template)."
  }
  validation {
    condition     = var.step_functions == null ? true : contains(["STANDARD", "EXPRESS"], var.step_functions.type)
    error_message = "step_functions.type must be STANDARD or EXPRESS."
  }
  validation {
    # Express workflows run at most five minutes; the execution's timeout is worker_timeout_seconds.
    condition     = var.step_functions == null ? true : var.step_functions.type != "EXPRESS" || var.worker_timeout_seconds <= 300
    error_message = "An EXPRESS workflow runs at most 300 seconds: lower worker_timeout_seconds (the execution's timeout) to 300 or less, or use STANDARD."
  }
  validation {
    condition     = var.step_functions == null ? true : contains(["ALL", "ERROR", "FATAL", "OFF"], var.step_functions.log_level)
    error_message = "step_functions.log_level must be ALL, ERROR, FATAL or OFF."
  }
  validation {
    condition = var.step_functions == null ? true : alltrue([for s in var.step_functions.policy_statements : length(s.actions) > 0 && length(s.resources) > 0 && alltrue([
      for action in s.actions : can(regex("^[a-z0-9-]+:[A-Za-z0-9]+$", action))
      ]) && alltrue([for arn in s.resources : startswith(arn, "arn:") && !strcontains(arn, "*")])
    ])
    error_message = "step_functions.policy_statements must name exact service:Action names and exact ARNs (no *)."
  }
}

variable "progress_messages" {
  description = "What the caller hears as your steps progress (backend = \"step_functions\"): name => the percent and the message a step reports. Your definition template puts progress.<name> (a ready Task state) where the step is done."
  type = map(object({
    percent = number
    message = string
  }))
  default = {}

  validation {
    condition = alltrue([
      for name, progress in var.progress_messages : can(regex("^[A-Za-z][A-Za-z0-9_]{0,63}$", name))
      && progress.percent >= 0 && progress.percent <= 100 && floor(progress.percent) == progress.percent
      && length(trimspace(progress.message)) > 0 && length(progress.message) <= local.contract.limits.max_progress_message_chars
    ])
    error_message = "progress_messages: names of letters, digits and underscores; percent a whole number from 0 to 100; message 1-${local.contract.limits.max_progress_message_chars} characters."
  }
}

################################################################################
# What the root module builds with them: network, the worker's IAM, the shipped Bedrock task
################################################################################

variable "vpc_config" {
  description = "Run functions in your VPC (the slow back-office systems a task calls usually live there): subnet_ids and security_group_ids, and which functions (default: the worker). start, check and the lookup reach only AWS endpoints; in a VPC they need VPC endpoints for DynamoDB and Lambda (or Step Functions), and the cold start of an elastic network interface counts toward Connect's 8 s. The ENI permissions go only to those functions. Null: no VPC."
  type = object({
    subnet_ids                  = list(string)
    security_group_ids          = list(string)
    functions                   = optional(list(string), ["worker"])
    ipv6_allowed_for_dual_stack = optional(bool, false)
  })
  default = null

  validation {
    condition = var.vpc_config == null ? true : (
      length(var.vpc_config.subnet_ids) > 0 && length(var.vpc_config.security_group_ids) > 0
      && alltrue([for id in var.vpc_config.subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", id))])
      && alltrue([for id in var.vpc_config.security_group_ids : can(regex("^sg-[0-9a-f]{8,17}$", id))])
    )
    error_message = "vpc_config needs at least one subnet id (subnet-...) and one security group id (sg-...)."
  }
  validation {
    condition     = var.vpc_config == null ? true : length(var.vpc_config.functions) > 0 && length(setsubtract(var.vpc_config.functions, ["start", "check", "worker", "lookup", "reconciler"])) == 0
    error_message = "vpc_config.functions names the functions to put in the VPC: start, check, worker, lookup, reconciler."
  }
}

variable "worker_policy_statements" {
  description = "Extra IAM statements for the worker's role, for what your task calls (for example bedrock:InvokeModel on one model ARN). No wildcard actions or resources. conditions: IAM conditions, each a test (StringEquals, ...), a context key and its values, all of which must hold."
  type = list(object({
    sid       = optional(string)
    actions   = list(string)
    resources = list(string)
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  }))
  default = []

  validation {
    condition = alltrue(flatten([for s in var.worker_policy_statements : [
      for c in s.conditions : can(regex("^(ForAllValues:|ForAnyValue:)?[A-Za-z]+(IfExists)?$", c.test)) && can(regex("^[A-Za-z0-9-]+:[A-Za-z0-9/_.-]+$", c.variable)) && length(c.values) > 0
    ]]))
    error_message = "worker_policy_statements conditions: test an IAM condition operator (StringEquals, ArnLike, ForAnyValue:StringLike, ...), variable a condition key (aws:SourceVpce, s3:prefix, ...), and at least one value."
  }

  validation {
    condition = alltrue([for s in var.worker_policy_statements : length(s.actions) > 0 && alltrue([
      for action in s.actions : can(regex("^[a-z0-9-]+:[A-Za-z0-9]+$", action))
    ])])
    error_message = "worker_policy_statements actions must be exact service:Action names (no *)."
  }
  validation {
    condition = alltrue([for s in var.worker_policy_statements : length(s.resources) > 0 && alltrue([
      for arn in s.resources : startswith(arn, "arn:") && !strcontains(arn, "*")
    ])])
    error_message = "worker_policy_statements resources must be exact ARNs (no *)."
  }
}

variable "bedrock" {
  description = "Settings of the shipped Bedrock task (task_handler = connect_async.tasks.bedrock:run): model id, prompt template with $parameter placeholders, optional system prompt and limits. An unset limit is the runtime's default (the settings schema)."
  type = object({
    model_id         = string
    prompt_template  = string
    system_prompt    = optional(string, "")
    max_tokens       = optional(number)
    temperature      = optional(number)
    max_answer_chars = optional(number)
  })
  default = null

  validation {
    condition = var.bedrock == null ? true : alltrue([
      # Terraform evaluates both sides of ||, so an unset (null) limit is passed over with ?:.
      for field in ["max_tokens", "temperature", "max_answer_chars"] : var.bedrock[field] == null ? true : try(
        var.bedrock[field] >= local.settings["bedrock.${field}"].minimum
        && var.bedrock[field] <= local.settings["bedrock.${field}"].maximum
        && (!local.settings["bedrock.${field}"].whole || floor(var.bedrock[field]) == var.bedrock[field]), false
      )
    ])
    error_message = "bedrock.max_tokens must be ${local.settings["bedrock.max_tokens"].rule}, bedrock.temperature ${local.settings["bedrock.temperature"].rule} and bedrock.max_answer_chars ${local.settings["bedrock.max_answer_chars"].rule}."
  }
  validation {
    condition     = var.bedrock == null || try(length(trimspace(var.bedrock.model_id)) > 0 && length(trimspace(var.bedrock.prompt_template)) > 0, false)
    error_message = "bedrock.model_id and bedrock.prompt_template must not be empty."
  }
}

################################################################################
# The reconciler (backend = "lambda"): the dead-letter queue's consumer
################################################################################

variable "reconciler" {
  description = "Reconcile lost runs (null: off; backend \"lambda\" only). handler: your function package.module:function (reconcile(run: LostRun) -> Reconciled | RetryLater, in the task's layer), called once per run whose worker was lost, after its event reached the dead-letter queue, to ask the downstream system what happened; what it returns is recorded on the run's record (reconcile_status, reconcile_outcome), never changing its status. The module reads the queue with an event source mapping (batch_size, maximum_batching_window_seconds, maximum_concurrency) that reports batch item failures; a message received max_receive_count times unreconciled, and any message that is not a worker's invocation record or names no known run, goes to the unreconciled queue, whose alarm fires. timeout_seconds and memory_size: the reconciler function's; policy_statements: what your function calls (as worker_policy_statements)."
  type = object({
    handler                         = string
    batch_size                      = optional(number, 10)
    maximum_batching_window_seconds = optional(number, 0)
    maximum_concurrency             = optional(number, 2)
    max_receive_count               = optional(number, 5)
    timeout_seconds                 = optional(number, 60)
    memory_size                     = optional(number, 256)
    policy_statements = optional(list(object({
      sid       = optional(string)
      actions   = list(string)
      resources = list(string)
      conditions = optional(list(object({
        test     = string
        variable = string
        values   = list(string)
      })), [])
    })), [])
  })
  default = null

  validation {
    condition     = var.reconciler == null || var.backend == "lambda"
    error_message = "reconciler reads the worker's dead-letter queue, which only backend = \"lambda\" has: with step_functions, catch the failure in your state machine (a Catch state) instead."
  }
  validation {
    condition     = var.reconciler == null ? true : can(regex(local.contract.reconcile.handler_pattern, var.reconciler.handler))
    error_message = "reconciler.handler must look like package.module:function (for example my_tasks.transfers:reconcile), a function in your task's layer."
  }
  validation {
    # Lambda allows 10 messages per batch from SQS without a batching window, 10,000 with one.
    condition     = var.reconciler == null ? true : floor(var.reconciler.batch_size) == var.reconciler.batch_size && var.reconciler.batch_size >= 1 && var.reconciler.batch_size <= (var.reconciler.maximum_batching_window_seconds > 0 ? 10000 : 10)
    error_message = "reconciler.batch_size must be a whole number from 1 to 10 (up to 10,000 with maximum_batching_window_seconds above 0, Lambda's limits for an SQS event source)."
  }
  validation {
    # One rule for each numeric attribute's range (local.reconciler_ranges), naming each one out of it.
    condition = var.reconciler == null ? true : length([
      for field, range in local.reconciler_ranges :
      "${field} must be a whole number${range.unit == "" ? "" : " of ${range.unit}"} from ${range.min} to ${range.max} (${range.why}), got ${var.reconciler[field]}"
      if floor(var.reconciler[field]) != var.reconciler[field] || var.reconciler[field] < range.min || var.reconciler[field] > range.max
    ]) == 0
    error_message = "reconciler: ${join("; ", var.reconciler == null ? [] : [
      for field, range in local.reconciler_ranges :
      "${field} must be a whole number${range.unit == "" ? "" : " of ${range.unit}"} from ${range.min} to ${range.max} (${range.why}), got ${var.reconciler[field]}"
      if floor(var.reconciler[field]) != var.reconciler[field] || var.reconciler[field] < range.min || var.reconciler[field] > range.max
    ])}."
  }
  validation {
    condition = var.reconciler == null ? true : alltrue([for s in var.reconciler.policy_statements : length(s.actions) > 0 && length(s.resources) > 0 && alltrue([
      for action in s.actions : can(regex("^[a-z0-9-]+:[A-Za-z0-9]+$", action))
      ]) && alltrue([for arn in s.resources : startswith(arn, "arn:") && !strcontains(arn, "*")]) && alltrue([
      for c in s.conditions : can(regex("^(ForAllValues:|ForAnyValue:)?[A-Za-z]+(IfExists)?$", c.test)) && can(regex("^[A-Za-z0-9-]+:[A-Za-z0-9/_.-]+$", c.variable)) && length(c.values) > 0
    ])])
    error_message = "reconciler.policy_statements must name exact service:Action names and exact ARNs (no *), with conditions as in worker_policy_statements."
  }
}
