"""The settings schema: every tuning value, defined once.

One row per setting: its name (the module variable), unit, default, range, the environment
variable the runtime reads it from (if any), who reads it, and what it trades. Everything else is
generated from this table (``make gen``):

- ``contract.json`` carries it (``settings`` and ``constants``), and Terraform reads it there:
  modules/plan's variables (generated) take their defaults from it and validate against it;
- ``config.py`` reads each environment variable with the default and range given here;
- the root module's variables for these settings, the README's tables and the call simulator's
  defaults all follow.

Adding a setting is a row here (and its ``EnvVar`` member when a function reads it), the typed
field its function's settings class reads (``config.py``), then ``make gen``: which functions get
the variable, the Terraform variable and its validation, the root's declaration and pass-through
follow from the row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final, Literal

from connect_async.contract import CheckPollWhen, TrackingIdSource

__all__ = [
    "CONSTANTS",
    "LOG_LEVELS",
    "SETTINGS",
    "EnvVar",
    "Reader",
    "Rule",
    "Setting",
    "environments",
    "format_number",
    "setting",
]


class EnvVar(StrEnum):
    """Every environment variable the runtime reads (``config.FUNCTION_ENV_VARS`` says who reads which)."""

    # Shared by the three functions.
    TRACKER_TABLE_NAME = "TRACKER_TABLE_NAME"
    TRACING_ENABLED = "TRACING_ENABLED"
    POWERTOOLS_SERVICE_NAME = "POWERTOOLS_SERVICE_NAME"
    POWERTOOLS_METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE"
    POWERTOOLS_LOG_LEVEL = "POWERTOOLS_LOG_LEVEL"
    # start and check.
    TRACKING_ID_SOURCE = "TRACKING_ID_SOURCE"
    # start: the worker it invokes (backend "lambda") or the state machine it starts ("step_functions").
    WORKER_FUNCTION_NAME = "WORKER_FUNCTION_NAME"
    STATE_MACHINE_ARN = "STATE_MACHINE_ARN"
    RUN_DEADLINE_SECONDS = "RUN_DEADLINE_SECONDS"
    RECORD_TTL_SECONDS = "RECORD_TTL_SECONDS"
    # check.
    CHECK_BUDGET_MS = "CHECK_BUDGET_MS"
    CHECK_POLL_INTERVAL_MS = "CHECK_POLL_INTERVAL_MS"
    CHECK_POLL_WHEN = "CHECK_POLL_WHEN"
    # The result keys the flow saves (result_attribute_keys): check always answers each one.
    RESULT_KEYS = "RESULT_KEYS"
    # worker.
    TASK_HANDLER = "TASK_HANDLER"
    TASK_RETRY_ATTEMPTS = "TASK_RETRY_ATTEMPTS"
    WORKER_SAFETY_MARGIN_MS = "WORKER_SAFETY_MARGIN_MS"
    MAX_RESULT_BYTES = "MAX_RESULT_BYTES"
    WORKER_LEASE_MS = "WORKER_LEASE_MS"
    # lookup (the configuration lookup, when config_lookup is set).
    CONFIG_TABLE_NAME = "CONFIG_TABLE_NAME"
    LOOKUP_BUDGET_MS = "LOOKUP_BUDGET_MS"
    # The item fields the lookup always answers (every field the configured items use).
    CONFIG_FIELDS = "CONFIG_FIELDS"
    # The shipped Bedrock task (read only when TASK_HANDLER points at it).
    BEDROCK_MODEL_ID = "BEDROCK_MODEL_ID"
    BEDROCK_PROMPT_TEMPLATE = "BEDROCK_PROMPT_TEMPLATE"
    BEDROCK_SYSTEM_PROMPT = "BEDROCK_SYSTEM_PROMPT"
    BEDROCK_MAX_TOKENS = "BEDROCK_MAX_TOKENS"
    BEDROCK_TEMPERATURE = "BEDROCK_TEMPERATURE"
    BEDROCK_MAX_ANSWER_CHARS = "BEDROCK_MAX_ANSWER_CHARS"


# Who reads a setting: a function (from its environment), the flows (rendered into them), or
# Lambda itself (a function's or the worker's event configuration).
Reader = Literal["start", "check", "worker", "lookup", "bedrock_task", "flow", "lambda"]
Unit = Literal["ms", "seconds", "count", "bytes", "MB", "number", "choice"]

LOG_LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True)
class Rule:
    """A rule between settings, checked by Terraform at plan time.

    ``condition`` is a Terraform expression over ``var.<setting>`` and ``local.constants``;
    ``message`` says what to change. The runtime checks the rules it can see (config.py).
    """

    condition: str
    message: str


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
    env: EnvVar | None = None
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
    rules: tuple[Rule, ...] = ()

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


def format_number(value: float | None) -> str:
    """7500 -> "7500", 0.2 -> "0.2", 31536000 -> "31536000" (never an exponent)."""
    if value is None:
        return "none"
    return str(int(value)) if float(value).is_integer() else str(value)


def _setting(*, name: str, variable: str | None = "", **more: Any) -> Setting:
    """A row; its variable is its name (or the object it is a field of) unless said otherwise."""
    return Setting(name=name, variable=name.split(".", 1)[0] if variable == "" else variable, **more)


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
        env=EnvVar.CHECK_BUDGET_MS,
        readers=("check", "flow"),
        why="the runtime's limit, under Connect's 8 seconds",
        rules=(
            Rule(
                "var.check_budget_ms + local.constants.check_safety_margin_ms"
                " <= var.flow_invocation_time_limit_seconds * 1000",
                "check_budget_ms plus the check safety margin (${local.constants.check_safety_margin_ms}"
                " ms) must fit within flow_invocation_time_limit_seconds: lower the budget or raise the"
                " time limit, or Connect will cut check off and take the error branch.",
            ),
        ),
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
        env=EnvVar.CHECK_POLL_INTERVAL_MS,
        readers=("check",),
        rules=(
            Rule(
                "var.check_budget_ms == 0 || var.check_poll_interval_ms <= var.check_budget_ms",
                "check_poll_interval_ms must not exceed check_budget_ms: check would read the tracker only "
                "once per call.",
            ),
        ),
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
        choices=tuple(s.value for s in CheckPollWhen),
        env=EnvVar.CHECK_POLL_WHEN,
        readers=("check",),
    ),
    _setting(
        name="hold_prompt_seconds",
        unit="seconds",
        default=4,
        description=(
            "How long the hold message takes to play (all its sentences; a recording's length): one flow "
            "loop is this plus a check call after each sentence (one read each, unless the run's end is "
            "due). A chat loop waits this long, rounded up to whole seconds."
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
        rules=(
            Rule(
                "var.hold_prompt_seconds <= var.max_wait_seconds",
                "hold_prompt_seconds is longer than max_wait_seconds: the caller would wait through a hold "
                "message longer than the whole wait. Shorten the hold message or wait longer.",
            ),
            Rule(
                'ceil(var.max_wait_seconds / (var.hold_prompt_seconds + (var.check_poll_when == "always"'
                " ? var.check_budget_ms / 1000 : 0))) <= local.constants.connect_loop_limit",
                "max_wait_seconds needs more than ${local.constants.connect_loop_limit} flow loops"
                " (Connect's Loop limit) at this hold_prompt_seconds (and check_budget_ms, with"
                " check_poll_when = always): shorten the wait or lengthen the hold message.",
            ),
        ),
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
        rules=(
            Rule(
                "var.worker_timeout_seconds >= var.max_wait_seconds",
                "worker_timeout_seconds must be at least max_wait_seconds: otherwise the worker is stopped "
                "while the caller is still told to wait.",
            ),
            Rule(
                "var.worker_timeout_seconds * 1000 > 2 * var.worker_safety_margin_ms",
                "worker_timeout_seconds must be more than twice worker_safety_margin_ms: the margin would "
                "leave the task almost no time.",
            ),
        ),
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
        env=EnvVar.WORKER_SAFETY_MARGIN_MS,
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
        env=EnvVar.RUN_DEADLINE_SECONDS,
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
        env=EnvVar.RECORD_TTL_SECONDS,
        readers=("start",),
        why="one minute to one year",
        rules=(
            Rule(
                "var.record_ttl_seconds"
                " > var.worker_timeout_seconds + local.constants.dispatch_slack_seconds",
                "record_ttl_seconds must be greater than worker_timeout_seconds plus the dispatch allowance "
                "(${local.constants.dispatch_slack_seconds} s): a record must outlive its run.",
            ),
        ),
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
        env=EnvVar.WORKER_LEASE_MS,
        readers=("worker",),
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
        env=EnvVar.TASK_RETRY_ATTEMPTS,
        readers=("worker",),
    ),
    _setting(
        name="max_result_bytes",
        unit="bytes",
        default=16_384,
        description="Largest result (as returned to the flow) before the run fails with result_too_large.",
        minimum=64,
        maximum=30_720,
        env=EnvVar.MAX_RESULT_BYTES,
        readers=("worker",),
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
        choices=tuple(s.value for s in TrackingIdSource),
        env=EnvVar.TRACKING_ID_SOURCE,
        readers=("start", "check", "flow"),
    ),
    _setting(
        name="log_level",
        unit="choice",
        default="INFO",
        description="Powertools log level of the functions.",
        choices=LOG_LEVELS,
        env=EnvVar.POWERTOOLS_LOG_LEVEL,
        readers=("start", "check", "worker", "lookup"),
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
        env=EnvVar.LOOKUP_BUDGET_MS,
        readers=("lookup",),
        why="under Connect's 8 seconds, with the safety margin",
        rules=(
            Rule(
                "var.lookup_budget_ms + local.constants.check_safety_margin_ms"
                " <= var.lookup_time_limit_seconds * 1000",
                "lookup_budget_ms plus the safety margin (${local.constants.check_safety_margin_ms} ms) must"
                " fit within lookup_time_limit_seconds: lower the budget or raise the time limit, or Connect"
                " cuts the lookup off before it can answer fallback.",
            ),
        ),
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
        env=EnvVar.BEDROCK_MAX_TOKENS,
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
        env=EnvVar.BEDROCK_TEMPERATURE,
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
        env=EnvVar.BEDROCK_MAX_ANSWER_CHARS,
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
                environment.setdefault(reader, {})[row.env.value] = str(values[row.name])
    return environment
