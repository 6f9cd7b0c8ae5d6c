################################################################################
# General
################################################################################

variable "name" {
  description = "Name prefix for every resource the module creates."
  type        = string
  default     = "connect-async"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,40}$", var.name))
    error_message = "name must be 1-40 letters, digits, hyphens or underscores: it prefixes Lambda, DynamoDB, SQS and IAM names."
  }
}

variable "tags" {
  description = "Tags added to every resource that supports them."
  type        = map(string)
  default     = {}
}

################################################################################
# Tracker table
################################################################################

variable "create_tracker_table" {
  description = "Create the DynamoDB tracker table. Set to false to use your own (give tracker_table_name and tracker_table_arn; it needs the hash key and TTL attribute named in modules/plan/contract.json)."
  type        = bool
  default     = true
}

variable "tracker_table_name" {
  description = "Name of an existing tracker table (when create_tracker_table is false). Default: \"<name>-tracker\"."
  type        = string
  default     = null

  validation {
    condition     = var.create_tracker_table || (var.tracker_table_name != null && var.tracker_table_arn != null)
    error_message = "With create_tracker_table = false, set both tracker_table_name and tracker_table_arn."
  }
}

variable "tracker_table_arn" {
  description = "ARN of an existing tracker table (when create_tracker_table is false)."
  type        = string
  default     = null

  validation {
    condition     = var.tracker_table_arn == null || can(regex("^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:[0-9]{12}:table/[A-Za-z0-9_.-]{3,255}$", var.tracker_table_arn))
    error_message = "tracker_table_arn must be a DynamoDB table ARN (arn:aws:dynamodb:<region>:<account>:table/<name>)."
  }
}

variable "tracker_table_kms_key_arn" {
  description = "Customer-managed KMS key for the tracker table. Default null: DynamoDB's AWS-owned key."
  type        = string
  default     = null

  validation {
    condition     = var.tracker_table_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.tracker_table_kms_key_arn))
    error_message = "tracker_table_kms_key_arn must be a KMS key ARN."
  }
}

variable "tracker_table_point_in_time_recovery" {
  description = "Enable point-in-time recovery on the tracker table."
  type        = bool
  default     = true
}

variable "tracker_table_deletion_protection" {
  description = "Enable deletion protection on the tracker table."
  type        = bool
  default     = false
}

################################################################################
# An enterprise platform: network, IAM guardrails, warm functions, encryption
################################################################################

variable "role_path" {
  description = "Path of the IAM roles the module creates (an organisation's convention, such as /service-roles/connect/)."
  type        = string
  default     = "/"

  validation {
    condition     = can(regex("^/([A-Za-z0-9+=,.@_-]+/)*$", var.role_path)) && length(var.role_path) <= 512
    error_message = "role_path must start and end with / (for example /service-roles/), with letters, digits and +=,.@_- between, at most 512 characters."
  }
}

variable "role_permissions_boundary_arn" {
  description = "IAM permissions boundary for every role the module creates (function roles and the state machine's). Null: none."
  type        = string
  default     = null

  validation {
    condition     = var.role_permissions_boundary_arn == null || can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/", var.role_permissions_boundary_arn))
    error_message = "role_permissions_boundary_arn must be an IAM policy ARN (arn:aws:iam::<account>:policy/<name>)."
  }
}

variable "execution_role_arns" {
  description = "Bring your own execution role per function (start, check, worker, lookup), for teams whose roles are made elsewhere: the module then creates no role and no policy for it. Give the role what the role_policy_documents output lists for that function (exactly what the module's own role would have), and a trust policy for lambda.amazonaws.com."
  # Maps, not objects, here and in the concurrency inputs: an object type drops a misspelt
  # function name without a word.
  type     = map(string)
  default  = {}
  nullable = false

  validation {
    condition     = length(setsubtract(keys(var.execution_role_arns), ["start", "check", "worker", "lookup", "reconciler"])) == 0
    error_message = "execution_role_arns has no ${join(", ", setsubtract(keys(var.execution_role_arns), ["start", "check", "worker", "lookup", "reconciler"]))}: its names are start, check, worker, lookup, reconciler (check the spelling)."
  }
  validation {
    condition     = alltrue([for arn in values(var.execution_role_arns) : arn == null ? true : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/", arn))])
    error_message = "execution_role_arns values must be IAM role ARNs (arn:aws:iam::<account>:role/<path/name>)."
  }
}

variable "provisioned_concurrency" {
  description = "Warm instances of start, check and lookup (Connect's 8 s include a cold start): above 0, the function publishes versions behind an alias \"live\" with this much provisioned concurrency, and the flows and Connect's permission use the alias. 0: no alias, the unqualified function. Billed while provisioned."
  type        = map(number)
  default     = {}
  nullable    = false

  validation {
    condition     = length(setsubtract(keys(var.provisioned_concurrency), ["start", "check", "lookup"])) == 0
    error_message = "provisioned_concurrency has no ${join(", ", setsubtract(keys(var.provisioned_concurrency), ["start", "check", "lookup"]))}: its names are start, check, lookup (the worker is invoked asynchronously: a cold start costs the caller nothing)."
  }
  validation {
    condition     = alltrue([for count in values(var.provisioned_concurrency) : count == null ? false : count >= 0 && count <= 1000 && floor(count) == count])
    error_message = "provisioned_concurrency values must be whole numbers from 0 to 1000."
  }
  validation {
    condition     = alltrue([for fn, count in var.provisioned_concurrency : try(var.reserved_concurrency[fn], null) == null ? true : count <= var.reserved_concurrency[fn]])
    error_message = "provisioned_concurrency cannot exceed a function's reserved_concurrency: Lambda refuses it."
  }
}

variable "lambda_kms_key_arn" {
  description = "Customer-managed KMS key that encrypts the functions' environment variables at rest (their roles may decrypt with it). Null: Lambda's own key."
  type        = string
  default     = null

  validation {
    condition     = var.lambda_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/", var.lambda_kms_key_arn))
    error_message = "lambda_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "create_dashboard" {
  description = "Create a CloudWatch dashboard for operators: runs started and finished by status and error code, lost runs, dead-letter queue depth, start and check duration p99, the lookup's answers (with config_lookup)."
  type        = bool
  default     = false
}

################################################################################
# Configuration table (config_lookup)
################################################################################

variable "config_table_kms_key_arn" {
  description = "Customer-managed KMS key for the configuration table (config_lookup). Default null: DynamoDB's AWS-owned key."
  type        = string
  default     = null

  validation {
    condition     = var.config_table_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.config_table_kms_key_arn))
    error_message = "config_table_kms_key_arn must be a KMS key ARN."
  }
}

variable "config_table_point_in_time_recovery" {
  description = "Enable point-in-time recovery on the configuration table (config_lookup)."
  type        = bool
  default     = true
}

variable "config_table_deletion_protection" {
  description = "Enable deletion protection on the configuration table (config_lookup)."
  type        = bool
  default     = false
}

################################################################################
# Lambda functions
################################################################################

variable "lambda_runtime" {
  description = "Python runtime of the functions."
  type        = string
  default     = "python3.12"

  validation {
    condition     = contains(["python3.12", "python3.13"], var.lambda_runtime)
    error_message = "lambda_runtime must be python3.12 or python3.13 (the runtimes the artifact is tested on)."
  }
}

variable "lambda_architecture" {
  description = "Instruction set of the functions."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.lambda_architecture)
    error_message = "lambda_architecture must be arm64 or x86_64."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions per function (null: unreserved). Reserve for start, check (and lookup) so a burst of workers cannot starve the calls a caller is waiting on."
  type        = map(number)
  default     = {}
  nullable    = false

  validation {
    condition     = length(setsubtract(keys(var.reserved_concurrency), ["start", "check", "worker", "lookup", "reconciler"])) == 0
    error_message = "reserved_concurrency has no ${join(", ", setsubtract(keys(var.reserved_concurrency), ["start", "check", "worker", "lookup", "reconciler"]))}: its names are start, check, worker, lookup, reconciler (check the spelling)."
  }
  validation {
    condition     = alltrue([for count in values(var.reserved_concurrency) : count == null ? true : (count >= 0 && floor(count) == count)])
    error_message = "reserved_concurrency values must be null or whole numbers from 0."
  }
  validation {
    # Every waiting caller's flow calls start and check; with wait_mode = "push" each holds one
    # running check for the whole wait.
    condition     = alltrue([for fn in ["start", "check"] : try(var.reserved_concurrency[fn], null) == null ? true : var.reserved_concurrency[fn] >= 1])
    error_message = "reserved_concurrency.start and .check must be at least 1 (0 throttles every call: the flow takes its error branch). Size check for the callers who wait at once: with wait_mode = \"push\" each holds one check execution for its whole wait (timing_plan.check_executions_per_waiting_caller)."
  }
}

variable "log_retention_days" {
  description = "Retention of the functions' CloudWatch log groups (created by the module, so Lambda never creates them without retention)."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of CloudWatch's values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "logs_kms_key_arn" {
  description = "KMS key to encrypt the functions' log groups. Default null: CloudWatch Logs' own encryption."
  type        = string
  default     = null

  validation {
    condition     = var.logs_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.logs_kms_key_arn))
    error_message = "logs_kms_key_arn must be a KMS key ARN."
  }
}

variable "tracing_enabled" {
  description = "X-Ray active tracing and Powertools Tracer. Adds to every cold start (see lambdas/README.md), and grants xray:PutTraceSegments, which X-Ray only allows on all resources."
  type        = bool
  default     = false
}

variable "metrics_namespace" {
  description = "CloudWatch namespace of the functions' EMF metrics."
  type        = string
  default     = "ConnectAsyncLambda"

  validation {
    condition     = can(regex("^[A-Za-z0-9_./#:-]{1,255}$", var.metrics_namespace)) && !startswith(var.metrics_namespace, "AWS/")
    error_message = "metrics_namespace must be 1-255 characters of letters, digits and _./#:- and must not start with AWS/."
  }
}

################################################################################
# BEGIN GENERATED: the plan's optional inputs (`make gen`), declared and validated once in
# modules/plan (settings.tf, variables.tf). Edit them there; see the README for what each trades.
################################################################################

variable "flow_invocation_time_limit_seconds" {
  description = "InvocationTimeLimitSeconds of the flow's start and check blocks. start and check time out with it."
  type        = number
  default     = 8
  nullable    = false
}

variable "check_budget_ms" {
  description = "The longest one check call polls before answering in_progress (leaving a safety margin under the flow's time limit): with check_poll_when = due, only when the run's progress says its end is that close; with always, on every call. The caller hears silence while check polls. Longer: a result that lands while check polls is heard sooner; shorter: less dead air and fewer Lambda GB-seconds (docs/performance.md measures both)."
  type        = number
  default     = 1000
  nullable    = false
}

variable "check_poll_interval_ms" {
  description = "Pause between tracker reads inside one check call (at most the budget). Shorter: the flow learns of a result sooner, for more DynamoDB reads."
  type        = number
  default     = 250
  nullable    = false
}

variable "check_poll_when" {
  description = "When check polls (up to check_budget_ms) instead of answering after one read: due, only when the task's last progress report puts its end within the budget (a task that reports no progress, or runs on the Step Functions backend, whose progress states carry no time, is read once per call, between the hold message's sentences); always, on every call (the sooner a result is heard, the more GB-seconds and silence)."
  type        = string
  default     = "due"
  nullable    = false
}

variable "hold_prompt_seconds" {
  description = "How long the hold message takes to play (all its sentences; a recording's length): one flow loop is this plus a check call after each sentence (one read each, unless the run's end is due). A chat loop waits this long, rounded up to whole seconds. For a text hold the plan estimates the spoken length from its words (about 150 a minute, an assumption: voices differ) and refuses a value more than 2 times as long or as short; time yours in your voice."
  type        = number
  default     = 4
  nullable    = false
}

variable "max_wait_seconds" {
  description = "The longest a caller waits for the task before the 'taking longer than expected' path (at most 100 flow loops)."
  type        = number
  default     = 120
  nullable    = false
}

variable "start_retry_attempts" {
  description = "How many times the flows call start again (after the hold message) when a start call fails, before the fallback. start is idempotent: a retry never starts a second run."
  type        = number
  default     = 1
  nullable    = false
}

variable "check_retry_attempts" {
  description = "How many times the flow calls check again (after the hold message) when a check call fails, before the fallback."
  type        = number
  default     = 2
  nullable    = false
}

variable "wait_mode" {
  description = "How the inbound flow paces a voice caller's wait. poll: the hold message sentence by sentence, with a short check call after each, so a result is heard when the sentence playing ends. push: Connect's asynchronous Lambda; each round one check call holds until the run ends, its progress changes or push_wait_seconds is nearly spent, while the hold message plays on a Wait's Continue branch that the call's return interrupts, so a result is heard at once. Chat and the flow module always poll. push rests on Connect behaviour only a real instance confirms (flows/README.md lists the assumptions), hence the default."
  type        = string
  default     = "poll"
  nullable    = false
}

variable "push_wait_seconds" {
  description = "With wait_mode = push: the time limit of the asynchronous check call and of the Wait on it (one round); check holds for this less the safety margin, and its Lambda timeout is this. Longer: fewer calls per wait. Either way each waiting caller holds one running check function."
  type        = number
  default     = 20
  nullable    = false
}

variable "backend" {
  description = "What runs the task: lambda (the worker function runs your Python, task_handler) or step_functions (a state machine runs your steps, step_functions.definition_file; the flow, start, check and the tracker are the same)."
  type        = string
  default     = "lambda"
  nullable    = false
}

variable "worker_timeout_seconds" {
  description = "The worker's Lambda timeout: the longest your task may run (at least max_wait_seconds)."
  type        = number
  default     = 300
  nullable    = false
}

variable "worker_safety_margin_ms" {
  description = "Time the worker keeps back from its timeout to record worker_timeout itself instead of being killed silently."
  type        = number
  default     = 3000
  nullable    = false
}

variable "record_ttl_seconds" {
  description = "How long a run's record and result stay readable after it starts (longer than the run's deadline)."
  type        = number
  default     = 86400
  nullable    = false
}

variable "worker_lease_ms" {
  description = "How long the worker's claim on a run lives without renewal. The worker renews it every third of this while the task runs; a worker that dies (crash, out of memory, Lambda's hard timeout) is read as failed/worker_lost by the flow this long after its last renewal, instead of at the run's deadline. Shorter is heard sooner; each renewal is one DynamoDB write."
  type        = number
  default     = 5000
  nullable    = false
}

variable "worker_start_timeout_seconds" {
  description = "How long after a run starts a worker must have claimed it (backend lambda). A run no worker claimed by then reads as failed/worker_not_started, so the caller hears the fallback within seconds instead of after the whole wait, and a worker delivered later refuses the run instead of running it late. Lambda retries a throttled asynchronous event from 1 s, doubling (1+2+4+8+16 s = 31 s for five retries); a delivery that failed before claiming is retried after 1 minute, past the default. Step Functions starts its execution synchronously: no bound there."
  type        = number
  default     = 30
  nullable    = false
}

variable "task_retry_attempts" {
  description = "Retries of a task's transient errors (throttling, 5xx, connection errors) inside the worker. Set 0 when a call must never be repeated."
  type        = number
  default     = 2
  nullable    = false
}

variable "max_result_bytes" {
  description = "Largest result (as returned to the flow) before the run fails with result_too_large."
  type        = number
  default     = 16384
  nullable    = false
}

variable "worker_maximum_retry_attempts" {
  description = "Lambda's retries of a failed asynchronous worker event. A run already claimed by a worker is never executed twice; retries help only when the worker failed before claiming."
  type        = number
  default     = 2
  nullable    = false
}

variable "worker_maximum_event_age_seconds" {
  description = "How long Lambda keeps trying to deliver the worker's event before sending it to the dead-letter queue."
  type        = number
  default     = 3600
  nullable    = false
}

variable "tracking_id_source" {
  description = "What identifies a run: initial_contact_id (a transferred contact finds the same run), contact_id, or parameter (the flows pass tracking_id_reference as tracking_id; anyone who can set it can read that run's result)."
  type        = string
  default     = "initial_contact_id"
  nullable    = false
}

variable "log_level" {
  description = "Powertools log level of the functions."
  type        = string
  default     = "INFO"
  nullable    = false
}

variable "memory_size" {
  description = "Memory size (MB) of each function, by name (a name not among them is refused; one left out takes its default). start: writes one item and invokes the worker, default 256; check: reads one item, default 256; worker: runs your task, default 512; lookup: reads one configuration item (config_lookup), default 256."
  type        = map(number)
  default     = {}
  nullable    = false
}

variable "lookup_time_limit_seconds" {
  description = "InvocationTimeLimitSeconds of the flow's lookup block, and the lookup function's timeout: the longest silence before the greeting when the lookup cannot answer at all."
  type        = number
  default     = 3
  nullable    = false
}

variable "lookup_budget_ms" {
  description = "How long the lookup may spend reading the configuration table, retries included, before it answers fallback (config_unavailable): the silence a caller hears before the fallback greeting when the table is throttled or unreachable."
  type        = number
  default     = 1500
  nullable    = false
}

variable "task_parameters" {
  description = "What the module's flows pass to the task on the start call: parameter name => a reference to what the flow knows ($.Attributes.<name> a contact attribute, $.FlowAttributes.<name>, $.Lex.Slots.<name> or $.Lex.SessionAttributes.<name>, $.StoredCustomerInput, a system value such as $.Channel or $.CustomerEndpoint.Address) or a fixed string. The task reads them as context.parameters. The flow module passes each one from the contact attribute of the same name (set it before invoking the module)."
  type        = map(string)
  default     = {}
}

variable "tracking_id_reference" {
  description = "With tracking_id_source = \"parameter\": what the module's flows pass as the tracking id, a reference to something the flow knows, such as \"$.Attributes.customer_reference\" (a verified customer reference set upstream), so a caller who calls back finds the same run. Required then when the module creates flows."
  type        = string
  default     = null
}

variable "result_attribute_keys" {
  description = "Result keys the flow saves as contact attributes (result_<key>) when the task completes, so later Lambda calls cannot overwrite them. For the demo task: message; for the Bedrock task: answer."
  type        = list(string)
  default     = ["message"]
}

variable "messages" {
  description = "What the caller hears or reads, by name: hold, success, fallback, timeout, greeting_fallback (a name not among them is refused: Terraform would drop it silently). Plain text, so one flow serves voice and chat. A name left out is the module's wording. messages.hold is spoken sentence by sentence (a sentence ends at . ! or ? and a space, so write abbreviations without stops; at most 8 sentences), with a check call after each: a result is heard when the sentence playing ends, so short sentences answer sooner; chat contacts read it when the wait begins and about every 30 s. messages.success may speak result values as {result.<key>} (each key in result_attribute_keys): the flow speaks check's answer for that key. messages.fallback and messages.timeout, when unset, promise a transfer to an agent only when fallback_queue_id is set (the call ends otherwise); a text of your own that promises one without a queue is warned about at plan time. With config_lookup, greeting_fallback is what the caller hears when the lookup fails, times out or finds nothing."
  # A map, not an object: an object type drops a misspelt name without a word, and the caller
  # would hear the default wording (the defaults: modules/plan/flows.tf, local.message_defaults).
  type     = map(string)
  default  = {}
  nullable = false
}

variable "voice" {
  description = "Amazon Polly voice the flow speaks with (Set voice: UpdateContactTextToSpeechVoice), and its engine, written as the Connect console writes it (Neural, for example). Chat contacts are unaffected."
  # A map, not an object: an object type drops a misspelt name (voice = { engin = ... }) without a
  # word. A name left out takes modules/plan's local.voice_defaults (Joanna, Neural).
  type     = map(string)
  default  = {}
  nullable = false
}

variable "voice_hold_prompt_arn" {
  description = "ARN of a recorded prompt (in the instance's prompt library) that voice callers hear instead of the hold text; chat contacts still read messages.hold. Set hold_prompt_seconds to its length. Null: text for everyone."
  type        = string
  default     = null
}

variable "success_queue_id" {
  description = "Queue the caller is transferred to after a completed task (null: the call ends after the success message)."
  type        = string
  default     = null
}

variable "fallback_queue_id" {
  description = "Queue the caller is transferred to after a failure or the 'taking longer' message (null: the call ends)."
  type        = string
  default     = null
}

variable "requeue_disconnect_flow" {
  description = "Create a chat disconnect flow that re-queues a returning customer after running task_name through the flow module (needs create_flow_module). queue_id: the queue to put them back in; wait_seconds: how long to wait for the customer to come back; retry_attempts: how often a failing module call is retried before the contact is disconnected. Null: not created."
  type        = any
  default     = null

  validation {
    condition     = length(try([for name in setsubtract(keys(var.requeue_disconnect_flow), ["queue_id", "task_name", "wait_seconds", "retry_attempts", "name"]) : "requeue_disconnect_flow.${name} (known: queue_id, task_name, wait_seconds, retry_attempts, name)"], [])) == 0
    error_message = "Unknown attribute: ${join("; ", try([for name in setsubtract(keys(var.requeue_disconnect_flow), ["queue_id", "task_name", "wait_seconds", "retry_attempts", "name"]) : "requeue_disconnect_flow.${name} (known: queue_id, task_name, wait_seconds, retry_attempts, name)"], []))}. Terraform would drop it without a word and the default would apply: check the spelling."
  }
}

variable "config_lookup" {
  description = "The configuration lookup (null: off). The flows call the lookup function first with keys (flow references tried in order, such as $.SystemEndpoint.Address, the dialled number; the item keyed \"default\" is tried last), set the item's language and voice, set config_<field> contact attributes, and speak its greeting, or messages.greeting_fallback on any error, a missing item or a timeout; then the task runs unless run_task is false. items: the configuration table's items by key (a key's fields override the default item's); language and voice from Amazon Polly's lists, engine as the console writes it, greeting 1-1000 characters, attributes: more fields of your own (lower-case names)."
  type        = any
  default     = null

  validation {
    condition     = length(try(concat([for name in setsubtract(keys(var.config_lookup), ["keys", "items", "run_task"]) : "config_lookup.${name} (known: keys, items, run_task)"], try(flatten([for key0, item0 in var.config_lookup.items : try([for name in setsubtract(keys(item0), ["language", "voice", "engine", "greeting", "line_of_business", "queue", "attributes"]) : "config_lookup.items[\"${key0}\"].${name} (known: language, voice, engine, greeting, line_of_business, queue, attributes)"], [])]), [])), [])) == 0
    error_message = "Unknown attribute: ${join("; ", try(concat([for name in setsubtract(keys(var.config_lookup), ["keys", "items", "run_task"]) : "config_lookup.${name} (known: keys, items, run_task)"], try(flatten([for key0, item0 in var.config_lookup.items : try([for name in setsubtract(keys(item0), ["language", "voice", "engine", "greeting", "line_of_business", "queue", "attributes"]) : "config_lookup.items[\"${key0}\"].${name} (known: language, voice, engine, greeting, line_of_business, queue, attributes)"], [])]), [])), []))}. Terraform would drop it without a word and the default would apply: check the spelling."
  }
}

variable "step_functions" {
  description = "Your steps, for backend = \"step_functions\": definition_file, an Amazon States Language template (StartAt and States; rendered with template_variables and progress, the ready Task states of progress_messages: \"Debited\": $${jsonencode(merge(progress.debited, { Next = \"CallBank\" }))}) whose last state outputs {\"result\": {<key>: \"<string>\"}} for each result_attribute_keys and whose Fail states name the error code (insufficient_funds); type STANDARD (at most once per run, up to a year, history kept 90 days) or EXPRESS (at least once, at most 5 minutes, cheaper per run); policy_statements for what your steps call."
  type        = any
  default     = null

  validation {
    condition     = length(try(concat([for name in setsubtract(keys(var.step_functions), ["definition_file", "template_variables", "type", "policy_statements", "log_level", "include_execution_data", "tracing_enabled"]) : "step_functions.${name} (known: definition_file, template_variables, type, policy_statements, log_level, include_execution_data, tracing_enabled)"], try(flatten([for key0, item0 in var.step_functions.policy_statements : try([for name in setsubtract(keys(item0), ["sid", "actions", "resources"]) : "step_functions.policy_statements[${key0}].${name} (known: sid, actions, resources)"], [])]), [])), [])) == 0
    error_message = "Unknown attribute: ${join("; ", try(concat([for name in setsubtract(keys(var.step_functions), ["definition_file", "template_variables", "type", "policy_statements", "log_level", "include_execution_data", "tracing_enabled"]) : "step_functions.${name} (known: definition_file, template_variables, type, policy_statements, log_level, include_execution_data, tracing_enabled)"], try(flatten([for key0, item0 in var.step_functions.policy_statements : try([for name in setsubtract(keys(item0), ["sid", "actions", "resources"]) : "step_functions.policy_statements[${key0}].${name} (known: sid, actions, resources)"], [])]), [])), []))}. Terraform would drop it without a word and the default would apply: check the spelling."
  }
}

variable "progress_messages" {
  description = "What the caller hears as your steps progress (backend = \"step_functions\"): name => the percent and the message a step reports. Your definition template puts progress.<name> (a ready Task state) where the step is done."
  type        = any
  default     = {}

  validation {
    condition     = length(try(flatten([for key0, item0 in var.progress_messages : try([for name in setsubtract(keys(item0), ["percent", "message"]) : "progress_messages[\"${key0}\"].${name} (known: percent, message)"], [])]), [])) == 0
    error_message = "Unknown attribute: ${join("; ", try(flatten([for key0, item0 in var.progress_messages : try([for name in setsubtract(keys(item0), ["percent", "message"]) : "progress_messages[\"${key0}\"].${name} (known: percent, message)"], [])]), []))}. Terraform would drop it without a word and the default would apply: check the spelling."
  }
}

variable "vpc_config" {
  description = "Run functions in your VPC (the slow back-office systems a task calls usually live there): subnet_ids and security_group_ids, and which functions (default: the worker). start, check and the lookup reach only AWS endpoints; in a VPC they need VPC endpoints for DynamoDB and Lambda (or Step Functions), and the cold start of an elastic network interface counts toward Connect's 8 s. The ENI permissions go only to those functions. Null: no VPC."
  type        = any
  default     = null

  validation {
    condition     = length(try([for name in setsubtract(keys(var.vpc_config), ["subnet_ids", "security_group_ids", "functions", "ipv6_allowed_for_dual_stack"]) : "vpc_config.${name} (known: subnet_ids, security_group_ids, functions, ipv6_allowed_for_dual_stack)"], [])) == 0
    error_message = "Unknown attribute: ${join("; ", try([for name in setsubtract(keys(var.vpc_config), ["subnet_ids", "security_group_ids", "functions", "ipv6_allowed_for_dual_stack"]) : "vpc_config.${name} (known: subnet_ids, security_group_ids, functions, ipv6_allowed_for_dual_stack)"], []))}. Terraform would drop it without a word and the default would apply: check the spelling."
  }
}

variable "worker_policy_statements" {
  description = "Extra IAM statements for the worker's role, for what your task calls (for example bedrock:InvokeModel on one model ARN). No wildcard actions or resources. conditions: IAM conditions, each a test (StringEquals, ...), a context key and its values, all of which must hold."
  type        = any
  default     = []

  validation {
    condition     = length(try(flatten([for key0, item0 in var.worker_policy_statements : try(concat([for name in setsubtract(keys(item0), ["sid", "actions", "resources", "conditions"]) : "worker_policy_statements[${key0}].${name} (known: sid, actions, resources, conditions)"], try(flatten([for key1, item1 in item0.conditions : try([for name in setsubtract(keys(item1), ["test", "variable", "values"]) : "worker_policy_statements[${key0}].conditions[${key1}].${name} (known: test, variable, values)"], [])]), [])), [])]), [])) == 0
    error_message = "Unknown attribute: ${join("; ", try(flatten([for key0, item0 in var.worker_policy_statements : try(concat([for name in setsubtract(keys(item0), ["sid", "actions", "resources", "conditions"]) : "worker_policy_statements[${key0}].${name} (known: sid, actions, resources, conditions)"], try(flatten([for key1, item1 in item0.conditions : try([for name in setsubtract(keys(item1), ["test", "variable", "values"]) : "worker_policy_statements[${key0}].conditions[${key1}].${name} (known: test, variable, values)"], [])]), [])), [])]), []))}. Terraform would drop it without a word and the default would apply: check the spelling."
  }
}

variable "bedrock" {
  description = "Settings of the shipped Bedrock task (task_handler = connect_async.tasks.bedrock:run): model id, prompt template with $parameter placeholders, optional system prompt and limits. An unset limit is the runtime's default (the settings schema)."
  type        = any
  default     = null

  validation {
    condition     = length(try([for name in setsubtract(keys(var.bedrock), ["model_id", "prompt_template", "system_prompt", "max_tokens", "temperature", "max_answer_chars"]) : "bedrock.${name} (known: model_id, prompt_template, system_prompt, max_tokens, temperature, max_answer_chars)"], [])) == 0
    error_message = "Unknown attribute: ${join("; ", try([for name in setsubtract(keys(var.bedrock), ["model_id", "prompt_template", "system_prompt", "max_tokens", "temperature", "max_answer_chars"]) : "bedrock.${name} (known: model_id, prompt_template, system_prompt, max_tokens, temperature, max_answer_chars)"], []))}. Terraform would drop it without a word and the default would apply: check the spelling."
  }
}

variable "reconciler" {
  description = "Reconcile lost runs (null: off; backend \"lambda\" only). handler: your function package.module:function (reconcile(run: LostRun) -> Reconciled | RetryLater, in the task's layer), called once per run whose worker was lost, after its event reached the dead-letter queue, to ask the downstream system what happened; what it returns is recorded on the run's record (reconcile_status, reconcile_outcome), never changing its status. The module reads the queue with an event source mapping (batch_size, maximum_batching_window_seconds, maximum_concurrency) that reports batch item failures; a message received max_receive_count times unreconciled, and any message that is not a worker's invocation record or names no known run, goes to the unreconciled queue, whose alarm fires. timeout_seconds and memory_size: the reconciler function's; policy_statements: what your function calls (as worker_policy_statements)."
  type        = any
  default     = null

  validation {
    condition     = length(try(concat([for name in setsubtract(keys(var.reconciler), ["handler", "batch_size", "maximum_batching_window_seconds", "maximum_concurrency", "max_receive_count", "timeout_seconds", "memory_size", "policy_statements"]) : "reconciler.${name} (known: handler, batch_size, maximum_batching_window_seconds, maximum_concurrency, max_receive_count, timeout_seconds, memory_size, policy_statements)"], try(flatten([for key0, item0 in var.reconciler.policy_statements : try(concat([for name in setsubtract(keys(item0), ["sid", "actions", "resources", "conditions"]) : "reconciler.policy_statements[${key0}].${name} (known: sid, actions, resources, conditions)"], try(flatten([for key1, item1 in item0.conditions : try([for name in setsubtract(keys(item1), ["test", "variable", "values"]) : "reconciler.policy_statements[${key0}].conditions[${key1}].${name} (known: test, variable, values)"], [])]), [])), [])]), [])), [])) == 0
    error_message = "Unknown attribute: ${join("; ", try(concat([for name in setsubtract(keys(var.reconciler), ["handler", "batch_size", "maximum_batching_window_seconds", "maximum_concurrency", "max_receive_count", "timeout_seconds", "memory_size", "policy_statements"]) : "reconciler.${name} (known: handler, batch_size, maximum_batching_window_seconds, maximum_concurrency, max_receive_count, timeout_seconds, memory_size, policy_statements)"], try(flatten([for key0, item0 in var.reconciler.policy_statements : try(concat([for name in setsubtract(keys(item0), ["sid", "actions", "resources", "conditions"]) : "reconciler.policy_statements[${key0}].${name} (known: sid, actions, resources, conditions)"], try(flatten([for key1, item1 in item0.conditions : try([for name in setsubtract(keys(item1), ["test", "variable", "values"]) : "reconciler.policy_statements[${key0}].conditions[${key1}].${name} (known: test, variable, values)"], [])]), [])), [])]), [])), []))}. Terraform would drop it without a word and the default would apply: check the spelling."
  }
}

# END GENERATED


################################################################################
# The task
################################################################################

variable "task_handler" {
  description = "The worker's task as package.module:function. The default plays the demo task; connect_async.tasks.bedrock:run answers with Amazon Bedrock; your own code comes in task_layer_zip (or worker_layers). Check it imports before applying: connect-async check-handler <handler> --layer <zip>."
  type        = string
  default     = "connect_async.tasks.demo:run"

  validation {
    condition     = can(regex("^[A-Za-z_][A-Za-z0-9_.]*:[A-Za-z_][A-Za-z0-9_]*$", var.task_handler))
    error_message = "task_handler must look like package.module:function."
  }
}

variable "task_layer_zip" {
  description = "Path to a zip of your task's code and dependencies (python/ inside), built by `connect-async build-layer`: the module publishes it as a layer version (updated when its hash changes) and puts it first on the worker's layers. Null: no layer of the module's own (your code may come in worker_layers)."
  type        = string
  default     = null

  validation {
    condition     = var.task_layer_zip == null ? true : endswith(var.task_layer_zip, ".zip") && fileexists(var.task_layer_zip)
    error_message = "task_layer_zip must be the path of an existing .zip file (build it with: connect-async build-layer --source <your src> --out <path>.zip)."
  }
}

variable "worker_layers" {
  description = "Lambda layer ARNs added to the worker, for example one holding your task's package under python/ (at most 4: the module's artifact needs none)."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.worker_layers) <= 4 && alltrue([for arn in var.worker_layers : can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:layer:[A-Za-z0-9_-]+:[0-9]+$", arn))])
    error_message = "worker_layers must be at most 4 layer version ARNs (arn:aws:lambda:<region>:<account>:layer:<name>:<version>)."
  }
}

variable "worker_environment" {
  description = "Extra environment variables for your task (and your reconcile function, reconciler). Names the runtime uses (modules/plan/contract.json) are refused."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for key in keys(var.worker_environment) : can(regex("^[A-Za-z][A-Za-z0-9_]*$", key))])
    error_message = "worker_environment names must start with a letter and hold only letters, digits and underscores."
  }
  validation {
    condition     = length(setintersection(keys(var.worker_environment), local.contract.environment.all)) == 0
    error_message = "worker_environment must not set a name the runtime owns (listed in modules/plan/contract.json under environment.all): use the module's variables for those."
  }
}

################################################################################
# Asynchronous handling
################################################################################

variable "dead_letter_queue_retention_seconds" {
  description = "How long failed worker events stay in the dead-letter queue (60-1209600)."
  type        = number
  default     = 1209600

  validation {
    condition     = var.dead_letter_queue_retention_seconds >= 60 && var.dead_letter_queue_retention_seconds <= 1209600
    error_message = "dead_letter_queue_retention_seconds must be from 60 to 1209600 (14 days, SQS's maximum)."
  }
}

variable "dead_letter_queue_kms_key_arn" {
  description = "KMS key for the dead-letter queue. Default null: SQS-managed encryption."
  type        = string
  default     = null

  validation {
    condition     = var.dead_letter_queue_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.dead_letter_queue_kms_key_arn))
    error_message = "dead_letter_queue_kms_key_arn must be a KMS key ARN."
  }
}

variable "on_success_destination_arn" {
  description = "Where Lambda sends a record of each finished worker run (an SQS queue, SNS topic or EventBridge bus ARN), so other systems can react, for example to text a caller who hung up."
  type        = string
  default     = null

  validation {
    condition     = var.on_success_destination_arn == null || can(regex("^arn:aws[a-z-]*:(sqs|sns|events):", var.on_success_destination_arn))
    error_message = "on_success_destination_arn must be an SQS queue, SNS topic or EventBridge event bus ARN."
  }
}

################################################################################
# Amazon Connect
################################################################################

variable "connect_instance_id" {
  description = "Amazon Connect instance id. When set, the module permits and associates start and check with the instance and creates the contact flow; when null it deploys the backend alone."
  type        = string
  default     = null

  validation {
    condition     = var.connect_instance_id == null || can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.connect_instance_id))
    error_message = "connect_instance_id must be the instance's UUID (not its ARN or alias)."
  }
  validation {
    condition     = var.tracking_id_source != "parameter" || var.connect_instance_id == null || var.tracking_id_reference != null
    error_message = "tracking_id_source = \"parameter\" makes start require a tracking_id, and the module's flows can only pass one you name: set tracking_id_reference (for example \"$.Attributes.customer_reference\")."
  }
}

variable "create_contact_flow" {
  description = "Create the contact flow (when connect_instance_id is set). Set to false to build your own flow from the outputs."
  type        = bool
  default     = true
}

variable "contact_flow_name" {
  description = "Name of the contact flow. Default: \"<name>-wait-for-task\"."
  type        = string
  default     = null

  validation {
    condition     = var.contact_flow_name == null || try(length(var.contact_flow_name) >= 1 && length(var.contact_flow_name) <= 127, false)
    error_message = "contact_flow_name must be 1-127 characters."
  }
}

variable "create_config_lookup_module" {
  description = "Create the config lookup flow module (when connect_instance_id and config_lookup are set), for the start of your own flows."
  type        = bool
  default     = true
}

variable "config_lookup_module_name" {
  description = "Name of the config lookup flow module. Default: \"<name>-config-lookup-module\"."
  type        = string
  default     = null

  validation {
    condition     = var.config_lookup_module_name == null || try(length(var.config_lookup_module_name) >= 1 && length(var.config_lookup_module_name) <= 127, false)
    error_message = "config_lookup_module_name must be 1-127 characters."
  }
}

variable "create_flow_module" {
  description = "Create the wait-for-the-task flow module (when connect_instance_id is set), to drop the same waiting logic into your own flows."
  type        = bool
  default     = true

  validation {
    condition     = var.requeue_disconnect_flow == null || var.create_flow_module
    error_message = "requeue_disconnect_flow invokes the flow module: set create_flow_module = true."
  }
}

variable "flow_module_name" {
  description = "Name of the flow module. Default: \"<name>-wait-for-task-module\"."
  type        = string
  default     = null

  validation {
    condition     = var.flow_module_name == null || try(length(var.flow_module_name) >= 1 && length(var.flow_module_name) <= 127, false)
    error_message = "flow_module_name must be 1-127 characters."
  }
}

################################################################################
# Alarms
################################################################################

variable "create_alarms" {
  description = "Create CloudWatch alarms: messages in the dead-letter queue, worker errors and throttles, check duration close to the flow's time limit."
  type        = bool
  default     = false
}

variable "alarm_sns_topic_arn" {
  description = "SNS topic the alarms notify (required when create_alarms is true). If the topic is KMS-encrypted, its key policy must let cloudwatch.amazonaws.com use kms:Decrypt and kms:GenerateDataKey*: a topic on the AWS-managed aws/sns key silently drops every alarm."
  type        = string
  default     = null

  validation {
    condition     = !var.create_alarms || can(regex("^arn:aws[a-z-]*:sns:", var.alarm_sns_topic_arn))
    error_message = "Set alarm_sns_topic_arn to an SNS topic ARN when create_alarms is true."
  }
}
