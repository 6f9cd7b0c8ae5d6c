"""The settings schema: every tuning value, defined once.

One row per setting: its name (the module variable), unit, default, range, who reads it and what
it trades. Everything else follows from the row (``make gen``):

- its environment variable (the name in capitals, unless the row names another) and the
  functions that get it (``config.FUNCTION_ENV_VARS``, which Terraform reads from contract.json);
- the typed field each reading function's settings class has, read and range-checked at cold
  start (``tunings.py``, generated);
- the plan module's variable, its default and its range validation (modules/plan/settings.tf,
  generated), the root's declaration and pass-through, and the README's tables.

The rules between settings (a budget that must fit a time limit) are Terraform, written once in
modules/plan/setting_rules.hcl. Adding a setting is a row here, then ``make gen``: nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final, Literal

from connect_async.contract import CheckPollWhen, TrackingIdSource

__all__ = [
    "CONSTANTS",
    "FUNCTIONS",
    "LOG_LEVELS",
    "SETTINGS",
    "EnvVar",
    "Reader",
    "Setting",
    "environments",
    "format_number",
    "setting",
]


class EnvVar(StrEnum):
    """The environment variables the runtime reads besides its settings: the names of what the
    module creates for each function (``config.FUNCTION_ENV_VARS`` says who reads which). A
    setting's variable is its row's ``env``."""

    # Shared by the functions.
    TRACKER_TABLE_NAME = "TRACKER_TABLE_NAME"
    TRACING_ENABLED = "TRACING_ENABLED"
    POWERTOOLS_SERVICE_NAME = "POWERTOOLS_SERVICE_NAME"
    POWERTOOLS_METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE"
    # start: the worker it invokes (backend "lambda") or the state machine it starts ("step_functions").
    WORKER_FUNCTION_NAME = "WORKER_FUNCTION_NAME"
    STATE_MACHINE_ARN = "STATE_MACHINE_ARN"
    # check and the worker: the result keys the flow saves (result_attribute_keys): check always
    # answers each one, and a completed result must hold each.
    RESULT_KEYS = "RESULT_KEYS"
    # worker.
    TASK_HANDLER = "TASK_HANDLER"
    # The reconciler (when reconciler is set): your reconcile function, and the queue where it
    # parks a message it cannot reconcile (not a worker's invocation record, an unknown run).
    RECONCILE_HANDLER = "RECONCILE_HANDLER"
    UNRECONCILED_QUEUE_URL = "UNRECONCILED_QUEUE_URL"
    # lookup (the configuration lookup, when config_lookup is set).
    CONFIG_TABLE_NAME = "CONFIG_TABLE_NAME"
    # The item fields the lookup always answers (every field the configured items use).
    CONFIG_FIELDS = "CONFIG_FIELDS"
    # The shipped Bedrock task (read only when TASK_HANDLER points at it).
    BEDROCK_MODEL_ID = "BEDROCK_MODEL_ID"
    BEDROCK_PROMPT_TEMPLATE = "BEDROCK_PROMPT_TEMPLATE"
    BEDROCK_SYSTEM_PROMPT = "BEDROCK_SYSTEM_PROMPT"


# Who reads a setting: a function (from its environment), the flows (rendered into them), or
# Lambda itself (a function's or the worker's event configuration).
Reader = Literal["start", "check", "worker", "lookup", "reconciler", "bedrock_task", "flow", "lambda"]
# The readers that are code reading their environment: each gets a settings class (tunings.py).
FUNCTIONS: Final[tuple[Reader, ...]] = ("start", "check", "worker", "lookup", "reconciler", "bedrock_task")
Unit = Literal["ms", "seconds", "count", "bytes", "MB", "number", "choice"]

LOG_LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True)
class Setting:
    """One tuning value."""

    name: str
    unit: Unit
    default: int | float | str
    description: str
    minimum: int | float | None = None
    maximum: int | float | None = None
    # Whole numbers only (a fractional millisecond or loop count is a typo).
    whole: bool = True
    choices: tuple[str, ...] = ()
    # The enumeration the choices are the values of, if any: the typed field is one of its members.
    choice_type: type[StrEnum] | None = None
    # The environment variable a function reads it from: set by _setting from the readers.
    env: str | None = None
    readers: tuple[Reader, ...] = ()
    # Why the range ends where it does, said in the error message.
    why: str = ""
    # The module variable this setting is, or a field of: "memory_size" for memory_size.start.
    # None: derived by the timing plan (run_deadline_seconds), not set by anyone.
    variable: str | None = ""
    # Where the value comes from when it is derived (for the docs).
    derived_from: str = ""
    # Which Terraform module declares the variable: "plan" (generated into modules/plan, with its
    # validation) or "root" (a field of a root variable declared by hand, such as bedrock, whose
    # validation reads the range from contract.json).
    module: Literal["plan", "root"] = "plan"

    @property
    def field(self) -> str | None:
        """The object field, for a setting that is one field of an object variable."""
        return self.name.split(".", 1)[1] if "." in self.name else None

    @property
    def rule_text(self) -> str:
        """What a valid value is, in words: "a whole number of ms from 0 to 7500"."""
        if self.choices:
            text = "one of " + ", ".join(self.choices)
        else:
            kind = "a whole number" if self.whole else "a number"
            unit = {"count": "", "number": "", "choice": ""}.get(self.unit, f" of {self.unit}")
            text = f"{kind}{unit} from {format_number(self.minimum)} to {format_number(self.maximum)}"
        return f"{text} ({self.why})" if self.why else text

    def problem_with(self, value: object) -> str:
        """Why the module would refuse ``value`` for this setting at plan time ("" if it would
        not): the range and kind its variable's validation reads from the same row."""
        if self.choices:
            return (
                "" if str(value) in self.choices else f"{self.name} must be {self.rule_text}, got {value!r}"
            )
        try:
            number = float(str(value))
        except ValueError:
            number = float("nan")
        in_range = (self.minimum is None or number >= self.minimum) and (
            self.maximum is None or number <= self.maximum
        )
        if in_range and (not self.whole or number.is_integer()):
            return ""
        return f"{self.name} must be {self.rule_text}, got {value!r}"


def format_number(value: float | None) -> str:
    """7500 -> "7500", 0.2 -> "0.2", 31536000 -> "31536000" (never an exponent)."""
    if value is None:
        return "none"
    return str(int(value)) if float(value).is_integer() else str(value)


def _setting(
    *,
    name: str,
    variable: str | None = "",
    env: str = "",
    choices: tuple[str, ...] | type[StrEnum] = (),
    readers: tuple[Reader, ...] = (),
    **more: Any,
) -> Setting:
    """A row. Unless said otherwise: its variable is its name (or the object it is a field of);
    a function that reads it reads the name in capitals ("bedrock.max_tokens": BEDROCK_MAX_TOKENS);
    choices given as an enumeration are its values, and its field is typed by it."""
    read_by_code = any(reader in FUNCTIONS for reader in readers)
    return Setting(
        name=name,
        variable=name.split(".", 1)[0] if variable == "" else variable,
        env=(env or name.replace(".", "_").upper()) if read_by_code else None,
        choices=choices if isinstance(choices, tuple) else tuple(member.value for member in choices),
        choice_type=None if isinstance(choices, tuple) else choices,
        readers=readers,
        **more,
    )


# Values the module relies on but nobody tunes: Connect's and Lambda's limits, and margins.
CONSTANTS: Final[Mapping[str, int]] = {
    # Connect cuts a synchronous Lambda call at 8 seconds (InvocationTimeLimitSeconds).
    "connect_lambda_limit_seconds": 8,
    # A Loop block counts to 100 at most.
    "connect_loop_limit": 100,
    # Lambda calls with no prompt between them: Connect ends the chain after this long in all.
    "connect_lambda_chain_seconds": 20,
    # Time kept free between the end of check's budget and the flow's time limit (answering,
    # cold starts, network).
    "check_safety_margin_ms": 1_000,
    # start and check stop their retries this long before their Lambda would be cut off, to answer.
    "response_margin_ms": 300,
    # Allowance for the asynchronous invocation to reach the worker; added to the worker's
    # timeout to make the run's deadline.
    "dispatch_slack_seconds": 30,
    # How fast a text is spoken, for estimates only (the simulator's prompts, the plan's check of
    # hold_prompt_seconds against a text hold): an assumption, as Amazon Polly publishes no rate
    # (its voices differ: Joanna is faster than Matthew, Joey slower; its speech marks time one).
    "speech_words_per_minute": 150,
    # A text hold's declared hold_prompt_seconds may be this many times shorter or longer than
    # its estimated spoken length; beyond, the plan refuses it (the wait would be misjudged).
    "hold_length_factor": 2,
}


SETTINGS: Final[tuple[Setting, ...]] = (
    # -- the flow's calls and loop ----------------------------------------------------------------
    _setting(
        name="flow_invocation_time_limit_seconds",
        unit="seconds",
        default=8,
        description=(
            "InvocationTimeLimitSeconds of the flow's start and check blocks. start and check time out with "
            "it."
        ),
        minimum=1,
        maximum=8,
        readers=("flow", "lambda"),
        why="Connect cuts a synchronous Lambda call at 8 seconds",
    ),
    _setting(
        name="check_budget_ms",
        unit="ms",
        default=1_000,
        description=(
            "The longest one check call polls before answering in_progress (leaving a safety margin under "
            "the flow's time limit): with check_poll_when = due, only when the run's progress says its end "
            "is that close; with always, on every call. The caller hears silence while check polls. Longer: "
            "a result that lands while check polls is heard sooner; shorter: less dead air and fewer Lambda "
            "GB-seconds (docs/performance.md measures both)."
        ),
        minimum=0,
        maximum=7_500,
        readers=("check", "flow"),
        why="the runtime's limit, under Connect's 8 seconds",
    ),
    _setting(
        name="check_poll_interval_ms",
        unit="ms",
        default=250,
        description=(
            "Pause between tracker reads inside one check call (at most the budget). Shorter: the flow learns"
            " of a result sooner, for more DynamoDB reads."
        ),
        minimum=20,
        maximum=5_000,
        readers=("check",),
    ),
    _setting(
        name="check_poll_when",
        unit="choice",
        default=CheckPollWhen.DUE.value,
        description=(
            "When check polls (up to check_budget_ms) instead of answering after one read: due, only when "
            "the task's last progress report puts its end within the budget (a task that reports no "
            "progress, or runs on the Step Functions backend, whose progress states carry no time, is read "
            "once per call, between the hold message's sentences); always, on every call (the sooner a "
            "result is heard, the more GB-seconds and silence)."
        ),
        choices=CheckPollWhen,
        readers=("check",),
    ),
    _setting(
        name="hold_prompt_seconds",
        unit="seconds",
        default=4,
        description=(
            "How long the hold message takes to play (all its sentences; a recording's length): one flow "
            "loop is this plus a check call after each sentence (one read each, unless the run's end is "
            "due). A chat loop waits this long, rounded up to whole seconds. For a text hold the plan "
            f"estimates the spoken length from its words (about {CONSTANTS['speech_words_per_minute']} a "
            "minute, an assumption: voices differ) and refuses a value more than "
            f"{CONSTANTS['hold_length_factor']} times as long or as short; time yours in your voice."
        ),
        minimum=1,
        maximum=120,
        whole=False,
        readers=("flow",),
    ),
    _setting(
        name="max_wait_seconds",
        unit="seconds",
        default=120,
        description=(
            "The longest a caller waits for the task before the 'taking longer than expected' path (at most "
            "100 flow loops)."
        ),
        minimum=5,
        maximum=3_600,
        readers=("flow",),
    ),
    _setting(
        name="start_retry_attempts",
        unit="count",
        default=1,
        description=(
            "How many times the flows call start again (after the hold message) when a start call fails, "
            "before the fallback. start is idempotent: a retry never starts a second run."
        ),
        minimum=0,
        maximum=5,
        readers=("flow",),
    ),
    _setting(
        name="check_retry_attempts",
        unit="count",
        default=2,
        description=(
            "How many times the flow calls check again (after the hold message) when a check call fails, "
            "before the fallback."
        ),
        minimum=0,
        maximum=5,
        readers=("flow",),
    ),
    _setting(
        name="wait_mode",
        unit="choice",
        default="poll",
        description=(
            "How the inbound flow paces a voice caller's wait. poll: the hold message sentence by sentence, "
            "with a short check call after each, so a result is heard when the sentence playing ends. push: "
            "Connect's asynchronous Lambda; each round one check call holds until the run ends, its "
            "progress changes or push_wait_seconds is nearly spent, while the hold message plays on a "
            "Wait's Continue branch that the call's return interrupts, so a result is heard at once. Chat "
            "and the flow module always poll. push rests on Connect behaviour only a real instance "
            "confirms (flows/README.md lists the assumptions), hence the default."
        ),
        choices=("poll", "push"),
        readers=("flow", "lambda"),
    ),
    _setting(
        name="push_wait_seconds",
        unit="seconds",
        default=20,
        description=(
            "With wait_mode = push: the time limit of the asynchronous check call and of the Wait on it (one "
            "round); check holds for this less the safety margin, and its Lambda timeout is this. Longer: "
            "fewer calls per wait. Either way each waiting caller holds one running check function."
        ),
        minimum=3,
        maximum=60,
        readers=("flow", "lambda"),
        why="Connect's asynchronous Lambda limit is 60 seconds",
    ),
    # -- the worker and its run -------------------------------------------------------------------
    _setting(
        name="backend",
        unit="choice",
        default="lambda",
        description=(
            "What runs the task: lambda (the worker function runs your Python, task_handler) or "
            "step_functions (a state machine runs your steps, step_functions.definition_file; the flow, "
            "start, check and the tracker are the same)."
        ),
        choices=("lambda", "step_functions"),
        readers=("lambda",),
    ),
    _setting(
        name="worker_timeout_seconds",
        unit="seconds",
        default=300,
        description="The worker's Lambda timeout: the longest your task may run (at least max_wait_seconds).",
        minimum=1,
        maximum=900,
        readers=("lambda",),
        why="Lambda's maximum",
    ),
    _setting(
        name="worker_safety_margin_ms",
        unit="ms",
        default=3_000,
        description=(
            "Time the worker keeps back from its timeout to record worker_timeout itself instead of being "
            "killed silently."
        ),
        minimum=500,
        maximum=60_000,
        readers=("worker",),
    ),
    _setting(
        name="run_deadline_seconds",
        unit="seconds",
        default=330,
        description=(
            "A run still in progress this long after it started counts as failed (worker_timeout) for every "
            "reader."
        ),
        minimum=1,
        maximum=86_400,
        readers=("start",),
        variable=None,
        derived_from="worker_timeout_seconds + dispatch_slack_seconds",
    ),
    _setting(
        name="record_ttl_seconds",
        unit="seconds",
        default=86_400,
        description=(
            "How long a run's record and result stay readable after it starts (longer than the run's "
            "deadline)."
        ),
        minimum=60,
        maximum=31_536_000,
        readers=("start",),
        why="one minute to one year",
    ),
    _setting(
        name="worker_lease_ms",
        unit="ms",
        default=5_000,
        description=(
            "How long the worker's claim on a run lives without renewal. The worker renews it every third of "
            "this while the task runs; a worker that dies (crash, out of memory, Lambda's hard timeout) is "
            "read as failed/worker_lost by the flow this long after its last renewal, instead of at the run's"
            " deadline. Shorter is heard sooner; each renewal is one DynamoDB write."
        ),
        minimum=1_000,
        maximum=60_000,
        readers=("worker",),
    ),
    _setting(
        name="worker_start_timeout_seconds",
        unit="seconds",
        default=30,
        description=(
            "How long after a run starts a worker must have claimed it (backend lambda). A run no worker "
            "claimed by then reads as failed/worker_not_started, so the caller hears the fallback within "
            "seconds instead of after the whole wait, and a worker delivered later refuses the run instead of"
            " running it late. Lambda retries a throttled asynchronous event from 1 s, doubling (1+2+4+8+16 s"
            " = 31 s for five retries); a delivery that failed before claiming is retried after 1 minute,"
            " past the default. Step Functions starts its execution synchronously: no bound there."
        ),
        minimum=10,
        maximum=900,
        readers=("start",),
        why="a few of Lambda's throttle retries, at least; at most the worker's longest timeout",
    ),
    _setting(
        name="task_retry_attempts",
        unit="count",
        default=2,
        description=(
            "Retries of a task's transient errors (throttling, 5xx, connection errors) inside the worker. Set"
            " 0 when a call must never be repeated."
        ),
        minimum=0,
        maximum=10,
        readers=("worker",),
    ),
    _setting(
        name="max_result_bytes",
        unit="bytes",
        default=16_384,
        description="Largest result (as returned to the flow) before the run fails with result_too_large.",
        minimum=64,
        maximum=30_720,
        # start and check read a result over it (a state machine's: nothing measures it there)
        # as failed/result_too_large, as the worker records one.
        readers=("worker", "start", "check"),
        why="Connect rejects Lambda responses over 32 KB, control keys included",
    ),
    _setting(
        name="worker_maximum_retry_attempts",
        unit="count",
        default=2,
        description=(
            "Lambda's retries of a failed asynchronous worker event. A run already claimed by a worker is "
            "never executed twice; retries help only when the worker failed before claiming."
        ),
        minimum=0,
        maximum=2,
        readers=("lambda",),
        why="Lambda's limits",
    ),
    _setting(
        name="worker_maximum_event_age_seconds",
        unit="seconds",
        default=3_600,
        description=(
            "How long Lambda keeps trying to deliver the worker's event before sending it to the dead-letter "
            "queue."
        ),
        minimum=60,
        maximum=21_600,
        readers=("lambda",),
        why="Lambda's limits",
    ),
    # -- who the run belongs to, and the functions' resources ---------------------------------------
    _setting(
        name="tracking_id_source",
        unit="choice",
        default=TrackingIdSource.INITIAL_CONTACT_ID.value,
        description=(
            "What identifies a run: initial_contact_id (a transferred contact finds the same run), "
            "contact_id, or parameter (the flows pass tracking_id_reference as tracking_id; anyone who can "
            "set it can read that run's result)."
        ),
        choices=TrackingIdSource,
        readers=("start", "check", "flow"),
    ),
    _setting(
        name="log_level",
        unit="choice",
        default="INFO",
        description="Powertools log level of the functions.",
        choices=LOG_LEVELS,
        env="POWERTOOLS_LOG_LEVEL",  # Powertools reads it
        readers=("start", "check", "worker", "lookup", "reconciler"),
    ),
    _setting(
        name="memory_size.start",
        unit="MB",
        default=256,
        description="writes one item and invokes the worker",
        minimum=128,
        maximum=10_240,
        readers=("lambda",),
        why="Lambda's limits",
    ),
    _setting(
        name="memory_size.check",
        unit="MB",
        default=256,
        description="reads one item",
        minimum=128,
        maximum=10_240,
        readers=("lambda",),
        why="Lambda's limits",
    ),
    _setting(
        name="memory_size.worker",
        unit="MB",
        default=512,
        description="runs your task",
        minimum=128,
        maximum=10_240,
        readers=("lambda",),
        why="Lambda's limits",
    ),
    _setting(
        name="memory_size.lookup",
        unit="MB",
        default=256,
        description="reads one configuration item (config_lookup)",
        minimum=128,
        maximum=10_240,
        readers=("lambda",),
        why="Lambda's limits",
    ),
    # -- the configuration lookup (config_lookup) ---------------------------------------------------
    _setting(
        name="lookup_time_limit_seconds",
        unit="seconds",
        default=3,
        description=(
            "InvocationTimeLimitSeconds of the flow's lookup block, and the lookup function's timeout: "
            "the longest silence before the greeting when the lookup cannot answer at all."
        ),
        minimum=1,
        maximum=8,
        readers=("flow", "lambda"),
        why="Connect cuts a synchronous Lambda call at 8 seconds",
    ),
    _setting(
        name="lookup_budget_ms",
        unit="ms",
        default=1_500,
        description=(
            "How long the lookup may spend reading the configuration table, retries included, before it "
            "answers fallback (config_unavailable): the silence a caller hears before the fallback greeting "
            "when the table is throttled or unreachable."
        ),
        minimum=100,
        maximum=7_000,
        readers=("lookup",),
        why="under Connect's 8 seconds, with the safety margin",
    ),
    # -- the shipped Bedrock task (fields of the bedrock variable) ----------------------------------
    _setting(
        name="bedrock.max_tokens",
        module="root",
        unit="count",
        default=512,
        description="The most tokens Bedrock may generate for one answer.",
        minimum=1,
        maximum=8_192,
        readers=("bedrock_task",),
    ),
    _setting(
        name="bedrock.temperature",
        module="root",
        unit="number",
        default=0.2,
        description="Bedrock's sampling temperature: 0 answers the same way each time.",
        minimum=0,
        maximum=1,
        whole=False,
        readers=("bedrock_task",),
    ),
    _setting(
        name="bedrock.max_answer_chars",
        module="root",
        unit="count",
        default=2_000,
        description=(
            "The answer is cut at a sentence end within this many characters (a caller listens to all of it)."
        ),
        minimum=1,
        maximum=16_000,
        readers=("bedrock_task",),
    ),
)

_BY_NAME: Final[Mapping[str, Setting]] = {s.name: s for s in SETTINGS}


def setting(name: str) -> Setting:
    """The row of one setting, by name ("check_budget_ms", "memory_size.worker")."""
    return _BY_NAME[name]


def environments(values: Mapping[str, object]) -> dict[str, dict[str, str]]:
    """Each function's environment for these settings (by schema name), as the module sets it:
    every setting goes to each function that reads it; an unnamed setting stays unset (its
    default). Raises ValueError for a name that is not a setting the runtime reads."""
    unknown = sorted(set(values) - {row.name for row in SETTINGS if row.env is not None})
    if unknown:
        raise ValueError(f"not settings the functions read: {', '.join(unknown)}")
    environment: dict[str, dict[str, str]] = {reader: {} for reader in ("start", "check", "worker", "lookup")}
    for row in SETTINGS:
        if row.name in values and row.env is not None:
            for reader in row.readers:
                environment.setdefault(reader, {})[row.env] = str(values[row.name])
    return environment
